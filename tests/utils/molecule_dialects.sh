#!/usr/bin/env bash
# Run every roles/*/molecule/* scenario once per API dialect, the dialect passes side by side (what
# `make molecule` runs).
#
#   tests/utils/molecule_dialects.sh COLLECTION "DIALECTS"
#
# Within a pass the scenarios run one after the other, each under tests/utils/with_emulator.sh --dialect D
# with CONTRAST_EMULATOR_DIALECT=D (scenarios that start their own emulator read it). Each run gets its own
# MOLECULE_EPHEMERAL_DIRECTORY and emulator log, so that the passes never share state (molecule's default
# ephemeral directory depends only on the role's folder name). The audit's 10,000-user part runs in the guide
# pass only. The audit scenario keeps the HTML pages it wrote in .tmp/audit-html/<dialect>/ (CONTRAST_AUDIT_HTML_DIR)
# for `make browser`. Output goes to .tmp/molecule-<dialect>.log in COLLECTION's repository and is printed when every
# pass is over. Exits non-zero when any scenario failed.
set -euo pipefail

collection=$1 dialects=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp="$root/.tmp"
# shellcheck source=tests/utils/dialect_passes.sh
source "$here/dialect_passes.sh"
mkdir -p "$tmp"

shopt -s nullglob
scenarios=("$collection"/roles/*/molecule/*/molecule.yml)
if [[ ${#scenarios[@]} -eq 0 ]]; then
  echo "molecule: no scenarios under roles/*/molecule, nothing to run"
  exit 0
fi

run_pass() {
  local dialect=$1 config scenario_dir role_dir role scenario scale status=0 switches
  rm -rf "$tmp/audit-html/$dialect"  # this pass's pages only
  mkdir -p "$tmp/audit-html/$dialect"
  for config in "${scenarios[@]}"; do
    scenario_dir=$(dirname "$config")
    role_dir=$(dirname "$(dirname "$scenario_dir")")
    role=$(basename "$role_dir") scenario=$(basename "$scenario_dir")
    scale=${CONTRAST_AUDIT_SCALE_USERS:-}
    # The emulator's switches per dialect, as in the integration passes (tests/integration/run.py DIALECT_SWITCHES).
    switches=(--unpaged-members)
    [[ $dialect == teamserver ]] && switches=(--strict)
    [[ $dialect == guide ]] || scale=0
    echo "molecule: roles/$role scenario $scenario, $dialect dialect ($(date +%T))"
    if ! (cd "$role_dir" &&
          CONTRAST_EMULATOR_DIALECT=$dialect CONTRAST_AUDIT_SCALE_USERS=$scale \
          CONTRAST_AUDIT_HTML_DIR="$tmp/audit-html/$dialect" \
          MOLECULE_EPHEMERAL_DIRECTORY="$tmp/molecule/$dialect/$role/$scenario" \
          CONTRAST_EMULATOR_LOG="$tmp/molecule/$dialect/$role/emulator.log" \
          "$collection/tests/utils/with_emulator.sh" --dialect "$dialect" "${switches[@]}" -- molecule test -s "$scenario"); then
      echo "molecule: roles/$role scenario $scenario FAILED in the $dialect dialect"
      status=1
    fi
  done
  echo "molecule: $dialect pass done ($(date +%T))"
  return $status
}

declare -A pids=() logs=()
started=$SECONDS
for dialect in $dialects; do
  logs[$dialect]="$tmp/molecule-$dialect.log"
  echo "molecule: $dialect pass started (output: ${logs[$dialect]})"
  run_pass "$dialect" >"${logs[$dialect]}" 2>&1 &
  pids[$dialect]=$!
done

# A line a minute, so that a silent log is never taken for a hung run.
(while sleep 60; do echo "molecule: $(( (SECONDS - started) / 60 )) min, $(cat "$tmp"/molecule-*.log 2>/dev/null |
   grep -c '^molecule: roles/') scenario run(s) started"; done) &
heartbeat=$!

status=0
collect_passes molecule "$dialects" || status=1
kill "$heartbeat" 2>/dev/null || true
echo "molecule: every pass took $(( SECONDS - started )) s side by side"
exit $status
