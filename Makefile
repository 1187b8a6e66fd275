# Quick start: `make demo` then `make test`. Each target installs what it needs first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(shell command -v uv 2>/dev/null)
ARGS ?=

.PHONY: install demo serve test lint bench clean

install: $(VENV)/.installed
	@bash scripts/install-system.sh

$(VENV)/.installed: pyproject.toml uv.lock
	@if [ -z "$(UV)" ] && ! command -v uv >/dev/null; then python3 -m pip install --quiet uv; fi
	@uv sync --frozen --quiet
	@touch $@

demo: install
	$(VENV)/bin/singlewindow demo $(ARGS)

serve: install
	$(VENV)/bin/singlewindow demo --serve $(ARGS)

test: install
	bash scripts/run-tests.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
