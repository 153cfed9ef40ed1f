#!/usr/bin/env bash
# `make demo`: run the demo playbooks against a seeded Contrast API emulator.
#
# Expects the venv (.venv) and the collection copy (.tmp/ansible_collections/...) that
# `make venv collection` prepare. Starts the emulator with tests/emulator/seeds/demo.json
# (when present), exports CONTRAST_* (the modules' env fallbacks), runs each playbook in
# $DEMO_PLAYBOOKS that exists, and stops the emulator on exit (tests/utils/with_emulator.sh).
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

playbooks=()
for playbook in ${DEMO_PLAYBOOKS:-playbooks/demo.yml}; do
  if [[ -f $playbook ]]; then
    playbooks+=("$playbook")
  else
    echo "demo: $playbook does not exist yet, skipped"
  fi
done
if [[ ${#playbooks[@]} -eq 0 ]]; then
  echo "demo: no demo playbook to run"
  exit 0
fi

emulator_args=()
if [[ -f tests/emulator/seeds/demo.json ]]; then
  emulator_args+=(--seed tests/emulator/seeds/demo.json)
fi

run_playbooks() {
  local playbook
  for playbook in "$@"; do
    echo "demo: ansible-playbook $playbook"
    ansible-playbook "$playbook"
  done
}
export -f run_playbooks

tests/utils/with_emulator.sh "${emulator_args[@]}" -- bash -c 'run_playbooks "$@"' demo "${playbooks[@]}"
