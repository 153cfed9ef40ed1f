#!/usr/bin/env bash
# No secret reaches any output: run success and failure paths at -vvvv, capture everything the
# controller prints and what the emulator logged, and look for the keys in every form.
set -euo pipefail

# shellcheck source=tests/integration/targets/setup_emulator/files/emulator_env.sh
source ../setup_emulator/files/emulator_env.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

ANSIBLE_DEBUG=0 ansible-playbook -vvvv -i "${INVENTORY_PATH:-../../inventory}" -e "@$emulator_config" secrets.yml >"$out/playbook.log" 2>&1 || {
  cat "$out/playbook.log"; echo "the playbook itself failed"; exit 1; }
python -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1] + "/requests").read().decode())' \
  "$control" >"$out/requests.json"

# The run must have exercised the paths it claims to (otherwise an empty log would pass).
for expected in "HTTP 401" "HTTP 500" "HTTP 503" "could not connect" "not JSON" "planned write(s) failed" "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" \
                "redirected to http://localhost:9/steal" "Authorization: ********" "unexpected answer from GET" \
                "must not contain user:password@" "contrast_api_key contains a control character" "contrast_service_key contains characters"; do
  grep -q "$expected" "$out/playbook.log" || { echo "expected '$expected' in the output: the test did not run what it should"; exit 1; }
done

check_no_secrets "$out"/playbook.log "$out"/requests.json "${CONTRAST_EMULATOR_LOG:-}" || exit 1
echo "no secret in $(wc -l <"$out/playbook.log") lines of -vvvv output nor in the emulator's request log"
