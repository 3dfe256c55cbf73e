# Sales Proposal Bot — the two commands are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Each pytest worker has its own database and Redis db (tests/conftest.py).
# A worker that dies (the stuck-test backstop in tests/conftest.py ends it) is not replaced: with
# `loadscope`, xdist's replacement was seen to leave the whole run waiting forever; the run ends
# instead, the test named, every thread's stack printed.
# One more worker than cores: with one per core, ~12 % of the CPU sat idle while tests waited
# (subprocesses starting, servers answering, timed polls); `make ci` 1,076 s with 2 workers on 2
# cores, 914–1,020 s with 3 (docs/testing.md).
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
PYTEST_PARALLEL ?= -n $(PYTEST_WORKERS) --dist loadscope --max-worker-restart=0
# mypy's cache outside the checkout, so a fresh clone on the same machine starts warm (only speed
# depends on it: a missing or stale cache is rebuilt).
export MYPY_CACHE_DIR ?= $(HOME)/.cache/salesbot/mypy
# Bytecode caches on, whatever the calling environment says: with PYTHONDONTWRITEBYTECODE set
# (some sandboxes and CI images set it) every Python process — each test worker and every CLI,
# server and worker the tests start — compiled each module it imported from source again, about
# 3 s of CPU per process here (`salesbot migrate` 4.9 s, then 1.8 s with the cache).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-js ci lint audit format bench screenshots services chromium nodejs pgbouncer pgclient prometheus clean install

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Packages are installed with uv (pinned here) when it can be had: the same pinned versions as
# pip, in seconds instead of a minute, and its cache (~/.cache/uv) makes the next fresh clone's
# install take ~4 s. Without it (no index reachable for it), pip does the same job more slowly.
UV_VERSION := 0.13.9
PIP_INSTALL = { $(PY) -m pip install --quiet "uv==$(UV_VERSION)" 2>/dev/null && \
	  $(VENV)/bin/uv pip install --python $(PY) --quiet --upgrade pip $(1); } || \
	{ $(PY) -m pip install --quiet --upgrade pip && $(PY) -m pip install --quiet $(1); }

$(STAMP): $(PY) pyproject.toml
	$(call PIP_INSTALL,-e ".[test]")
	@touch $(STAMP) $(RUN_STAMP)

# `make run` needs only the runtime dependencies (no test tools): a fresh clone serves sooner.
$(RUN_STAMP): $(PY) pyproject.toml
	$(call PIP_INSTALL,-e .)
	@touch $(RUN_STAMP)

install: $(STAMP)

## make run: install, migrate, load demo data, start http://127.0.0.1:8000 and print the logins.
run: $(RUN_STAMP)
	$(VENV)/bin/salesbot migrate
	$(VENV)/bin/salesbot demo
	@echo "Open http://$(HOST):$(PORT) (API docs at /docs). Ctrl+C stops."
	$(VENV)/bin/salesbot serve --host $(HOST) --port $(PORT)

## make test: the whole suite (unit, API on SQLite and, when reachable, PostgreSQL + Redis, browser, front-end).
test: $(STAMP) test-js
	$(PY) -m pytest $(PYTEST_PARALLEL)

## make test-js: the front-end's unit tests (tests/js/, node's built-in runner, no npm packages).
test-js:
	@node --version >/dev/null 2>&1 || { echo "Node.js is required for the front-end tests in tests/js/ (apt-get install nodejs)"; exit 1; }
	node --test tests/js/

## make lint: ruff (lint + format check), mypy, import contracts, bandit (medium+ severity).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy salesbot tests tools $(wildcard benchmarks/*.py)
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit -c pyproject.toml -q -r salesbot --severity-level medium

## make audit: pip-audit of the installed pinned set; skipped with a note when no database answers.
audit: $(STAMP)
	$(PY) tools/audit_dependencies.py

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## make ci: what CI runs — lint, make sure services, Chromium, Node and Prometheus are there, whole suite with services required.
ci: $(STAMP) services chromium nodejs pgbouncer pgclient prometheus
	$(MAKE) lint
	$(MAKE) audit
	$(MAKE) test-js
	SALESBOT_TEST_REQUIRE_SERVICES=1 SALESBOT_TEST_PROFILE=ci \
	  $(PY) -m pytest $(PYTEST_PARALLEL) --cov --cov-report=
	@echo "Coverage: the ten least-covered modules, then the total (the floor is in pyproject.toml)"
	@$(PY) -m coverage report --sort=cover | sed -n '1,12p'
	@$(PY) -m coverage report --format=total

services:
	@pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
	@for i in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && exit 0; sleep 1; done; echo "PostgreSQL/Redis did not come up"; exit 1

chromium:
	@command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; }

# `salesbot backup`/`restore` on PostgreSQL run pg_dump, pg_restore and psql of the server's
# major version (15).
pgclient:
	@pg_dump --version 2>/dev/null | grep -q ' 15\.' && command -v pg_restore >/dev/null 2>&1 && command -v psql >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client-15 >/dev/null; }

# promtool checks and unit-tests deploy/prometheus and the Grafana dashboard; the prometheus
# server scrapes the running app in tests/deploy.
prometheus:
	@command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null; }

nodejs:
	@node --version >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null; }

## PgBouncer for the transaction-pooler test (tests/api/ops/test_transaction_pooler.py); the
## test starts its own private instance, nothing runs as a service.
pgbouncer:
	@command -v pgbouncer >/dev/null 2>&1 || test -x /usr/sbin/pgbouncer || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null; }

bench: $(STAMP)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

## Screenshots of the main pages for the README (docs/screenshots/).
screenshots: $(STAMP) chromium
	SALESBOT_SCREENSHOTS=1 $(PY) -m pytest tests/e2e -k screenshots -q

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
