#!/usr/bin/env bash
# `make demo`: the collection at work against a seeded Contrast API emulator, in about a minute.
#
# Expects the venv (.venv) and the collection copy (.tmp/ansible_collections/...) that `make venv collection`
# prepare. Starts the emulator with tests/emulator/seeds/demo.json (tests/utils/with_emulator.sh, CONTRAST_*
# exported) and runs, each step titled, the collection's playbooks as an admin would:
#   1. onboard tests/utils/demo/people.yml with --check --diff: the plan, nothing written;
#   2. the real run; 3. the same run again: nothing left to do (changed=0);
#   4. offboard tests/utils/demo/leavers.yml; 5. the access audit, whose HTML report path it prints.
# Each step's claim is checked (the plan writes nothing, the rerun changes nothing, the report exists): the
# demo fails when the product does not do what it shows. Output of the runs: .tmp/demo/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

venv_bin="$root/.venv/bin"
export PATH="$venv_bin:$PATH"
export PYTHON="$venv_bin/python"
export ANSIBLE_COLLECTIONS_PATH="$root/.tmp"
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_PYTHON_INTERPRETER="$venv_bin/python"
export ANSIBLE_DISPLAY_SKIPPED_HOSTS=false
export ANSIBLE_CALLBACK_RESULT_FORMAT=yaml
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-$([[ -t 1 ]] && echo true || echo false)}
work="$root/.tmp/demo"
rm -rf "$work"
mkdir -p "$work"
cp tests/utils/demo/people.yml tests/utils/demo/leavers.yml "$work/"

demo_steps() {
  local step=0 started=$SECONDS
  title() {
    step=$((step + 1))
    printf '\n\033[1m==== %d. %s\033[0m\n    $ %s\n' "$step" "$1" "$2"
  }
  writes() {  # write requests the emulator has seen so far
    python -c 'import json, sys, urllib.request
log = json.load(urllib.request.urlopen(sys.argv[1] + "/requests"))
print(sum(1 for request in log["requests"] if request["method"] != "GET"))' "$CONTRAST_EMULATOR_URL"
  }
  run() {  # run LOG ansible-playbook ARGS...: show the output, keep it in LOG
    local log=$1
    shift
    "$@" 2>&1 | tee "$log"
  }
  recap_changed() { sed -n 's/.*localhost *: .*changed=\([0-9]*\).*/\1/p' "$1" | tail -n 1; }

  cd "$work"
  title "The plan: onboard two people and move one, in check mode (nothing is written)" \
    "ansible-playbook contrast_security.identity.onboard -e contrast_users_file=people.yml --check --diff"
  run plan.log ansible-playbook contrast_security.identity.onboard -e contrast_users_file=people.yml --check --diff
  [[ $(writes) -eq 0 ]] || { echo "demo: check mode sent a write" >&2; return 1; }
  echo "demo: check mode sent no write request to the API"

  title "The real run" "ansible-playbook contrast_security.identity.onboard -e contrast_users_file=people.yml"
  run onboard.log ansible-playbook contrast_security.identity.onboard -e contrast_users_file=people.yml
  [[ $(recap_changed onboard.log) -gt 0 ]] || { echo "demo: the real run changed nothing" >&2; return 1; }

  title "The same run again: nothing left to do" \
    "ansible-playbook contrast_security.identity.onboard -e contrast_users_file=people.yml"
  local before
  before=$(writes)
  run rerun.log ansible-playbook contrast_security.identity.onboard -e contrast_users_file=people.yml
  [[ $(recap_changed rerun.log) -eq 0 && $(writes) -eq $before ]] \
    || { echo "demo: the rerun was not ok (changed or wrote)" >&2; return 1; }
  echo "demo: the rerun reports ok: changed=0, no write request"

  title "Offboard a leaver: disabled (the account and its history are kept) and out of every group" \
    "ansible-playbook contrast_security.identity.offboard -e contrast_users_file=leavers.yml --diff"
  run offboard.log ansible-playbook contrast_security.identity.offboard -e contrast_users_file=leavers.yml --diff
  [[ $(recap_changed offboard.log) -gt 0 ]] || { echo "demo: the offboard changed nothing" >&2; return 1; }

  title "The access audit (read-only): JSON, CSV and an HTML page" \
    "ansible-playbook contrast_security.identity.audit -e contrast_audit_report_dir=reports"
  run audit.log ansible-playbook contrast_security.identity.audit -e contrast_audit_report_dir=reports
  [[ -s $work/reports/access-report.html ]] || { echo "demo: no HTML report" >&2; return 1; }
  printf '\n\033[1m==== Done in %d s.\033[0m The HTML report: %s\n' $((SECONDS - started)) "$work/reports/access-report.html"
  echo "To go on by hand against an emulator: make shell"
}
export -f demo_steps
export work

tests/utils/with_emulator.sh --seed tests/emulator/seeds/demo.json -- bash -c demo_steps
