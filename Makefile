# The one interface: the README, CI and pre-commit call these targets.
# Settings (never code) come from the environment: TF_PLUGIN_DIR, AUTOSCALE_TARGET, CI, … (see README).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# -O: without the bindings' run-time type checks (cli/synth.py says why; `python main.py` re-executes so)
SYNTH := $(PY) -O main.py
CHECKOV_VENV := .venv-checkov
ENV ?= dev
ENVIRONMENTS := dev staging prod account  # account: the account-level stack set (total budget, anomalies)
# ENV, TO, BASE, CONFIRM, LOCK_ID and IMPORT are the user's text: they reach the recipes as environment
# variables, quoted there ("$$AUTOSCALE_ENV"), never pasted into shell text; $(value …) keeps make
# from expanding them, and `unexport` from expanding them to export the command line's values to the recipes.
unexport ENV TO BASE CONFIRM LOCK_ID IMPORT
# ALLOW_REPLACE (addresses a prod plan may delete or replace, cli/plan_guard.py) keeps its name, raw too.
override export ALLOW_REPLACE := $(value ALLOW_REPLACE)
export AUTOSCALE_ENV := $(value ENV)
export AUTOSCALE_TO := $(value TO)
export AUTOSCALE_BASE := $(value BASE)
export AUTOSCALE_CONFIRM := $(value CONFIRM)
export AUTOSCALE_LOCK_ID := $(value LOCK_ID)
export AUTOSCALE_IMPORT := $(value IMPORT)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: help setup prerequisites synth validate gate cost cost-diff cost-update bootstrap plan apply rollback drift unlock destroy test test-fast lint typecheck bench reference snapshot-update discover emulator-stop clean check-env

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

prerequisites: ## check Python, Node.js and Terraform versions
	@$(PYTHON) scripts/check_prerequisites.py

JSII_WARM := .cache/jsii/.warm

$(VENV)/.installed: requirements.txt
	@$(PYTHON) scripts/check_prerequisites.py
	@echo "setup: creating $(VENV) (CDKTF, pydantic, pytest, moto, ruff, mypy)"
	@$(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@echo "setup: compiling optimized bytecode (synthesis runs under python -O, see docs/fast-synth.md)"
	@$(PY) -O -m compileall -q -j 0 "$$($(PY) -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" >/dev/null
	@touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	@$(PYTHON) scripts/check_prerequisites.py
	@echo "setup: creating $(CHECKOV_VENV) (checkov and the IAM analysers parliament, cloudsplaining; their pins clash with pytest's)"
	@$(PYTHON) -m venv $(CHECKOV_VENV)
	@$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

# The first synthesis extracts and indexes the AWS bindings in the project's jsii cache and
# makes their JavaScript entry lazy (cli/jsii_cache.py); every later one starts warm.
$(JSII_WARM): $(VENV)/.installed
	@echo "setup: warming the jsii package cache (first synthesis)"
	@$(SYNTH) --force >/dev/null
	@touch $@

setup: $(VENV)/.installed $(CHECKOV_VENV)/.installed $(JSII_WARM) ## create both virtual environments and warm the jsii cache

check-env:
	@for known in $(ENVIRONMENTS); do [[ "$$AUTOSCALE_ENV" == "$$known" ]] && exit 0; done; \
	echo "error: ENV must be one of: $(strip $(ENVIRONMENTS)) (got '$$AUTOSCALE_ENV')" >&2; exit 2

# ENV given (command line or environment): that environment only; otherwise all of them.
ENV_ARGS = $(if $(filter-out file,$(origin ENV)),$(if $(value ENV),--env="$$AUTOSCALE_ENV"))

synth: setup ## synthesize every stack set (or ENV=…) into cdktf.out/; each one skipped while its inputs are unchanged
	@$(SYNTH) $(ENV_ARGS) $(SYNTH_ARGS)

validate: synth ## terraform init (no backend) + validate of every stack
	@$(PY) -m cli validate

gate: synth ## checkov policy gate on the synthesized JSON of every stack
	@$(PY) -m cli gate

cost: synth ## estimated monthly cost (all environments, or ENV=…): table; gate JSON and reports in .work/cost/<env>/
	@$(PY) -m cli cost $(ENV_ARGS)

cost-diff: synth ## monthly floor and ceiling per environment (or ENV=…) at git revision BASE vs. this tree, and what moved them; Markdown in .work/cost/diff.md
	@$(PY) -m cli cost-diff --base="$$AUTOSCALE_BASE" $(ENV_ARGS)

cost-update: synth ## after the stacks change: budgets (and caps) from the estimate, the cost table of docs/cost.md
	@$(PY) -m cli cost --update
	@$(SYNTH)

reference: setup ## regenerate docs/configuration-reference.md and the shipped-values table of docs/configuration.md
	@$(PY) -m cli reference

snapshot-update: synth ## after a reviewed change of the stacks: rewrite tests/snapshots/ (a test compares them)
	@$(PY) -m cli snapshot-update

bootstrap: check-env setup ## synth → gate → plan -out → show (the diff) → secrets, prod replacements (ALLOW_REPLACE=…) → gate → apply that plan → its state moved into the bucket it made: the state bucket and CI roles of ENV
	@$(SYNTH) --env="$$AUTOSCALE_ENV" --env=account
	@$(PY) -m cli bootstrap --env="$$AUTOSCALE_ENV"

plan: check-env setup ## synth → gate → cost gate → init → plan -out → show -json → orphans (IMPORT=yes adopts them) → secrets, prod replacements (ALLOW_REPLACE=…) → gate → summary and timings, for ENV
	@$(PY) -m cli plan --env="$$AUTOSCALE_ENV" $(if $(value IMPORT),--import="$$AUTOSCALE_IMPORT")

apply: check-env setup ## apply the saved, gated plan of ENV (refuses a missing, stale, old, ungated or other-revision one)
	@$(PY) -m cli apply --env="$$AUTOSCALE_ENV"

rollback: check-env setup ## synth → gate → cost gate → plan → safe apply of git revision TO (a ref, or TO=previous) for ENV
	@$(SYNTH) --env="$$AUTOSCALE_ENV" --env=account
	@$(PY) -m cli rollback --env="$$AUTOSCALE_ENV" --to="$$AUTOSCALE_TO"

drift: check-env setup ## refresh-only plan of ENV: fails with a summary when the real infrastructure drifted
	@$(SYNTH) --env="$$AUTOSCALE_ENV"
	@$(PY) -m cli drift --env="$$AUTOSCALE_ENV"

unlock: check-env setup ## release ENV's stale state lock LOCK_ID (a plan or apply that meets it prints the id); refused while its holder runs here
	@$(PY) -m cli unlock --env="$$AUTOSCALE_ENV" --lock-id="$$AUTOSCALE_LOCK_ID"

destroy: check-env setup ## destroy ENV's stack, only with CONFIRM=<ENV>; the state bucket stays
	@$(SYNTH) --env="$$AUTOSCALE_ENV"
	@$(PY) -m cli destroy --env="$$AUTOSCALE_ENV" --confirm="$$AUTOSCALE_CONFIRM"

discover: check-env setup ## inventory the account of ENV read-only: table, JSON, draft YAML, import blocks
	@$(PY) -m cli discover --env="$$AUTOSCALE_ENV"

emulator-stop: setup ## stop the local AWS emulator started by plan/apply
	@$(PY) -m cli emulator stop

# pytest-xdist: three workers per core, as the integration tests mostly wait (on the provider's
# polling; measured on 2 cores: 907 tests, 42 min with 2 workers, 24 min with 4; 1,063 tests with 4
# workers, 25 min, the CPUs 38 % idle); a module's tests that
# share a module-scoped fixture (an emulator, a synthesized variant) stay on one worker
# (tests/conftest.py), the rest are balanced. `--no-loadscope-reorder`: groups go out in the
# collection's order, the longest modules first, and a quick group is queued behind a long one
# (tests/scheduling.py), not xdist's default (the groups with the most tests first).
# PYTEST_ARGS: more options, e.g. `--random-order-bucket=module --random-order-seed=N` (what CI runs).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) * 3 )))
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder $(PYTEST_ARGS)

test: setup ## the whole test suite, integration tests included (TEST_WORKERS: three per core); the slowest 20 listed
	@$(PYTEST) --durations=20

test-fast: setup ## the tests that need neither terraform nor the emulator
	@$(PYTEST) -m "not integration"

lint: setup ## ruff, and actionlint on .github/workflows (it runs shellcheck on `run:` steps when shellcheck is installed)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/actionlint

typecheck: setup ## mypy --strict
	@$(VENV)/bin/mypy .

bench: setup ## synth wall time and peak memory: inputs changed, unchanged, plain import
	@$(PY) -m cli.bench

clean: ## remove build output, working data, reports and the emulator (keeps the virtual environments)
	@-$(PY) -m cli emulator stop 2>/dev/null
	@rm -rf cdktf.out .work reports .emulator
