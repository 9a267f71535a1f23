# ioc-gis — the two commands: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
WS_PORT ?= $(shell echo $$(( $(PORT) + 1 )))
# The demo's heartbeat: a synthetic report every 30 s (demo/pulse.py); IOC_DEMO_PULSE_SECONDS=0 stops it.
# Sensor streams (observations/): IOC_MQTT_URL as given, else the local Mosquitto if one answers
# on 127.0.0.1:1883, else none (`IOC_MQTT_URL= make demo` leaves the MQTT subscriber out).
SERVE_ENV := DJANGO_SETTINGS_MODULE=ioc_gis.settings.dev DEBUG=$${DEBUG:-0} PORT=$(PORT) WS_PORT=$(WS_PORT) \
  IOC_DEMO_PULSE_SECONDS=$${IOC_DEMO_PULSE_SECONDS:-30} \
  IOC_MQTT_URL=$${IOC_MQTT_URL-$$(timeout 1 bash -c '</dev/tcp/127.0.0.1/1883' 2>/dev/null && echo mqtt://127.0.0.1:1883)}
# HTTP through WSGI (granian threads keep their database connections; ADRs 0008, 0010) and the
# live push socket through ASGI (uvicorn, /ws/; see ADR 0009), side by side.
SERVER := scripts/serve.sh

.PHONY: help demo test stop setup db broker prepare start lint bench
help:
	@echo "make demo   install what is missing, provide PostGIS, load the Thanh Hóa demo, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   the same setup, then the whole test suite against a real PostGIS"
	@echo "make stop   stop what 'make demo' / 'make start' started (embedded PostgreSQL, private Redis, background servers)"

setup:
	@scripts/setup.sh

db: setup
	@scripts/db.sh ensure

broker: setup  ## Redis between the HTTP and socket servers (live push, ADR 0009); Mosquitto (sensors)
	@scripts/redis.sh ensure
	@scripts/mqtt.sh ensure

prepare: db broker
	@$(PY) manage.py migrate --noinput -v0
	@$(PY) manage.py collectstatic --noinput -v0
	@$(PY) manage.py load_demo
	@$(PY) manage.py ensure_demo_admin

demo: prepare
	@echo "Serving on http://127.0.0.1:$(PORT)/, live events on ws://127.0.0.1:$(WS_PORT)/ws/incidents/  (Ctrl-C stops both; 'make stop' stops the database)"
	@$(SERVE_ENV) exec $(SERVER)

start: prepare  ## like demo, in the background (var/server.pid, log in var/server.log)
	@$(SERVE_ENV) nohup $(SERVER) > var/server.log 2>&1 & echo $$! > var/server.pid
	@echo "Serving on http://127.0.0.1:$(PORT)/ and ws://127.0.0.1:$(WS_PORT)/ws/incidents/ in the background (pid $$(cat var/server.pid))"

stop:
	@if [ -f var/server.pid ]; then kill "$$(cat var/server.pid)" 2>/dev/null || true; rm -f var/server.pid; fi
	@scripts/redis.sh stop
	@scripts/db.sh stop

test:
	@scripts/setup.sh --test
	@scripts/db.sh ensure
	@scripts/redis.sh ensure
	@scripts/mqtt.sh ensure
	@$(PY) -m pytest

lint:
	@$(VENV)/bin/ruff check .

bench: db broker  ## bench/run_all.py: srid_tiles.py, tiles.py, reports.py (BENCH_ARGS=--quick for a short run)
	@scripts/bench_tools.sh
	@$(PY) bench/run_all.py $(BENCH_ARGS)
