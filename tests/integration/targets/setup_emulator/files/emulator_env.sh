# shellcheck shell=bash disable=SC2034  # the variables set here are the sourcing script's
# Sourced by the script targets (runme.sh) that talk to the emulator; their aliases carry
# needs/target/setup_emulator, without which ansible-test does not copy this file beside them.
#
# Reads the integration config that tests/integration/run.py wrote for this run (the emulator's URLs and
# default credentials) into shell variables of the same names: contrast_url, contrast_control_url,
# contrast_username, contrast_service_key, contrast_api_key, contrast_org_uuid, contrast_emulator_dialect.
# Also sets emulator_config (the config's path), control (= contrast_control_url) and authorization (the
# Authorization value, base64 of username:service_key), and defines:
#   export_connection           export CONTRAST_URL, _USERNAME, _SERVICE_KEY, _API_KEY, _ORG_UUID from them
#                               (the connection an admin's environment, or an AWX credential, gives the playbooks)
#   check_no_secrets FILE...    fail, naming each secret found (never its value), when a file that exists holds
#                               the API key, the service key or the Authorization value

emulator_config=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/integration_config.yml
[[ -f $emulator_config ]] || { echo "no $emulator_config: run the targets through make integration"; exit 1; }
{
  read -r contrast_url; read -r contrast_control_url; read -r contrast_username; read -r contrast_service_key
  read -r contrast_api_key; read -r contrast_org_uuid; read -r contrast_emulator_dialect
} < <(python - "$emulator_config" <<'PY'
import sys, yaml
with open(sys.argv[1], encoding="utf-8") as handle:
    config = yaml.safe_load(handle)
for key in ("contrast_url", "contrast_control_url", "contrast_username", "contrast_service_key", "contrast_api_key",
            "contrast_org_uuid", "contrast_emulator_dialect"):
    print(config.get(key, ""))
PY
)
control=$contrast_control_url
authorization=$(printf '%s:%s' "$contrast_username" "$contrast_service_key" | base64 -w0)

export_connection() {
  export CONTRAST_URL=$contrast_url CONTRAST_USERNAME=$contrast_username CONTRAST_SERVICE_KEY=$contrast_service_key \
    CONTRAST_API_KEY=$contrast_api_key CONTRAST_ORG_UUID=$contrast_org_uuid
}

check_no_secrets() {
  local file secret leaks=0
  for file in "$@"; do
    [[ -f $file ]] || continue
    for secret in "$contrast_api_key" "$contrast_service_key" "$authorization"; do
      if grep -qF -- "$secret" "$file"; then
        echo "LEAK: a secret (${#secret} characters, starting ${secret:0:4}) appears in $(basename "$file"):"
        grep -nF -- "$secret" "$file" | sed "s/$secret/<SECRET>/g" | head -5
        leaks=$((leaks + 1))
      fi
    done
  done
  [[ $leaks -eq 0 ]]
}
