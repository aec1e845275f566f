#!/usr/bin/env bash
# A throwaway PostgreSQL for the server's test suite, on 127.0.0.1 only.
#   .ci/postgres.sh start   installs Debian's postgresql if missing, starts a fresh cluster, prints
#                           `export DRIFTLESS_TEST_DATABASE_URL=...` on stdout (logs go to stderr)
#   .ci/postgres.sh stop    stops that cluster and deletes it
set -euo pipefail

PORT="${DRIFTLESS_TEST_PG_PORT:-54329}"
STATE_FILE="${TMPDIR:-/tmp}/driftless-ci-postgres.dir"
DATABASE=driftless_test

log() { echo "postgres.sh: $*" >&2; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || { log "no PostgreSQL binaries under /usr/lib/postgresql"; exit 1; }
  echo "$dir"
}

start() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    log "installing Debian's postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends postgresql >&2
  fi
  local bin dir
  bin=$(bin_dir)
  if [ -f "$STATE_FILE" ]; then stop; fi
  # Take the next port if something already listens on this one.
  while (: </dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; do PORT=$((PORT + 1)); done
  dir=$(mktemp -d "${TMPDIR:-/tmp}/driftless-pg.XXXXXX")
  chown postgres "$dir" 2>/dev/null || true
  echo "$dir" >"$STATE_FILE"
  log "initdb in $dir"
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >&2
  # Listen on loopback TCP only; the socket directory is ours, not the system's /var/run/postgresql.
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2 || { cat "$dir/server.log" >&2; exit 1; }
  as_postgres "$bin/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DATABASE" >&2
  log "PostgreSQL is up on 127.0.0.1:$PORT"
  echo "export DRIFTLESS_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/$DATABASE"
}

stop() {
  [ -f "$STATE_FILE" ] || { log "nothing to stop"; return 0; }
  local dir
  dir=$(cat "$STATE_FILE")
  if [ -d "$dir/data" ]; then
    as_postgres "$(bin_dir)/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  fi
  rm -rf "$dir" "$STATE_FILE"
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
