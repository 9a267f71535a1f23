#!/usr/bin/env bash
# Serve the app on this machine: granian (WSGI) for HTTP on $PORT (ADR 0010) and uvicorn for the live
# push socket, /ws/, on $WS_PORT (ADR 0009), side by side. Pages find the socket on the same host
# at $WS_PORT (IOC_LIVE_WS_PORT); behind nginx both sit under one origin instead
# (deploy/nginx/ioc-gis.conf). When either server ends, or on Ctrl-C / SIGTERM, both stop.
# Usage: PORT=8000 WS_PORT=8001 scripts/serve.sh   (what `make demo` and `make start` run)
# IOC_DEMO_PULSE_SECONDS=30 also runs the demo's heartbeat (`make demo` sets it).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

PORT="${PORT:-8000}"
WS_PORT="${WS_PORT:-$((PORT + 1))}"
export IOC_LIVE_WS_PORT="${IOC_LIVE_WS_PORT:-$WS_PORT}"

.venv/bin/uvicorn ioc_gis.asgi:application --host 127.0.0.1 --port "$WS_PORT" \
  --lifespan off --ws websockets --ws-max-size 65536 --ws-per-message-deflate false \
  --no-access-log &
ws=$!
# 2 processes x 5 threads (ADR 0010: more threads per process lengthen the tail under load).
.venv/bin/granian --interface wsgi ioc_gis.wsgi:application --host 127.0.0.1 --port "$PORT" \
  --workers "${IOC_HTTP_WORKERS:-2}" --blocking-threads "${IOC_HTTP_THREADS:-5}" \
  --blocking-threads-idle-timeout 600 --no-ws \
  --respawn-failed-workers --log-level warning &
http=$!
# The demo's heartbeat (demo/pulse.py): a synthetic report every IOC_DEMO_PULSE_SECONDS and an
# open incident moved a step, so the wall shows life. `make demo` turns it on; 0 or unset: off.
pulse=""
if [ "${IOC_DEMO_PULSE_SECONDS:-0}" != "0" ]; then
  mkdir -p var
  .venv/bin/python manage.py demo_pulse --every "$IOC_DEMO_PULSE_SECONDS" > var/demo-pulse.log 2>&1 &
  pulse=$!
fi

# Imports queued by uploads (integration/): a local worker, for machines without a Celery
# worker (`make demo`); IOC_IMPORT_WORKER=0 when Celery workers take them.
importer=""
if [ "${IOC_IMPORT_WORKER:-1}" != "0" ]; then
  mkdir -p var
  .venv/bin/python manage.py integration_worker --follow > var/import-worker.log 2>&1 &
  importer=$!
fi

# Sensor streams (observations/): the MQTT subscriber when a broker is named (IOC_MQTT_URL; it
# logs and retries while the broker is away), and with the heartbeat on, the demo's synthetic
# water-level publisher (`manage.py demo_sensors`).
sensors=""
if [ -n "${IOC_MQTT_URL:-}" ]; then
  mkdir -p var
  .venv/bin/python manage.py mqtt_subscribe > var/mqtt-subscriber.log 2>&1 &
  sensors=$!
  if [ "${IOC_DEMO_PULSE_SECONDS:-0}" != "0" ]; then
    .venv/bin/python manage.py demo_sensors --every "$IOC_DEMO_PULSE_SECONDS" > var/demo-sensors.log 2>&1 &
    sensors="$sensors $!"
  fi
fi

stop_both() {
  kill -TERM "$ws" "$http" $pulse $importer $sensors 2>/dev/null || true
  wait "$ws" "$http" $pulse $importer $sensors 2>/dev/null || true
}
trap 'stop_both; exit 0' INT TERM
wait -n "$ws" "$http"
status=$?
warn "a server stopped (exit $status); stopping the other"
stop_both
exit "$status"
