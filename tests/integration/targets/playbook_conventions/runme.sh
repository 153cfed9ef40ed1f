#!/usr/bin/env bash
# The four playbooks share one convention: the same connection variables (contrast_ca_path and
# contrast_validate_certs reach every module of each), and one rule for contrast_users_file (relative to the
# current directory, never to the playbook; a clear error naming the shape expected).
set -euo pipefail

inventory=$(realpath "${INVENTORY_PATH:-../../inventory}")
# shellcheck source=tests/integration/targets/setup_emulator/files/emulator_env.sh
source ../setup_emulator/files/emulator_env.sh
export_connection
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

play() {
  local playbook=$1
  shift
  ansible-playbook -i "$inventory" "contrast_security.identity.$playbook" "$@"
}
expect_failure() {  # expect_failure LOG TEXT -- PLAYBOOK ARGS...: the run fails and says TEXT
  local log=$1 text=$2
  shift 3
  if play "$@" >"$log" 2>&1; then cat "$log"; echo "expected a failure: $*"; exit 1; fi
  grep -qF -- "$text" "$log" || { cat "$log"; echo "expected '$text' in the output of: $*"; exit 1; }
}
python - "$control" <<'PY'
import json, sys, urllib.request
seed = {"users": [{"username": "ann@example.com", "first_name": "Ann", "last_name": "A", "role": "ROLE_EDIT"}],
        "groups": [{"name": "Platform", "members": []}]}
request = urllib.request.Request(sys.argv[1] + "/reset", data=json.dumps(seed).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
urllib.request.urlopen(request).read()
PY

# 1. One set of connection variables: contrast_ca_path (and contrast_validate_certs) reach every playbook's modules.
echo '[{"username": "ann@example.com"}]' >"$out/one.json"
for playbook in onboard offboard audit drift; do
  expect_failure "$out/ca-$playbook.log" "ca_path /nonexistent/ca.pem does not exist" -- \
    "$playbook" -e contrast_users_file="$out/one.json" -e contrast_ca_path=/nonexistent/ca.pem \
    -e contrast_validate_certs=false -e contrast_audit_report_dir="$out/reports"
done
echo "contrast_ca_path reaches onboard, offboard, audit and drift"

# 2. A relative contrast_users_file is relative to the current directory, for each playbook that reads one.
mkdir -p "$out/work"
cat >"$out/work/team.yml" <<'YAML'
contrast_onboard_users:
  - {username: ann@example.com, first_name: Ann, last_name: A, role: ROLE_EDIT}
YAML
(cd "$out/work" && play drift -e contrast_users_file=team.yml >"$out/drift.log" 2>&1) \
  || { cat "$out/drift.log"; echo "drift with a relative onboarding-shaped file failed"; exit 1; }
grep -q "Drift: 0 user(s)" "$out/drift.log" || { cat "$out/drift.log"; exit 1; }
(cd "$out/work" && play onboard -e contrast_users_file=team.yml --check >"$out/onboard.log" 2>&1) \
  || { cat "$out/onboard.log"; echo "onboard with a relative file failed"; exit 1; }
(cd "$out/work" && play offboard -e contrast_users_file=team.yml --check >"$out/offboard.log" 2>&1) \
  || { cat "$out/offboard.log"; echo "offboard with a relative file failed"; exit 1; }
grep -q "ann@example.com" "$out/offboard.log" || { cat "$out/offboard.log"; exit 1; }
(cd "$out/work" && play audit -e contrast_audit_report_dir=reports >"$out/audit.log" 2>&1) \
  || { cat "$out/audit.log"; echo "audit with a relative report directory failed"; exit 1; }
[[ -f $out/work/reports/access-report.html ]] || { cat "$out/audit.log"; echo "no report in $out/work/reports"; exit 1; }
grep -qF "HTML: $out/work/reports/access-report.html" "$out/audit.log" || { cat "$out/audit.log"; exit 1; }
echo "a relative contrast_users_file is read from, and a relative contrast_audit_report_dir written to, the current directory"

# 3. Not found, or the wrong shape: the error names the path looked at, or what the file holds and what is expected.
(cd "$out/work" && expect_failure "$out/missing.log" \
   "nope.yml was not found: looked for $out/work/nope.yml (a relative path is relative to the current directory" \
   -- drift -e contrast_users_file=nope.yml)
echo '"ann@example.com"' >"$out/work/string.yml"
printf 'people:\n  - ann@example.com\n' >"$out/work/people.yml"
(cd "$out/work" &&
 expect_failure "$out/shape1.log" "string.yml holds a string; expected a list of users (mappings with at least a username)" \
   -- drift -e contrast_users_file=string.yml &&
 expect_failure "$out/shape2.log" "people.yml holds a mapping with the key(s) people; expected a list of users" \
   -- onboard -e contrast_users_file=people.yml &&
 expect_failure "$out/shape3.log" "or a mapping with that list under contrast_offboard_users or users or contrast_onboard_users" \
   -- offboard -e contrast_users_file=people.yml)
echo "missing and wrongly shaped files are refused, naming the path and the shape expected"
