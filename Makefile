# Two entry points: `make demo` runs the service on demo data, `make test` runs every
# check. Both set up their own virtual environment first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ITEMS ?= 2000
PORT ?= 8000

.PHONY: setup demo test lint typecheck pytest clean

$(BIN)/graphsvc: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/graphsvc

demo: setup
	$(BIN)/graphsvc demo --items $(ITEMS) --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
