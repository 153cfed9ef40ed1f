# shellcheck shell=bash disable=SC2154  # pids and logs are the sourcing script's
# Sourced by tests/integration/run_dialects.sh and tests/utils/molecule_dialects.sh, which run one pass per API
# dialect side by side: each keeps the pass's pid in pids[DIALECT] and its output file in logs[DIALECT].
#
#   collect_passes WHAT "DIALECTS"   wait for every pass, print its output under a banner with its exit code;
#                                    fails when any pass failed
collect_passes() {
  local what=$1 dialects=$2 dialect rc status=0
  for dialect in $dialects; do
    if wait "${pids[$dialect]}"; then rc=0; else rc=$?; fi
    echo "================ $what, $dialect dialect: exit code $rc ================"
    cat "${logs[$dialect]}"
    [[ $rc -eq 0 ]] || status=1
  done
  return $status
}
