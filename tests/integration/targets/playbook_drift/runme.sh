#!/usr/bin/env bash
# The drift playbook, run by its FQCN: it reports drift, sends no write, and fails on drift when asked.
set -euo pipefail

# shellcheck source=tests/integration/targets/setup_emulator/files/emulator_env.sh
source ../setup_emulator/files/emulator_env.sh
export_connection
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

http() { python - "$@" <<'PY'
import json, sys, urllib.request
method, url = sys.argv[1], sys.argv[2]
data = sys.argv[3].encode() if len(sys.argv) > 3 else None
req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
print(urllib.request.urlopen(req).read().decode())
PY
}
writes() { http GET "$control/requests" | python -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin)["requests"] if r["method"] != "GET"))'; }

http POST "$control/reset" '{"users": [
  {"username": "ann@example.com", "first_name": "Ann", "last_name": "A", "role": "ROLE_EDIT"},
  {"username": "ben@example.com", "first_name": "Ben", "last_name": "B", "role": "ROLE_VIEW"}],
  "groups": [{"name": "Platform", "members": []}]}' >/dev/null
cat >"$out/roster.yml" <<'YAML'
users:
  - {username: ann@example.com, role: ROLE_ADMIN, groups: [Platform]}
  - {username: cy@example.com, first_name: Cy, last_name: C, role: ROLE_VIEW}
YAML
http DELETE "$control/requests" >/dev/null

# 1. Drift is reported and nothing is written.
ansible-playbook -i "${INVENTORY_PATH:-../../inventory}" contrast_security.identity.drift -e contrast_roster_file="$out/roster.yml" >"$out/run1.log" 2>&1 \
  || { cat "$out/run1.log"; echo "drift run failed"; exit 1; }
grep -q "Drift: 3 user(s) differ from the roster" "$out/run1.log" || { cat "$out/run1.log"; echo "drift not reported"; exit 1; }
for entry in "ann@example.com: update" "cy@example.com: create" "ben@example.com: disable"; do
  grep -q "$entry" "$out/run1.log" || { cat "$out/run1.log"; echo "drift entry missing: $entry"; exit 1; }
done
[[ $(writes) -eq 0 ]] || { echo "the drift playbook wrote to the API"; exit 1; }

# 2. Asked to fail on drift, it fails; still no write.
if ansible-playbook -i "${INVENTORY_PATH:-../../inventory}" contrast_security.identity.drift -e contrast_roster_file="$out/roster.yml" \
     -e contrast_drift_fail_on_drift=true >"$out/run2.log" 2>&1; then
  cat "$out/run2.log"; echo "expected a failure on drift"; exit 1
fi
grep -q "has drifted from the roster" "$out/run2.log" || { cat "$out/run2.log"; exit 1; }
[[ $(writes) -eq 0 ]] || { echo "the drift playbook wrote to the API"; exit 1; }

# 3. A roster that matches: no drift, and fail_on_drift passes.
cat >"$out/match.yml" <<'YAML'
- {username: ann@example.com, role: ROLE_EDIT}
- {username: ben@example.com}
YAML
ansible-playbook -i "${INVENTORY_PATH:-../../inventory}" contrast_security.identity.drift -e contrast_roster_file="$out/match.yml" \
  -e contrast_drift_fail_on_drift=true >"$out/run3.log" 2>&1 || { cat "$out/run3.log"; echo "no-drift run failed"; exit 1; }
grep -q "Drift: 0 user(s)" "$out/run3.log" || { cat "$out/run3.log"; exit 1; }

# 4. No roster at all: a clear error.
if ansible-playbook -i "${INVENTORY_PATH:-../../inventory}" contrast_security.identity.drift >"$out/run4.log" 2>&1; then
  echo "expected a failure without a roster"; exit 1
fi
grep -q "Give the roster as contrast_roster_users" "$out/run4.log" || { cat "$out/run4.log"; exit 1; }
echo "drift playbook: reports, writes nothing, fails on drift when asked"
