#!/usr/bin/env bash
# `make shell`: an interactive shell for working by hand against the emulator.
#
# In the shell: the venv is active (ansible-playbook, ansible-doc, ... on PATH), ANSIBLE_COLLECTIONS_PATH
# points at the collection copy that `make collection` refreshed (.tmp), and an emulator seeded with
# tests/emulator/seeds/demo.json is running, with CONTRAST_* exported (tests/utils/with_emulator.sh).
# Leaving the shell (exit, Ctrl-D) stops the emulator. SHELL_COMMAND runs a command instead of the
# interactive shell (used by the tests: SHELL_COMMAND='ansible-doc ...' make shell).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

if [[ ! -x $root/.venv/bin/python || ! -d $root/.tmp/ansible_collections/contrast_security/identity ]]; then
  echo "shell: run \`make shell\` (it prepares .venv and the collection copy first)" >&2
  exit 2
fi

export VIRTUAL_ENV="$root/.venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"
export PYTHON="$VIRTUAL_ENV/bin/python"
export ANSIBLE_COLLECTIONS_PATH="$root/.tmp"
export ANSIBLE_PYTHON_INTERPRETER="$VIRTUAL_ENV/bin/python"
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false

# Printed once the emulator listens (with_emulator.sh has exported CONTRAST_* by then): expanded later, by design.
# shellcheck disable=SC2016
banner='
echo "shell: venv $VIRTUAL_ENV active; ANSIBLE_COLLECTIONS_PATH=$ANSIBLE_COLLECTIONS_PATH"
echo "shell: emulator (demo data) at $CONTRAST_URL, CONTRAST_URL CONTRAST_USERNAME CONTRAST_SERVICE_KEY CONTRAST_API_KEY CONTRAST_ORG_UUID exported"
echo "shell: try  ansible-playbook contrast_security.identity.audit --check   (exit stops the emulator)"
'

if [[ -n ${SHELL_COMMAND:-} ]]; then
  # shellcheck disable=SC2016  # SHELL_COMMAND is expanded by the inner shell
  exec tests/utils/with_emulator.sh --seed tests/emulator/seeds/demo.json -- bash -c "$banner"'eval "$SHELL_COMMAND"'
fi
# An rc file that keeps the user's own ~/.bashrc, then restores the venv's PATH and says what is set.
rcfile=$(mktemp)
trap 'rm -f "$rcfile"' EXIT
{
  echo '[[ -f ~/.bashrc ]] && source ~/.bashrc'
  printf 'export PATH=%q\n' "$PATH"
  # shellcheck disable=SC2016  # expanded by the interactive shell
  echo 'PS1="(contrast-emulator) ${PS1:-\$ }"'
  echo "$banner"
} >"$rcfile"
tests/utils/with_emulator.sh --seed tests/emulator/seeds/demo.json -- bash --rcfile "$rcfile" -i
