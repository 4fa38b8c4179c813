#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests and benchmarks.
#   pg_server.sh start DIR   initdb into DIR/data as the `postgres` user, start it on a
#                            random loopback port with its socket in DIR/sock (nothing in
#                            /var/run), print its URL and write it to DIR/url
#   pg_server.sh stop DIR    stop it (fast shutdown) and remove DIR
# Needs the PostgreSQL 15 server binaries (Debian: postgresql-15). Run as root, the
# server runs as `postgres` (runuser); run as another user, it runs as that user.
# Exit 77 when no server binaries are installed (the tests skip). Authentication is
# `trust` on loopback only: a server for tests, never for data. fsync is off (a test
# server need not survive power loss) unless PG_SERVER_FSYNC=on (the benchmark).
set -u
cmd=${1:-}; dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: pg_server.sh start|stop DIR" >&2
  exit 2
fi
bindir=
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/pg_ctl" ] && bindir=$d
done
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    if [ -z "$bindir" ]; then
      echo "pg_server.sh: no PostgreSQL server binaries (install postgresql-15)" >&2
      exit 77
    fi
    mkdir -p "$dir" && dir=$(cd "$dir" && pwd) || exit 2
    if [ -f "$dir/url" ] && as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      cat "$dir/url"; exit 0   # already running (a second fixture setup)
    fi
    rm -rf "$dir/data" "$dir/sock" "$dir/url"
    mkdir -p "$dir/sock"
    [ "$(id -u)" = 0 ] && chown postgres "$dir" "$dir/sock"
    chmod 0755 "$dir"; chmod 0700 "$dir/sock"
    as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3 4 5; do
      port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
      if as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
           -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=${PG_SERVER_FSYNC:-off} \
               -c max_connections=200 -c shared_buffers=64MB" start >/dev/null 2>&1; then
        url="postgresql://postgres@127.0.0.1:$port/postgres"
        echo "$url" >"$dir/url"
        echo "$url"
        exit 0
      fi
    done
    cat "$dir/server.log" >&2
    exit 1
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    if [ -n "$bindir" ] && [ -d "$dir/data" ]; then
      as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "pg_server.sh: unknown command '$cmd' (start|stop)" >&2
    exit 2
    ;;
esac
