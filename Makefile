# Two commands for a newcomer: `make run` (the whole service with demo content) and `make test`.
# Both start with scripts/system-deps, which installs missing system packages when run as root
# and otherwise prints the exact command to run. The checkout may live in a path with spaces:
# recipes use paths relative to it and quote the rest.
PYTHON ?= $(shell scripts/system-deps --find-python)
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The code editor's bundle, built with npm from frontend/assets (committed lockfile) into a
# static file Django serves (not committed).
ASSETS := frontend/assets
NODE_STAMP := $(ASSETS)/node_modules/.installed
BUNDLE := frontend/static/frontend/build/editor.js
SYSTEM_DEPS = PYTHON="$(PYTHON)" scripts/system-deps
# `make test` skips the tests marked slow; `make test PYTEST_ARGS=` runs every test (CI does);
# e.g. `make test PYTEST_ARGS="tests/config -x"` runs a subset. The selected tests run on
# SQLite; then those of them marked `postgres` (every test of tests/integration, and the races
# marked so) run again on a throwaway PostgreSQL cluster (tests/postgres.py).
PYTEST_ARGS ?= -m "not slow"

# Each step needs the one before it (system packages, then the venv, then the command).
.NOTPARALLEL:
.PHONY: run test lint format install benchmarks system-deps-run system-deps-test

# A .venv left without pip (e.g. by `python3.11 -m venv` failing for want of ensurepip) is rebuilt.
$(STAMP): pyproject.toml
	$(SYSTEM_DEPS) venv
	$(VPY) -m pip --version >/dev/null 2>&1 || "$(PYTHON)" -m venv --clear $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet torch==2.13.0
	$(VPY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# node_modules is installed afresh (npm ci) when the lockfile changes; the bundle is rebuilt when
# the build script or a source file changes (or when it is missing).
$(NODE_STAMP): $(ASSETS)/package-lock.json $(ASSETS)/package.json
	$(SYSTEM_DEPS) assets
	cd $(ASSETS) && npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

$(BUNDLE): $(NODE_STAMP) $(ASSETS)/build.mjs $(wildcard $(ASSETS)/src/*.js)
	cd $(ASSETS) && npm run build

install: $(STAMP) $(BUNDLE)

system-deps-run:
	$(SYSTEM_DEPS) run

system-deps-test:
	$(SYSTEM_DEPS) test

run: system-deps-run install
	$(VPY) -m config.devstack

test: system-deps-test install
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .
	$(VPY) -m pytest $(PYTEST_ARGS)
	$(VPY) -m pytest --postgres-marked-only $(PYTEST_ARGS)

lint: install
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .

format: install
	$(VPY) -m ruff format .
	$(VPY) -m ruff check --fix .

# `make benchmarks BENCH_ARGS="--quick"` for a short run; `--help` lists the options.
benchmarks: install
	$(VPY) benchmarks/run.py $(BENCH_ARGS)
