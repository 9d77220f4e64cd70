#!/usr/bin/env bash
# Start or stop a project-local PostgreSQL cluster and Redis server on loopback.
#   scripts/services.sh ensure-packages
#   scripts/services.sh start DIR PG_PORT REDIS_PORT [throwaway]
#   scripts/services.sh stop DIR
# PostgreSQL refuses to run as root, so when we are root the cluster belongs to `postgres`.
set -euo pipefail

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
DB_USER=casework
DB_PASS=casework
DB_NAME=casework

apt_get() {
  # apt-get that waits for the package manager's lock when another install holds it:
  # dpkg's own lock wait (DPkg::Lock::Timeout), then retries for the lists lock and for
  # apt versions without that wait. APT_GET and APT_RETRY_SECONDS exist for the test.
  local attempts=${APT_ATTEMPTS:-20} pause=${APT_RETRY_SECONDS:-15} attempt
  for attempt in $(seq "$attempts"); do
    if DEBIAN_FRONTEND=noninteractive "${APT_GET:-apt-get}" -o DPkg::Lock::Timeout=300 "$@"; then
      return 0
    fi
    [ "$attempt" -lt "$attempts" ] || break
    echo "apt-get $1 failed (attempt $attempt of $attempts); waiting ${pause}s for the package lock" >&2
    sleep "$pause"
  done
  return 1
}

need_packages() {
  local missing=()
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  if [ "${WITH_BROWSER:-0}" = 1 ]; then
    command -v chromium >/dev/null || missing+=(chromium)
    command -v chromedriver >/dev/null || missing+=(chromium-driver)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${missing[*]}"
    apt_get update -qq
    apt_get install -y -qq "${missing[@]}" >/dev/null
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  else
    echo "Missing Debian packages: ${missing[*]}. Install them with:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
}

as_pg() {
  # Run a PostgreSQL server binary as the cluster owner.
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local dir=$1 pg_port=$2 redis_port=$3 throwaway=${4:-}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  chmod 755 "$dir"
  local pgdata="$dir/pg"
  if [ ! -s "$pgdata/PG_VERSION" ]; then
    mkdir -p "$pgdata"
    [ "$(id -u)" = 0 ] && chown postgres: "$pgdata"
    chmod 700 "$pgdata"
    as_pg "$PG_BIN/initdb" -D "$pgdata" -U postgres --auth-local=trust --auth-host=trust \
      -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  local extra=""
  if [ -n "$throwaway" ]; then
    # Throwaway test clusters trade durability for speed.
    extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  if ! as_pg "$PG_BIN/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    as_pg "$PG_BIN/pg_ctl" -D "$pgdata" -w -t 60 -l "$pgdata/server.log" start \
      -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pgdata -c max_connections=200 $extra" \
      >/dev/null
  fi
  local psql=(psql -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -qAt)
  if [ "$("${psql[@]}" -c "select 1 from pg_roles where rolname='$DB_USER'")" != 1 ]; then
    "${psql[@]}" -c "create role $DB_USER login createdb password '$DB_PASS'"
  fi
  if [ "$("${psql[@]}" -c "select 1 from pg_database where datname='$DB_NAME'")" != 1 ]; then
    "${psql[@]}" -c "create database $DB_NAME owner $DB_USER"
  fi
  if ! redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$dir" --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save "" --appendonly no
    for _ in $(seq 50); do
      redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
  fi
}

stop() {
  local dir=$1
  [ -d "$dir" ] || return 0
  if [ -s "$dir/pg/PG_VERSION" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$dir/pg" -m fast stop >/dev/null 2>&1 || true
  fi
  if [ -s "$dir/redis.pid" ]; then
    kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    rm -f "$dir/redis.pid"
  fi
}

case "${1:-}" in
  ensure-packages) need_packages ;;
  start) need_packages; start "$2" "$3" "$4" "${5:-}" ;;
  stop) stop "$2" ;;
  apt-get) shift; apt_get "$@" ;;
  *) echo "usage: $0 ensure-packages | apt-get ARGS | start DIR PG_PORT REDIS_PORT [throwaway] | stop DIR" >&2; exit 2 ;;
esac
