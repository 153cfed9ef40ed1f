# Build and test harness for the contrast_security.identity collection.
# The repository root is the collection root; ansible-test needs it under
# ansible_collections/<namespace>/<name>, so most targets run in a copy of the
# working tree at $(COLL) (refreshed by `make collection`).
#
#   make demo    set up everything, start the emulator, run the demo playbook(s)
#   make test    set up everything and run every check and test (what CI runs)
#   make help    list the targets

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
# The test sequence is ordered (fail fast); never run it in parallel.
.NOTPARALLEL:
MAKEFLAGS += --no-builtin-rules

ROOT := $(abspath .)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
PYTHON_VERSION ?= 3.11
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-dev.stamp
EDA_STAMP := $(VENV)/.requirements-eda.stamp
# apt-get needs root: sudo when not root (a CI runner), nothing when root (a container).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
TMP := $(ROOT)/.tmp
COLLECTIONS_PATH := $(TMP)
COLL := $(COLLECTIONS_PATH)/ansible_collections/contrast_security/identity
DIST := $(TMP)/dist
# Integration targets (and extra ansible-test options), e.g. make integration TARGETS=contrast_user_info
TARGETS ?=
# API dialects the emulator speaks, one integration pass each (side by side, tests/integration/run_dialects.sh)
# and one molecule pass each (docs/dialects.md), e.g. make integration DIALECTS=teamserver
DIALECTS ?= guide teamserver
# Targets left out of the teamserver pass: dialect_teamserver and reliability_permissions switch the
# emulator to each dialect themselves, reliability_tls tests the transport, reliability_bad_input the
# validation that precedes any request and playbook_conventions the playbooks' variables and file loading:
# dialects play no part in those three.
TEAMSERVER_EXCLUDE ?= --exclude dialect_teamserver --exclude reliability_permissions --exclude reliability_tls \
                      --exclude reliability_bad_input --exclude playbook_conventions
# The pass whose whole output, at -vvvv, is kept and searched for the API key, the service key and the
# Authorization value (tests/integration/run.py --scan-secrets); empty to skip.
SCAN_SECRETS ?= guide
# Extra options for ansible-test sanity, e.g. make sanity SANITY_ARGS='--test pep8'
SANITY_ARGS ?=
UNITS_ARGS ?=

export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS_PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv bootstrap collection sanity units integration lint molecule build \
        docs-lint changelog-lint importer ee-check awx-runner-test eda-setup eda-test test demo shell examples browser \
        bench clean distclean

help:
	@echo "make demo            set up, start the emulator, run the demo playbook(s)"
	@echo "make shell           a shell with the venv active, the collection found and an emulator running (CONTRAST_* set)"
	@echo "make test            venv bootstrap collection sanity units integration lint examples molecule browser demo build docs-lint changelog-lint importer ee-check awx-runner-test eda-test"
	@echo "make venv            .venv with the pinned toolchain (requirements-dev.txt)"
	@echo "make bootstrap       offline pip bootstrap script for ansible-test (never overwrites)"
	@echo "make collection      copy the working tree to $(COLL)"
	@echo "make sanity          ansible-test sanity          (SANITY_ARGS=...)"
	@echo "make units           ansible-test units           (UNITS_ARGS=...)"
	@echo "make integration     ansible-test integration against the emulator, once per dialect (TARGETS=..., DIALECTS=...)"
	@echo "make lint            ansible-lint, production profile, offline"
	@echo "make examples        every documented example (EXAMPLES blocks, README snippets) run against the emulator"
	@echo "make molecule        molecule test for every roles/*/molecule/* scenario, once per dialect (DIALECTS=...)"
	@echo "make browser         the audit scenario's HTML reports rendered in headless Chromium (after make molecule)"
	@echo "make build           ansible-galaxy collection build into $(DIST)"
	@echo "make docs-lint       antsibull-docs lint-collection-docs --plugin-docs"
	@echo "make changelog-lint  antsibull-changelog lint"
	@echo "make importer        galaxy-importer on the built tarball (what Galaxy runs on upload)"
	@echo "make ee-check        ansible-builder create + introspect for the execution environment"
	@echo "make awx-runner-test AWX extensions checks, then the AWX jobs through ansible-runner against the emulator"
	@echo "make eda-test        the contrast_users event source and contrast_guard rulebook through ansible-rulebook, both dialects"
	@echo "make bench           the performance cases of docs/performance.md with their ratios (not part of make test; BENCH_ARGS=...)"
	@echo "make clean           remove .tmp and test output; make distclean also removes .venv"

# --- set-up ---------------------------------------------------------------

venv: $(STAMP)

$(STAMP): requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "no python3.11 or python3 on PATH" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# ansible-test bootstraps pip in its venvs with ~/.ansible/test/cache/get_pip_<pip version>.py,
# downloaded from a host that is unreachable offline. Put the offline stand-in there when missing.
bootstrap: venv
	@version=$$($(BIN)/python -c 'import types; from ansible_test._internal.python_requirements import get_venv_packages; print(get_venv_packages(types.SimpleNamespace(version="$(PYTHON_VERSION)"))["pip"])'); \
	dest="$$HOME/.ansible/test/cache/get_pip_$${version//./_}.py"; \
	if [[ -e $$dest ]]; then \
	  echo "bootstrap: $$dest exists, kept"; \
	else \
	  mkdir -p "$$(dirname "$$dest")"; \
	  cp tests/utils/get_pip_offline.py "$$dest"; \
	  echo "bootstrap: installed the offline pip $$version bootstrap at $$dest"; \
	fi
# ansible-test makes ~/.ansible/test/id_rsa on first use. The integration passes start side by side: on an
# empty HOME both would make it, and the second ssh-keygen asks "Overwrite (y/n)?" with no terminal and
# fails. Make it once here, as ansible-test does (core_ci.SshKey), before any pass starts.
	@key="$$HOME/.ansible/test/id_rsa"; \
	if [[ -f $$key && -f $$key.pub ]]; then \
	  echo "bootstrap: $$key exists, kept"; \
	elif [[ -f $$key ]]; then \
	  ssh-keygen -y -f "$$key" >"$$key.pub"; echo "bootstrap: wrote the missing $$key.pub"; \
	else \
	  mkdir -p "$$(dirname "$$key")"; rm -f "$$key.pub"; \
	  ssh-keygen -m PEM -q -t rsa -N '' -f "$$key"; \
	  sed -i -E 's/(BEGIN|END) PRIVATE KEY/\1 RSA PRIVATE KEY/' "$$key"; \
	  echo "bootstrap: made the ansible-test SSH key pair $$key"; \
	fi

collection:
	$(PYTHON) tests/utils/sync_collection.py $(ROOT) $(COLL)

# --- checks and tests -----------------------------------------------------

sanity: bootstrap collection
	cd $(COLL) && ansible-test sanity --venv --python $(PYTHON_VERSION) $(SANITY_ARGS)

units: bootstrap collection
	@if [[ -z "$$(find $(COLL)/tests/unit -name 'test_*.py' -print -quit 2>/dev/null)" ]]; then \
	  echo "units: no unit tests under tests/unit, nothing to run"; \
	else \
	  cd $(COLL) && ansible-test units --local --python $(PYTHON_VERSION) $(UNITS_ARGS); \
	fi
# The emulator's own tests (tests/unit/emulator is not a plugin path, so ansible-test does not collect it).
	@if [[ -z "$(UNITS_ARGS)" ]]; then \
	  cd $(COLL) && $(BIN)/python -m pytest -q -p no:cacheprovider tests/unit/emulator; \
	fi

integration: bootstrap collection
	@if [[ -z "$$(find $(COLL)/tests/integration/targets -mindepth 2 -maxdepth 2 -name aliases -print -quit 2>/dev/null)" ]]; then \
	  echo "integration: no targets under tests/integration/targets, nothing to run"; \
	else \
	  PYTHON=$(BIN)/python SCAN_SECRETS="$(SCAN_SECRETS)" tests/integration/run_dialects.sh $(ROOT) $(COLL) $(PYTHON_VERSION) "$(DIALECTS)" \
	    "$(TEAMSERVER_EXCLUDE)" $(TARGETS); \
	fi

lint: venv collection
	ansible-lint

# Each scenario runs in the collection copy, under the emulator (CONTRAST_* exported), with
# ANSIBLE_COLLECTIONS_PATH pointing at the copy, once per dialect, the dialect passes side by side
# (tests/utils/molecule_dialects.sh). The audit's 10,000-user part runs in the guide pass only.
molecule: venv collection
	PYTHON=$(BIN)/python tests/utils/molecule_dialects.sh $(COLL) "$(DIALECTS)"

build: venv collection
	mkdir -p $(DIST)
	ansible-galaxy collection build $(COLL) --output-path $(DIST) --force

docs-lint: venv collection
	cd $(COLL) && antsibull-docs lint-collection-docs --plugin-docs .

changelog-lint: venv
	antsibull-changelog lint

# What Galaxy runs on upload, offline and without ansible-test.
# Runs in .tmp: galaxy-importer writes importer_result.json to the current directory.
# galaxy-importer exits 0 after logging many errors (an ansible-doc failure, for one), so any
# `ERROR:` or `CRITICAL:` line in its output fails the target too (log: .tmp/galaxy-importer.log).
importer: build
	printf '%s\n' '[galaxy-importer]' 'RUN_ANSIBLE_TEST = False' 'OFFLINE_ANSIBLE_LINT = True' \
	  'CHECK_CHANGELOG = True' 'CHECK_REQUIRED_TAGS = True' >$(TMP)/galaxy-importer.cfg
	tarball=$(DIST)/contrast_security-identity-$$(sed -n 's/^version: *//p' galaxy.yml).tar.gz; \
	cd $(TMP) && GALAXY_IMPORTER_CONFIG=$(TMP)/galaxy-importer.cfg python -m galaxy_importer.main "$$tarball" \
	  | tee $(TMP)/galaxy-importer.log
	@if grep -Eq '^(ERROR|CRITICAL):' $(TMP)/galaxy-importer.log; then \
	  echo "importer: galaxy-importer reported errors:" >&2; grep -E '^(ERROR|CRITICAL):' $(TMP)/galaxy-importer.log >&2; exit 1; \
	fi; \
	echo "importer: no errors ($$(grep -c '^WARNING:' $(TMP)/galaxy-importer.log || true) warning lines)"

# The execution environment: ansible-builder create (build context for extensions/ee/, with the
# built tarball) and ansible-builder introspect (requests from meta/execution-environment.yml).
ee-check: build
	tarball=$(DIST)/contrast_security-identity-$$(sed -n 's/^version: *//p' galaxy.yml).tar.gz; \
	python tests/awx/ee_check.py --tarball "$$tarball" --context $(TMP)/ee-context --collections $(COLLECTIONS_PATH)

# AWX: static checks of extensions/awx (credential type, surveys against the role argument specs,
# the registration playbook against a stub awx.awx), then the job templates' playbooks through
# ansible-runner from a private data dir whose env/envvars come from the credential type's
# injectors, against the emulator, with the built tarball installed as the EE would have it.
awx-runner-test: build
	python tests/awx/check_awx_extensions.py --work $(TMP)/awx-check
	tarball=$(DIST)/contrast_security-identity-$$(sed -n 's/^version: *//p' galaxy.yml).tar.gz; \
	python tests/awx/run_awx_style.py --tarball "$$tarball" --work $(TMP)/awx-runner

# Event-Driven Ansible: ansible-rulebook (requirements-eda.txt) and a Java 17+ runtime (the distribution's default
# one, installed when java is missing or older).
eda-setup: $(EDA_STAMP)
	@if command -v java >/dev/null 2>&1 && java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then \
	  echo "eda-setup: $$(java -version 2>&1 | head -1)"; \
	else \
	  echo "eda-setup: no Java 17+ on PATH; installing the distribution's default-jre-headless"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; \
	fi

$(EDA_STAMP): requirements-eda.txt $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-eda.txt
	touch $@

# tests/eda/run_guard.py: the built collection installed as a decision environment has it, the emulator,
# ansible-rulebook with the contrast_guard rulebook; both dialects side by side (output under
# .tmp/eda/<dialect>/output, secrets-scanned); the guide pass then runs contrast_watch against a local webhook.
# The source's unit tests run in `make units`.
eda-test: eda-setup build
	tarball=$(DIST)/contrast_security-identity-$$(sed -n 's/^version: *//p' galaxy.yml).tar.gz; \
	pids=(); for dialect in $(DIALECTS); do \
	  watch=(); [[ $$dialect == guide ]] && watch=(--watch); \
	  python tests/eda/run_guard.py --tarball "$$tarball" --work $(TMP)/eda --dialect $$dialect "$${watch[@]}" & pids+=($$!); \
	done; \
	status=0; for pid in "$${pids[@]}"; do wait $$pid || status=1; done; exit $$status

test: venv bootstrap collection sanity units integration lint examples molecule browser demo build docs-lint \
      changelog-lint importer ee-check awx-runner-test eda-test
	@echo "make test: all checks passed"

# The documentation's examples (every module's and filter's EXAMPLES, the README playbook snippets and
# playbook commands) run against the emulator, inside `make shell` (tests/docs/run_examples.py).
examples: venv collection
	SHELL_COMMAND='python tests/docs/run_examples.py' bash tests/utils/shell.sh

# The HTML reports the audit molecule scenario wrote (.tmp/audit-html/, so after `make molecule`) rendered in
# headless Chromium at desktop width and in print mode: screenshots and PDFs in .tmp/browser/; fails on a
# console error, a CSP violation, a blocked or outside load, an empty section or a table wider than the page.
# Chromium comes from the distribution's packages when missing (about 3 minutes, as root).
browser: venv
	@if ! command -v chromium >/dev/null && ! command -v chromium-headless-shell >/dev/null && [[ -z "$${CHROME_BIN:-}" ]]; then \
	  echo "browser: no Chromium; installing the distribution's package (apt-get install -y chromium)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi
	@shopt -s nullglob; reports=($(TMP)/audit-html/*/*.html); \
	if [[ $${#reports[@]} -eq 0 ]]; then echo "browser: no report in $(TMP)/audit-html/: run make molecule first" >&2; exit 1; fi; \
	rm -rf $(TMP)/browser; \
	python tests/utils/check_html_reports.py --self-test --out $(TMP)/browser "$${reports[@]}"

# --- demo -----------------------------------------------------------------

# The performance cases of docs/performance.md, each against its baseline (bare requests, the roster, a listing),
# with the ratios and targets printed. Minutes, not part of `make test`. E.g. make bench BENCH_ARGS='--only onboard'
BENCH_ARGS ?=
bench: venv collection
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

demo: venv collection
	bash tests/utils/demo.sh

# An interactive shell for working by hand: the venv active, the collection copy on
# ANSIBLE_COLLECTIONS_PATH, an emulator with the demo data running and CONTRAST_* exported;
# the emulator stops when the shell exits.
shell: venv collection
	bash tests/utils/shell.sh

# --- housekeeping ---------------------------------------------------------

clean:
	rm -rf $(TMP) tests/output .pytest_cache .coverage .ansible
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
