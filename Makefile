# cleo-player: one command for the demo, one for all tests. Each installs what it needs.
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMP := $(VENV)/.installed

.PHONY: setup demo lab lint test test-fast chromium build clean

$(STAMP): pyproject.toml package.json package-lock.json
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	npm ci --no-audit --no-fund
	npm run build
	$(PY) -m pip install -q -e ".[test,dev]"
	@touch $@

## setup: Python venv (.venv), npm packages, JS bundle, cleo-player in editable mode
setup: $(STAMP)

## build: rebuild the JS bundle (after editing js/)
build: setup
	npm run build

## demo: run the tutorial simulation with a Player and write demo.html (standalone, offline)
demo: build
	$(PY) -m cleo_player.demo --out demo.html

## lab: open JupyterLab on the tutorials
lab: build
	$(VENV)/bin/jupyter lab notebooks/

## chromium: Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium)
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

## lint: ruff (lint and format check), mypy on src/, strict tsc on js/
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	npm run typecheck

## test: lint, the JS unit tests (vitest, js/tests), then every Python test (unit, notebooks, browser)
test: lint build chromium
	npm test
	$(PY) -m pytest

## test-fast: the tests that need no browser
test-fast: build
	$(PY) -m pytest -m "not browser"

clean:
	rm -rf $(VENV) node_modules src/cleo_player/static demo.html
