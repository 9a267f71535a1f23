#!/usr/bin/env bash
# Provide the Redis that carries live events between the HTTP and socket servers (ADR 0009) and
# record it in .env as IOC_LIVE_REDIS_URL (its own variable: REDIS_URL would also move the tile
# cache to Redis).
#
#   scripts/redis.sh ensure   pick a Redis, start it if it is ours
#   scripts/redis.sh stop     stop the private Redis (if this checkout started one)
#   scripts/redis.sh status   say which Redis is in use
#
# Choice, first match wins:
#   1. IOC_LIVE_REDIS_URL or REDIS_URL in the environment -> used as given
#   2. the URL .env names, if it answers
#   3. a Redis on 127.0.0.1:6379 that answers PING        -> "system"
#   4. otherwise a private one under var/ on 127.0.0.1:${IOC_REDIS_PORT:-63790}, password-protected,
#      nothing on disk (redis-server from Debian's package, installed when missing)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

PORT="${IOC_REDIS_PORT:-63790}"
PIDFILE="$ROOT/var/redis.pid"
LOG="$ROOT/var/redis.log"
PASS_FILE="$ROOT/var/redis.password"
PY="$ROOT/.venv/bin/python"

# PING a Redis URL with the project's own client (redis-cli may not be installed).
answers() {
  "$PY" - "$1" <<'PY' 2>/dev/null
import sys, redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1, socket_timeout=1).ping()
PY
}

private_url() { echo "redis://:$(cat "$PASS_FILE")@127.0.0.1:$PORT/0"; }

start_private() {
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p "$ROOT/var"
  [ -s "$PASS_FILE" ] || { (umask 077; random_secret 32 > "$PASS_FILE"); }
  if answers "$(private_url)"; then return 0; fi
  say "starting a private Redis on 127.0.0.1:$PORT (var/redis.pid)"
  # The password goes in through stdin, not the command line (ps would show it).
  { printf 'port %s\nbind 127.0.0.1\nprotected-mode yes\nsave ""\nappendonly no\n' "$PORT"
    printf 'daemonize yes\npidfile %s\nlogfile %s\ndir %s\nrequirepass %s\n' \
      "$PIDFILE" "$LOG" "$ROOT/var" "$(cat "$PASS_FILE")"; } | redis-server -
  for _ in $(seq 1 50); do answers "$(private_url)" && return 0; sleep 0.1; done
  die "the private Redis did not start; see $LOG"
}

ensure() {
  if [ -n "${IOC_LIVE_REDIS_URL:-}" ] || [ -n "${REDIS_URL:-}" ]; then
    say "live push: Redis from the environment"; return 0
  fi
  local url; url="$(env_get IOC_LIVE_REDIS_URL)"
  if [ -n "$url" ] && answers "$url"; then return 0; fi
  if answers "redis://127.0.0.1:6379/0"; then
    env_set IOC_LIVE_REDIS_URL "redis://127.0.0.1:6379/0"
    say "live push: Redis on 127.0.0.1:6379"
    return 0
  fi
  start_private
  env_set IOC_LIVE_REDIS_URL "$(private_url)"
  say "live push: private Redis on 127.0.0.1:$PORT"
}

stop() {
  [ -f "$PIDFILE" ] || return 0
  local pid; pid="$(cat "$PIDFILE")"
  if kill -0 "$pid" 2>/dev/null; then kill "$pid"; say "stopped the private Redis"; fi
  rm -f "$PIDFILE"
}

status() {
  local url="${IOC_LIVE_REDIS_URL:-${REDIS_URL:-$(env_get IOC_LIVE_REDIS_URL)}}"
  if [ -z "$url" ]; then echo "no Redis: live events stay inside one process"; return 0; fi
  local shown; shown="$(printf '%s' "$url" | sed 's#://[^@]*@#://***@#')"
  if answers "$url"; then echo "live push Redis: $shown (answers)"
  else echo "live push Redis: $shown (not answering)"; fi
}

case "${1:-}" in
  ensure) ensure ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: scripts/redis.sh ensure|stop|status" ;;
esac
