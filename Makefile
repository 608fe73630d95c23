# Một Cửa Xã — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app

.PHONY: run test test-fast setup install vendor lint bench translations clean

# Two test workers (pytest-xdist) for the machine's two cores; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=5

run: setup
	$(FLASK) serve

# The suite on SQLite, then (when COMMUNE_TEST_DATABASE_URL is set, always in CI) on PostgreSQL.
test: install vendor
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	@if [ "$$CI" = "true" ] && [ -z "$$COMMUNE_TEST_DATABASE_URL" ]; then \
	  echo "CI=true but COMMUNE_TEST_DATABASE_URL is not set: the PostgreSQL run cannot be skipped"; exit 1; fi
	env -u COMMUNE_TEST_DATABASE_URL $(PYTEST) $(PYTEST_ARGS)
	@if [ -n "$$COMMUNE_TEST_DATABASE_URL" ]; then \
	  echo "== the same suite on PostgreSQL =="; $(PYTEST) $(PYTEST_ARGS); fi

# The everyday loop (about 3 minutes): SQLite only, no browser, no drills, nothing slow.
test-fast: install vendor
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	env -u COMMUNE_TEST_DATABASE_URL $(PYTEST) -m "not browser and not drill and not slow" $(PYTEST_ARGS)

setup: install vendor
	$(FLASK) setup

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	@echo "installing the pinned Python packages (about 3 minutes the first time)…"
	$(BIN)/pip install --disable-pip-version-check --progress-bar off -r requirements-dev.txt
	touch $@

vendor: node_modules/.package-lock.json
	$(BIN)/python scripts/vendor.py

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install vendor
	$(BIN)/python bench/run_all.py

translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-wrap --ignore-dirs='.* node_modules __pycache__' -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --no-wrap
	$(BIN)/pybabel compile -d translations

clean:
	rm -rf $(VENV) node_modules static/vendor
