#!/usr/bin/env bash
# Run the integration suite once per API dialect, the passes side by side (what `make integration` runs).
#
#   tests/integration/run_dialects.sh ROOT COLLECTION PYTHON_VERSION "DIALECTS" "TEAMSERVER_EXCLUDE" [TARGETS ...]
#
# The guide pass runs in COLLECTION (.../ansible_collections/contrast_security/identity); every other dialect
# in its own copy of ROOT beside it (.tmp/<dialect>/ansible_collections/...), because ansible-test keeps its
# state in the copy. Each pass has its own emulator (tests/integration/run.py). The passes wait on the network
# and on retry back-off more than on the CPU, so side by side they take little more than the longest alone.
# The output of each pass goes to .tmp/integration-<dialect>.log and is printed when every pass is over;
# a line per minute says how far each pass got. SCAN_SECRETS (dialect names) makes those passes run at -vvvv
# and fail on any secret in their output. Exits non-zero when any pass failed.
set -euo pipefail

root=$1 collection=$2 python_version=$3 dialects=$4 teamserver_exclude=$5
shift 5
targets=("$@")
tmp="$root/.tmp"
python="${PYTHON:-python3}"
# shellcheck source=tests/utils/dialect_passes.sh
source "$root/tests/utils/dialect_passes.sh"

declare -A logs=() pids=()
for dialect in $dialects; do
  copy=$collection
  if [[ $dialect != guide ]]; then
    copy="$tmp/$dialect/ansible_collections/contrast_security/identity"
    "$python" "$root/tests/utils/sync_collection.py" "$root" "$copy" >/dev/null
  fi
  extra=()
  if [[ $dialect == teamserver && ${#targets[@]} -eq 0 ]]; then
    read -r -a extra <<<"$teamserver_exclude"
  fi
  # The pass(es) named in SCAN_SECRETS run at -vvvv and fail on any secret in their output (run.py --scan-secrets).
  if [[ " ${SCAN_SECRETS:-} " == *" $dialect "* ]]; then
    extra+=(--scan-secrets)
  fi
  logs[$dialect]="$tmp/integration-$dialect.log"
  echo "integration: $dialect pass started in $copy (output: ${logs[$dialect]})"
  "$python" "$copy/tests/integration/run.py" --collection "$copy" --python "$python_version" --dialect "$dialect" \
    "${extra[@]}" "${targets[@]}" >"${logs[$dialect]}" 2>&1 &
  pids[$dialect]=$!
done

# shellcheck disable=SC2329  # invoked by the trap
stop_passes() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_passes INT TERM

started=$SECONDS
next_report=60
while true; do
  running=0
  for dialect in "${!pids[@]}"; do
    kill -0 "${pids[$dialect]}" 2>/dev/null && running=$((running + 1))
  done
  [[ $running -eq 0 ]] && break
  sleep 5
  if (( SECONDS - started >= next_report )); then
    next_report=$((next_report + 60))
    progress=()
    for dialect in $dialects; do
      done_targets=$(grep -c '^Running ' "${logs[$dialect]}" 2>/dev/null || true)
      progress+=("$dialect: target ${done_targets:-0}")
    done
    echo "integration: $(( (SECONDS - started) / 60 )) min, ${progress[*]}"
  fi
done

status=0
collect_passes integration "$dialects" || status=1
echo "integration: every pass took $(( SECONDS - started )) s side by side; exit codes above"
exit $status
