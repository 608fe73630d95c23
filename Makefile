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

# The suite on SQLite and (when COMMUNE_TEST_DATABASE_URL is set, always in CI) on PostgreSQL, the two
# passes at once: the SQLite pass prints as it goes, the PostgreSQL pass's output follows when both end.
test: install vendor
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	@if [ "$$CI" = "true" ] && [ -z "$$COMMUNE_TEST_DATABASE_URL" ]; then \
	  echo "CI=true but COMMUNE_TEST_DATABASE_URL is not set: the PostgreSQL run cannot be skipped"; exit 1; fi
	@mkdir -p test-artifacts; rm -f test-artifacts/postgresql.log; pg=; \
	if [ -n "$$COMMUNE_TEST_DATABASE_URL" ]; then \
	  echo "== the suite on PostgreSQL runs beside it (test-artifacts/postgresql.log) =="; \
	  $(PYTEST) $(PYTEST_ARGS) > test-artifacts/postgresql.log 2>&1 & pg=$$!; fi; \
	echo "== the suite on SQLite =="; \
	env -u COMMUNE_TEST_DATABASE_URL $(PYTEST) $(PYTEST_ARGS); sqlite=$$?; pgrc=0; \
	if [ -n "$$pg" ]; then wait $$pg; pgrc=$$?; echo "== the same suite on PostgreSQL =="; \
	  cat test-artifacts/postgresql.log; fi; \
	echo "SQLite pass: exit $$sqlite$${pg:+; PostgreSQL pass: exit $$pgrc}"; \
	[ $$sqlite -eq 0 ] && [ $$pgrc -eq 0 ]

# The everyday loop (3–4 minutes): SQLite only, no browser, no drills, nothing slow, and the
# fuzz at 5 examples per route and form (make test: 20).
test-fast: install vendor
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	env -u COMMUNE_TEST_DATABASE_URL COMMUNE_FUZZ_EXAMPLES=$${COMMUNE_FUZZ_EXAMPLES:-5} \
	  $(PYTEST) -m "not browser and not drill and not slow" $(PYTEST_ARGS)

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
