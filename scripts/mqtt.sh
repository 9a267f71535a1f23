#!/usr/bin/env bash
# The MQTT broker for sensor streams (observations/) and their tests: Mosquitto on
# 127.0.0.1:1883. If nothing answers there, start Debian's mosquitto (installed by
# `scripts/setup.sh --test` or `make demo`) as a daemon bound to the loopback only.
#   scripts/mqtt.sh ensure
source "$(dirname "$0")/lib.sh"

listening() { (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; }

case "${1:-ensure}" in
  ensure)
    listening && exit 0
    command -v mosquitto >/dev/null || { warn "no MQTT broker (apt-get install mosquitto)"; exit 0; }
    mkdir -p "$ROOT/var"
    # A lagging subscriber's QoS 1 backlog is kept up to 100,000 messages (the default, 1,000,
    # drops a sensor burst while a batch is being written).
    printf 'listener 1883 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\n' > "$ROOT/var/mosquitto.conf"
    mosquitto -d -c "$ROOT/var/mosquitto.conf"
    for _ in $(seq 20); do listening && { say "MQTT broker started on 127.0.0.1:1883"; exit 0; }; sleep 0.25; done
    warn "mosquitto did not start" ;;
  *) die "usage: scripts/mqtt.sh ensure" ;;
esac
