# ioc-gis — the two commands: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SERVE_ENV := DJANGO_SETTINGS_MODULE=ioc_gis.settings.dev DEBUG=$${DEBUG:-0}
# HTTP through WSGI (gunicorn threads keep their database connections; see ADR 0008).
SERVER := $(VENV)/bin/gunicorn ioc_gis.wsgi:application --bind 127.0.0.1:$(PORT) \
          --worker-class gthread --workers 2 --threads 8 --keep-alive 30

.PHONY: help demo test stop setup db prepare start lint bench
help:
	@echo "make demo   install what is missing, provide PostGIS, load the Thanh Hóa demo, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   the same setup, then the whole test suite against a real PostGIS"
	@echo "make stop   stop what 'make demo' / 'make start' started (embedded PostgreSQL, background server)"

setup:
	@scripts/setup.sh

db: setup
	@scripts/db.sh ensure

prepare: db
	@$(PY) manage.py migrate --noinput -v0
	@$(PY) manage.py collectstatic --noinput -v0
	@$(PY) manage.py load_demo
	@$(PY) manage.py ensure_demo_admin

demo: prepare
	@echo "Serving on http://127.0.0.1:$(PORT)/  (Ctrl-C stops the server; 'make stop' stops the database)"
	@$(SERVE_ENV) exec $(SERVER)

start: prepare  ## like demo, in the background (var/server.pid, log in var/server.log)
	@$(SERVE_ENV) nohup $(SERVER) > var/server.log 2>&1 & echo $$! > var/server.pid
	@echo "Serving on http://127.0.0.1:$(PORT)/ in the background (pid $$(cat var/server.pid))"

stop:
	@if [ -f var/server.pid ]; then kill "$$(cat var/server.pid)" 2>/dev/null || true; rm -f var/server.pid; fi
	@scripts/db.sh stop

test:
	@scripts/setup.sh --test
	@scripts/db.sh ensure
	@$(PY) -m pytest

lint:
	@$(VENV)/bin/ruff check .

bench: db  ## bench/run_all.py: srid_tiles.py, then tiles.py (BENCH_ARGS=--quick for a short run)
	@$(PY) bench/run_all.py $(BENCH_ARGS)
