# coprod — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app coprod
# Installs are reproducible: requirements-dev.lock pins every package the suite, the checks and
# the benchmarks use, transitive ones included, each with its hashes; requirements.lock pins the
# same for a production server (coprod[production]: gunicorn and Redis, no test tools; install it
# with `pip install --require-hashes -r requirements.lock && pip install --no-deps -e .`).
# `make install` makes .venv hold exactly the dev lock (uv pip sync: what is missing is
# installed, what is not locked is removed), then coprod itself with --no-deps; it runs again
# whenever pyproject.toml or the lock changes. After changing the dependencies in
# pyproject.toml, `make lock` writes both lock files again, keeping every other pin;
# `make lock UPGRADE=1` moves every pin to the newest release pyproject.toml allows.
# uv (the installer and locker) is pinned in the dev lock; pip only bootstraps it.
LOCK := requirements-dev.lock
PIP_VERSION := 26.3
UV_VERSION := $(shell sed -n 's/^uv==\([0-9.]*\).*/\1/p' $(LOCK))
UV := $(BIN)/uv
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)

.PHONY: run test install lock lock-check lint typecheck check clean serve scheduler fuzz translations shots

# pip's output goes to $(VENV)/pip.log, shown only when installing fails.
PIP_QUIETLY = >$(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; echo "installing failed (log above)"; exit 1; }

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install "pip==$(PIP_VERSION)" $(PIP_QUIETLY)

$(UV): | $(BIN)/python
	@$(BIN)/pip install "uv==$(UV_VERSION)" $(PIP_QUIETLY)

$(STAMP): pyproject.toml $(LOCK) | $(UV)
	@echo "installing… the locked dependencies ($(LOCK)) and coprod into $(VENV)"
	@$(UV) pip sync --python $(BIN)/python --require-hashes $(LOCK) $(PIP_QUIETLY)
	@$(UV) pip install --python $(BIN)/python --no-deps -e . $(PIP_QUIETLY)
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Both lock files from pyproject.toml, written in directory $(1) (each keeps its current pins
# unless UPGRADE is set).
LOCK_WITH = $(abspath $(UV)) pip compile --generate-hashes --universal --python-version 3.11 \
  --quiet --custom-compile-command "make lock" pyproject.toml
write_locks = cd $(1) && $(LOCK_WITH) $(if $(UPGRADE),--upgrade) --extra dev \
  -o requirements-dev.lock && $(LOCK_WITH) --extra production -c requirements-dev.lock \
  -o requirements.lock

lock: | $(UV)
	$(call write_locks,.)

# Fails when the lock files are not what `make lock` would write from pyproject.toml (CI).
lock-check: | $(UV)
	@tmp=$$(mktemp -d) && cp pyproject.toml requirements.lock requirements-dev.lock "$$tmp" && \
	  ( $(call write_locks,"$$tmp") ) && \
	  diff -u requirements-dev.lock "$$tmp/requirements-dev.lock" && \
	  diff -u requirements.lock "$$tmp/requirements.lock" && rm -rf "$$tmp" || \
	  { echo "the lock files are out of date with pyproject.toml: run make lock"; exit 1; }

# Serve the demo world on http://127.0.0.1:$(PORT) together with the scheduler process.
# Development settings, said explicitly: without COPROD_ENV coprod runs as production.
run: export COPROD_ENV = development
run: export PORT := $(PORT)
run: install
	@mkdir -p instance
	@$(FLASK) migrate
	@$(FLASK) demo-data
	@echo "coprod: http://127.0.0.1:$(PORT)  (Ctrl-C stops the web server and the scheduler)"
	@$(FLASK) scheduler & scheduler=$$!; \
	  trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' INT TERM EXIT; \
	  $(FLASK) run --port $(PORT) --no-reload

# The whole suite on SQLite, then again on PostgreSQL when COPROD_TEST_DATABASE_URL is set.
# On SQLite every test but the browser ones runs in two workers (each its own database); then
# the browser tests run in two workers, each test file on a live server of its own with a fresh
# copy of the demo world (tests/e2e/conftest.py), so no file depends on another's order.
# The browser tests spend most of their time waiting for Chromium and the live server, so the
# PostgreSQL run (its output printed after theirs) uses the CPU beside them.
# On PostgreSQL each of the two workers makes its own database beside the given one
# (<name>_gw0, <name>_gw1: tests/conftest.py).
# The API fuzz test makes COPROD_FUZZ_EXAMPLES examples per operation, mode (valid, invalid)
# and role: 3 here; `make fuzz` makes the long run. It runs once: on PostgreSQL when
# COPROD_TEST_DATABASE_URL is set (stricter about numbers, it finds more there; the SQLite run
# deselects it), else on SQLite.
PYTEST := $(BIN)/pytest -p no:cacheprovider
test: export COPROD_ENV = testing
test: export COPROD_FUZZ_EXAMPLES ?= 3
test: install
	@echo "== the whole suite on SQLite =="
	env -u COPROD_TEST_DATABASE_URL $(PYTEST) -n 2 --ignore=tests/e2e \
	  $${COPROD_TEST_DATABASE_URL:+--deselect tests/api/test_fuzz.py}
	@if [ -z "$$COPROD_TEST_DATABASE_URL" ]; then \
	  env -u COPROD_TEST_DATABASE_URL $(PYTEST) -n 2 --dist loadfile tests/e2e || exit 1; \
	  echo "COPROD_TEST_DATABASE_URL is not set: the PostgreSQL run was not made."; \
	  exit 0; \
	fi; \
	pg_log=$$(mktemp); \
	$(PYTEST) -n 2 --ignore=tests/e2e >"$$pg_log" 2>&1 & pg=$$!; \
	trap 'kill $$pg 2>/dev/null; rm -f "$$pg_log"' INT TERM; \
	env -u COPROD_TEST_DATABASE_URL $(PYTEST) -n 2 --dist loadfile tests/e2e; e2e=$$?; \
	wait $$pg; pg_status=$$?; \
	echo "== the same suite on PostgreSQL (the browser tests ran above: their server is SQLite) =="; \
	cat "$$pg_log"; rm -f "$$pg_log"; \
	[ $$e2e -eq 0 ] && [ $$pg_status -eq 0 ]

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy coprod config.py

check: lint typecheck test

# Collect every translatable string (coprod/translations/babel.cfg) and bring each language's
# catalogue up to date: new strings appear there with an empty msgstr for a translator to fill.
POT := $(VENV)/messages.pot
translations: install
	$(BIN)/pybabel extract -F coprod/translations/babel.cfg -k _l -k _nl:1,2 \
	  --no-wrap --sort-by-file --ignore-dirs ".*" --project coprod -o $(POT) .
	$(BIN)/pybabel update -i $(POT) -d coprod/translations --no-wrap --ignore-obsolete >/dev/null

clean:
	rm -rf $(VENV) instance/coprod.sqlite* .pytest_cache .mypy_cache .ruff_cache

# The browser tests again, saving every page they visit at phone and desktop widths in
# test-artifacts/screenshots/ (make test skips the screenshots: nothing asserts on them).
shots: export COPROD_ENV = testing
shots: install
	COPROD_SCREENSHOTS=1 $(PYTEST) -n 2 --dist loadfile tests/e2e

# A longer property-based run of the API against its own OpenAPI document (schemathesis).
fuzz: install
	COPROD_FUZZ_EXAMPLES=$${COPROD_FUZZ_EXAMPLES:-100} $(BIN)/pytest -p no:cacheprovider -s tests/api/test_fuzz.py

# --- benchmarks (bench/README.md): PostgreSQL at BENCH_DB, generated worlds, wrk, nginx ---
BENCH_DB ?= postgresql://postgres@127.0.0.1:5432/coprod_bench
SIZE ?= medium
BENCH := PYTHONPATH=. $(BIN)/python -m
# The growth benchmark's worlds: one database per size (small, medium, large, medium10) on the
# local PostgreSQL, coprod_bench_<size>; each size's results go to GROWTH_DIR/<size>.json.
BENCH_PG ?= postgresql://postgres@127.0.0.1:5432
GROWTH_DIR ?= /tmp/coprod-growth
RUNS ?= 1

.PHONY: bench-data bench-load bench-profile bench-plans bench-cluster bench-growth-data bench-growth

bench-data: install  ## a generated world of SIZE (small, medium, large, medium10) in BENCH_DB
	$(BENCH) bench.generate --size $(SIZE) --url $(BENCH_DB)

bench-load: install  ## gunicorn (2 workers) + wrk, 8 clients, against both baselines (RUNS=3 NO_CACHE=1)
	$(BENCH) bench.load --url $(BENCH_DB) --runs $(RUNS) $(if $(NO_CACHE),--no-cache)

bench-profile: install  ## each page's time and statements in-process (PAGE=... for a profile)
	$(BENCH) bench.profile_pages --url $(BENCH_DB) $(if $(PAGE),--profile "$(PAGE)")

bench-plans: install  ## each page's statements: PostgreSQL's planning and running time of each
	$(BENCH) bench.plans --url $(BENCH_DB)

bench-cluster: install  ## 2 gunicorn instances + nginx + 1 scheduler + Redis, checks, load test
	SIZE=$(SIZE) bench/cluster.sh

bench-growth-data: install  ## the world of SIZE in its own database, coprod_bench_$(SIZE)
	$(BENCH) bench.generate --size $(SIZE) --url $(BENCH_PG)/coprod_bench_$(SIZE)

bench-growth: install  ## every page at SIZE, cache off (RUNS=3 for medians; ONLY="home page/staff"); then all sizes side by side
	@mkdir -p $(GROWTH_DIR)$(if $(ONLY),/only)
	$(BENCH) bench.growth --size $(SIZE) --url $(BENCH_PG)/coprod_bench_$(SIZE) --runs $(RUNS) \
	  $(if $(ONLY),--only "$(ONLY)") --json $(GROWTH_DIR)$(if $(ONLY),/only)/$(SIZE).json
	$(BENCH) bench.growth --combine $(GROWTH_DIR)$(if $(ONLY),/only)/*.json
