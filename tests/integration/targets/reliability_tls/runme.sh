#!/usr/bin/env bash
# TLS against a second emulator served over HTTPS with a throwaway private CA: verification on by
# default (fails clearly, nothing sent), ca_path, validate_certs=false (works, with a warning), the
# CONTRAST_CA_PATH / CONTRAST_VALIDATE_CERTS fallbacks. No secret in any output.
set -euo pipefail

# shellcheck source=tests/integration/targets/setup_emulator/files/emulator_env.sh
source ../setup_emulator/files/emulator_env.sh
work=$(mktemp -d)
emulator_pid=
cleanup() {
  if [[ -n $emulator_pid ]]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The emulator of this collection copy: beside the integration tests, else under the collections path.
emulator=../../../emulator/contrast_emulator.py
if [[ ! -f $emulator ]]; then
  emulator=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/contrast_security/identity/tests/emulator/contrast_emulator.py
fi
[[ -f $emulator ]] || { echo "contrast_emulator.py not found"; exit 1; }

python make_certs.py "$work"
python -u "$emulator" --port 0 --tls-cert "$work/server.pem" --tls-key "$work/server.key" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
line=
for _ in $(seq 150); do
  line=$(head -n 1 "$work/emulator.log")
  [[ $line == "listening on "* ]] && break
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.1
done
[[ $line == "listening on https://127.0.0.1:"* ]] || { cat "$work/emulator.log"; echo "the HTTPS emulator did not start"; exit 1; }
base=${line#listening on }
echo "HTTPS emulator at $base (pid $emulator_pid)"

ANSIBLE_DEBUG=0 ansible-playbook -vvvv -i "${INVENTORY_PATH:-../../inventory}" -e "@$emulator_config" \
  -e "tls_url=$base/Contrast" -e "tls_control_url=$base/_emulator" -e "tls_dir=$work" tls.yml >"$work/playbook.log" 2>&1 || {
  cat "$work/playbook.log"; echo "the TLS playbook failed"; exit 1; }
grep -A1 '^PLAY RECAP' "$work/playbook.log" | tail -n 1
echo "failure seen: $(grep -m1 -o '"msg": "GET /ng/[^"]*TLS verification[^"]*"' "$work/playbook.log")"
echo "warning seen: $(grep -m1 -o '\[WARNING\]: validate_certs is false.*' "$work/playbook.log")"

# The run exercised what it claims (otherwise an empty log would pass).
for expected in "TLS verification of https://127.0.0.1" "certificate verify failed" "validate_certs is false"; do
  grep -q "$expected" "$work/playbook.log" || { echo "expected '$expected' in the output: the test did not run what it should"; exit 1; }
done

check_no_secrets "$work/playbook.log" "$work/emulator.log" || exit 1
echo "no secret in $(wc -l <"$work/playbook.log") lines of -vvvv output nor in the HTTPS emulator's log"
