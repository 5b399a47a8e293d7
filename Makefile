# portmeet: `make run` sets up and serves the app with the demo meeting; `make test` runs the whole suite,
# `make test-fast` all but the browser tests (the edit-test loop).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
PORT ?= 5000

.PHONY: run setup system test test-fast screenshots demo clean translations extract-messages lint

# Development is an explicit choice: without it the app runs as production (strong SECRET_KEY required).
setup run test test-fast screenshots: export PORTMEET_ENV := development
AXE := node_modules/axe-core/axe.min.js

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

# Debian packages the PDFs and browser tests need (fonts for every script, chromium).
system:
	@bash scripts/install-system-packages.sh

# axe-core for the browser tests' accessibility audit, from the npm registry (package-lock.json).
$(AXE): package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $(AXE)

# Compiled catalogues (.mo) are built here, never committed.
translations: $(BIN)/activate
	$(BIN)/pybabel compile -d portmeet/translations --statistics

# After changing user-facing text: refresh the template and every catalogue, then translate the new
# (empty) entries, then `.venv/bin/python scripts/typeset_french.py` for the French spaces and quotes;
# tests/test_i18n_catalogues.py and tests/test_i18n_typography.py fail until every language has them right.
extract-messages: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 -k lazy_npgettext:1c,2,3 -o portmeet/translations/messages.pot --no-location --sort-output --project portmeet --copyright-holder "portmeet contributors" --width 120 .
	$(BIN)/pybabel update -i portmeet/translations/messages.pot -d portmeet/translations --ignore-obsolete --no-fuzzy-matching --width 120

setup: system $(BIN)/activate translations
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask demo

run: setup
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# One pytest-xdist worker per core (TEST_WORKERS=1 for one process); each has its own app per test and, on
# PostgreSQL, its own database (tests/conftest.py). The browser tests come in two groups, each with its own live
# server and Chromium, that run side by side on two workers (tests/e2e/conftest.py).
TEST_WORKERS ?= auto
PYTEST_PARALLEL = -p xdist -n $(TEST_WORKERS) --dist loadgroup
# Compiled modules are kept (in __pycache__, ignored by git) even where PYTHONDONTWRITEBYTECODE is set: else each
# worker rewrites the asserts of every test module again, and every app process a test starts compiles portmeet
# again (seconds of CPU per worker).
test test-fast screenshots: export PYTHONDONTWRITEBYTECODE :=

test: system $(BIN)/activate translations $(AXE)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-fast: $(BIN)/activate translations
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not browser" $(PYTEST_ARGS)

# The browser tests, saving each page they check at phone and desktop width as tests/artifacts/*.jpg.
screenshots: export PORTMEET_SCREENSHOTS := 1
screenshots: system $(BIN)/activate translations $(AXE)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m browser $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules instance/portmeet.sqlite

# Lint (ruff; settings in pyproject.toml). CI runs it before the tests.
lint: $(BIN)/activate
	$(BIN)/ruff check .
