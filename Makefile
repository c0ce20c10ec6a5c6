# The two commands: `make run` serves Storefeed with the demo; `make test` runs every check.
.PHONY: run test lint env clean

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

$(STAMP): pyproject.toml constraints.txt
	@PY=$$(scripts/find-python) && echo "Creating $(VENV) with $$PY" && $$PY -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

env: $(STAMP)

run: $(STAMP)
	$(BIN)/storefeed serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var/test*.sqlite3*
