# The two commands: `make run` serves Storefeed with the demo; `make test` runs every check.
# Both create .venv on first use (Python 3.12+, found by scripts/find-python) and reinstall
# only when pyproject.toml or constraints.txt changed.
.PHONY: run worker test lint pytest env constraints clean

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || { PY=$$(scripts/find-python) && echo "Creating $(VENV) with $$PY" && $$PY -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

env: $(STAMP)

# Migrate, load the demo once, collect static files, run gunicorn and the worker (Ctrl-C stops).
run: $(STAMP)
	$(BIN)/storefeed serve

# A background worker alone, for a machine that runs only workers.
worker: $(STAMP)
	$(BIN)/storefeed worker

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint pytest

# Re-pin every installed package after changing dependencies in pyproject.toml.
constraints: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable > constraints.txt
	@touch $(STAMP)

clean:
	rm -rf $(VENV) var/test*.sqlite3*
