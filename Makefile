# Two entry points: `make demo` runs the service on demo data, `make test` runs every
# check. Both set up their own virtual environment first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# ITEMS is the size of a new demo (2000 when unset); demo-data/ keeps its own size.
ITEMS ?=
PORT ?= 8000

EXPLORER := graphsvc/explorer
EXPLORER_SOURCES := $(wildcard $(EXPLORER)/web/src/*.* $(EXPLORER)/web/src/*/*.*) \
	$(EXPLORER)/web/package.json $(EXPLORER)/web/package-lock.json $(EXPLORER)/web/build.mjs

.PHONY: setup demo test lint typecheck pytest clean explorer node chromium

$(BIN)/graphsvc: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/graphsvc

# The explorer's bundle, from npm packages pinned in its package-lock.json.
explorer: $(EXPLORER)/static/index.html

$(EXPLORER)/static/index.html: $(EXPLORER_SOURCES) | node
	cd $(EXPLORER)/web && npm ci --no-audit --no-fund && npm run build
	touch $@

node:
	@command -v npm >/dev/null || (apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm)

# The browser test drives Debian's Chromium.
chromium:
	@test -x /usr/bin/chromium || (apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

demo: setup explorer
	$(BIN)/graphsvc demo $(if $(ITEMS),--items $(ITEMS)) --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

pytest: setup explorer chromium
	$(BIN)/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
	rm -rf $(EXPLORER)/static $(EXPLORER)/web/node_modules
