# Two commands for a newcomer: `make run` (the whole service with demo content) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format install benchmarks

$(STAMP): pyproject.toml
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet torch==2.13.0
	$(VPY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VPY) -m config.devstack

test: install
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .
	$(VPY) -m pytest

lint: install
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .

format: install
	$(VPY) -m ruff format .
	$(VPY) -m ruff check --fix .

benchmarks: install
	for bench in benchmarks/bench_*.py; do $(VPY) $$bench || exit 1; done
