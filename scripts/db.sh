#!/usr/bin/env bash
# Provide PostGIS for this checkout and record how to reach it in .env.
#
#   scripts/db.sh ensure   pick a database, start it if it is ours, create the database + extensions
#   scripts/db.sh stop     stop the embedded cluster (if this checkout started one)
#   scripts/db.sh status   say which database is in use
#
# Choice, first match wins:
#   1. DATABASE_URL in the environment                      -> "external": use it as given
#   2. IOC_DB_MODE=embedded, or .env says embedded          -> the private cluster under var/
#   3. a PostgreSQL server on 127.0.0.1:5432 accepts PGUSER -> "system": install the matching
#      PostGIS package and use database ioc_gis on it
#   4. otherwise                                            -> "embedded": initdb a private cluster
#      under var/ (as the unprivileged 'postgres' user when we are root: initdb refuses root)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

DB_NAME="${IOC_DB_NAME:-ioc_gis}"
PGDATA_DIR="${IOC_PGDATA:-$ROOT/var/pgdata}"
PGRUN_DIR="$(dirname "$PGDATA_DIR")/pgrun"
PGLOG="$(dirname "$PGDATA_DIR")/postgresql.log"
PGPASS_FILE="$(dirname "$PGDATA_DIR")/pg.password"
EMB_PORT="${IOC_PGPORT:-54329}"
EXTENSIONS="postgis unaccent pg_trgm btree_gist"

psql_q() { PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# postgres://user:pw@host:port/db?x -> same URL on database "postgres"
maintenance_url() { local u="${1%%\?*}"; echo "${u%/*}/postgres"; }
url_dbname() { local u="${1%%\?*}"; echo "${u##*/}"; }
url_is_local() { [[ "$1" =~ @(127\.0\.0\.1|localhost|\[::1\])(:|/) ]]; }

server_major() { psql_q "$1" -Atc "select current_setting('server_version_num')::int / 10000"; }

# Install postgresql-<major>-postgis-3 when the server is on this machine and lacks it.
ensure_postgis_package() {
  local major="$1"
  [ -f "/usr/share/postgresql/$major/extension/postgis.control" ] && return 0
  apt_install "postgresql-$major-postgis-3"
}

ensure_database() {
  local url="$1" name; name="$(url_dbname "$url")"
  local maint; maint="$(maintenance_url "$url")"
  if [ -z "$(psql_q "$maint" -Atc "select 1 from pg_database where datname = '$name'")" ]; then
    say "creating database $name"
    psql_q "$maint" -c "create database \"$name\" encoding 'UTF8' template template0"
  fi
  if url_is_local "$url"; then ensure_postgis_package "$(server_major "$url")"; fi
  for ext in $EXTENSIONS; do
    psql_q "$url" -c "create extension if not exists $ext" 2>&1 | grep -v NOTICE || true
  done
  psql_q "$url" -Atc "select postgis_lib_version()" >/dev/null \
    || die "PostGIS is not available in $name; install it on the server"
}

# ---------- embedded cluster ----------
pg_bindir() {
  local d; d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

install_postgresql() {
  # Do not let the Debian package create and start a system cluster: we run our own.
  if ! pkg_installed postgresql-common; then
    as_root mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" | as_root tee /etc/postgresql-common/createcluster.d/ioc-gis.conf >/dev/null
  fi
  apt_install postgresql-common
  local major
  major="$(apt-cache depends postgresql 2>/dev/null | sed -n 's/.*Depends: postgresql-\([0-9]\+\)$/\1/p' | head -n 1)"
  [ -n "$major" ] || die "cannot tell which PostgreSQL version apt offers"
  apt_install "postgresql-$major" "postgresql-$major-postgis-3"
}

run_pg() {  # run a PostgreSQL server binary as an unprivileged user
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

# As root the cluster runs as 'postgres', which must be able to reach its files. A checkout
# under a private home (e.g. /root, mode 700) cannot host them: keep them under
# /var/lib/ioc-gis/<hash of the path> instead, with var/pgdata a symlink to the real place.
place_cluster_files() {
  is_root || return 0
  mkdir -p "$(dirname "$PGDATA_DIR")"
  runuser -u postgres -- test -x "$(dirname "$PGDATA_DIR")" && return 0
  local home; home="/var/lib/ioc-gis/$(printf '%s' "$PGDATA_DIR" | sha1sum | cut -c1-12)"
  mkdir -p "$home"; chmod 755 /var/lib/ioc-gis "$home"
  [ -L "$PGDATA_DIR" ] || ln -sfn "$home/pgdata" "$PGDATA_DIR"
  PGDATA_DIR="$home/pgdata"; PGRUN_DIR="$home/pgrun"; PGLOG="$home/postgresql.log"
  say "the checkout is private to root: cluster files live in $home"
}

embedded_start() {
  local bin; bin="$(pg_bindir)" || true
  if [ -z "$bin" ]; then install_postgresql; bin="$(pg_bindir)"; fi
  ensure_postgis_package "$(basename "$(dirname "$bin")")"
  place_cluster_files
  mkdir -p "$PGDATA_DIR" "$PGRUN_DIR"
  if is_root; then
    chown postgres: "$PGDATA_DIR" "$PGRUN_DIR"
    runuser -u postgres -- test -w "$PGDATA_DIR" \
      || die "user 'postgres' cannot write $PGDATA_DIR; set IOC_PGDATA to a reachable folder"
  fi
  chmod 700 "$PGDATA_DIR"
  if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
    say "initialising the embedded PostgreSQL cluster in ${PGDATA_DIR#$ROOT/}"
    local pw; pw="$(random_secret 32)"
    umask 077; echo "$pw" > "$PGPASS_FILE"
    local pwfile="$PGRUN_DIR/initdb.pw"
    echo "$pw" > "$pwfile"; is_root && chown postgres: "$pwfile"
    run_pg "$bin/initdb" -D "$PGDATA_DIR" -U ioc --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
  fi
  if ! run_pg "$bin/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
    say "starting the embedded PostgreSQL on 127.0.0.1:$EMB_PORT"
    touch "$PGLOG"; is_root && chown postgres: "$PGLOG"
    run_pg "$bin/pg_ctl" -D "$PGDATA_DIR" -l "$PGLOG" -w -t 60 \
      -o "-c port=$EMB_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='$PGRUN_DIR' -c jit=off" \
      start >/dev/null || { tail -n 20 "$PGLOG" >&2; die "the embedded PostgreSQL did not start"; }
  fi
  local pw; pw="$(cat "$PGPASS_FILE")"
  echo "postgres://ioc:$pw@127.0.0.1:$EMB_PORT/$DB_NAME"
}

embedded_stop() {
  local bin; bin="$(pg_bindir)" || return 0
  [ -L "$PGDATA_DIR" ] && PGDATA_DIR="$(readlink -f "$PGDATA_DIR")"
  [ -f "$PGDATA_DIR/PG_VERSION" ] || return 0
  if run_pg "$bin/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
    say "stopping the embedded PostgreSQL"
    run_pg "$bin/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null
  fi
}

system_server_url() {
  local user="${PGUSER:-postgres}"
  local url="postgres://$user@127.0.0.1:5432/postgres"
  psql_q "$url" -Atc "select 1" >/dev/null 2>&1 || return 1
  echo "postgres://$user@127.0.0.1:5432/$DB_NAME"
}

cmd_ensure() {
  local mode url
  if [ -n "${DATABASE_URL:-}" ]; then
    mode=external; url="$DATABASE_URL"
  elif [ "${IOC_DB_MODE:-$(env_get IOC_DB_MODE)}" = "embedded" ]; then
    mode=embedded; url="$(embedded_start)"
  elif url="$(system_server_url)"; then
    mode=system
  else
    mode=embedded; url="$(embedded_start)"
  fi
  ensure_database "$url"
  env_set IOC_DB_MODE "$mode"
  env_set DATABASE_URL "$url"
  [ -n "$(env_get SECRET_KEY)" ] || env_set SECRET_KEY "$(random_secret 50)"
  say "PostGIS ready ($mode): ${url/:*@/:***@}"
}

case "${1:-ensure}" in
  ensure) cmd_ensure ;;
  stop)   embedded_stop ;;
  status) echo "mode=$(env_get IOC_DB_MODE) url=$(env_get DATABASE_URL | sed 's/:[^:@]*@/:***@/')" ;;
  *) die "usage: scripts/db.sh ensure|stop|status" ;;
esac
