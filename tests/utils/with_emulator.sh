#!/usr/bin/env bash
# Run a command against a freshly started Contrast API emulator, then stop the emulator.
#
#   tests/utils/with_emulator.sh [EMULATOR OPTIONS ...] -- COMMAND [ARGS ...]
#
# Starts `tests/emulator/contrast_emulator.py --port 0 EMULATOR OPTIONS` (e.g. --seed FILE,
# --generate-users N), waits for its first line `listening on http://127.0.0.1:PORT`, exports
# the collection's connection options as environment variables (the modules' env fallbacks)
# with the emulator's default identity, runs COMMAND, and always stops the emulator.
#   CONTRAST_URL, CONTRAST_USERNAME, CONTRAST_SERVICE_KEY, CONTRAST_API_KEY, CONTRAST_ORG_UUID,
#   CONTRAST_EMULATOR_URL (the test-only control interface, .../_emulator)
# The emulator's output goes to $CONTRAST_EMULATOR_LOG (default .tmp/emulator.log).
# Exits with COMMAND's exit code.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-python3}
emulator="$root/tests/emulator/contrast_emulator.py"
log=${CONTRAST_EMULATOR_LOG:-$root/.tmp/emulator.log}

emulator_args=()
while [[ $# -gt 0 && $1 != "--" ]]; do
  emulator_args+=("$1")
  shift
done
[[ ${1:-} == "--" ]] && shift
if [[ $# -eq 0 ]]; then
  echo "usage: $0 [EMULATOR OPTIONS ...] -- COMMAND [ARGS ...]" >&2
  exit 2
fi
if [[ ! -f $emulator ]]; then
  echo "with_emulator.sh: emulator not found: $emulator" >&2
  exit 2
fi

mkdir -p "$(dirname "$log")"
: >"$log"
"$python" -u "$emulator" --port 0 "${emulator_args[@]}" >"$log" 2>&1 </dev/null &
emulator_pid=$!

# shellcheck disable=SC2329  # invoked by the EXIT trap
stop_emulator() {
  if kill -0 "$emulator_pid" 2>/dev/null; then
    kill "$emulator_pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$emulator_pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -9 "$emulator_pid" 2>/dev/null || true
  fi
  wait "$emulator_pid" 2>/dev/null || true
}
trap stop_emulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

base_url=""
for _ in $(seq 300); do
  base_url=$(sed -n 's#^listening on \(https\{0,1\}://127\.0\.0\.1:[0-9]\{1,\}\)[[:space:]]*$#\1#p' "$log" | head -n 1)
  [[ -n $base_url ]] && break
  if ! kill -0 "$emulator_pid" 2>/dev/null; then
    echo "with_emulator.sh: the emulator exited before it listened; its output:" >&2
    cat "$log" >&2
    exit 2
  fi
  sleep 0.1
done
if [[ -z $base_url ]]; then
  echo "with_emulator.sh: the emulator did not print its address within 30 s; see $log" >&2
  exit 2
fi

export CONTRAST_URL="$base_url/Contrast"
export CONTRAST_EMULATOR_URL="$base_url/_emulator"
export CONTRAST_USERNAME="api.admin@example.com"
export CONTRAST_SERVICE_KEY="TEST-SERVICE-KEY-5f3a9c"
export CONTRAST_API_KEY="TEST-API-KEY-7d2b4e"
export CONTRAST_ORG_UUID="0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d"
echo "emulator listening on $base_url (pid $emulator_pid, log $log)"

status=0
"$@" || status=$?
exit "$status"
