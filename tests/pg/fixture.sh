#!/usr/bin/env bash
# The ctest fixture of the PostgreSQL tests (CMakeLists.txt: pg_server_start,
# pg_server_stop, and the tests that require them).
#   fixture.sh start BUILD_DIR         a throwaway server (pg_server.sh) in a new
#                                      directory under /tmp, recorded in BUILD_DIR/pg.dir
#   fixture.sh stop BUILD_DIR          stops it and removes the directory (ctest runs the
#                                      cleanup also when tests failed)
#   fixture.sh run BUILD_DIR CMD...    CMD with LEADFLOW_TEST_PG_URL set to the server's
#                                      URL; exit 77 (skip) when no server was started
set -u
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}; build=${2:-}
if [ -z "$cmd" ] || [ -z "$build" ] || [ ! -d "$build" ]; then
  echo "usage: fixture.sh start|stop|run BUILD_DIR [CMD...]" >&2
  exit 2
fi
state="$build/pg.dir"
case "$cmd" in
  start)
    if [ -f "$state" ]; then "$here/pg_server.sh" stop "$(cat "$state")"; rm -f "$state"; fi
    dir=$(mktemp -d /tmp/lfpg.XXXXXX) || exit 2
    echo "$dir" >"$state"
    "$here/pg_server.sh" start "$dir"
    ;;
  stop)
    [ -f "$state" ] || exit 0
    "$here/pg_server.sh" stop "$(cat "$state")"
    rm -f "$state"
    ;;
  run)
    shift 2
    if [ ! -f "$state" ] || [ ! -f "$(cat "$state")/url" ]; then
      echo "fixture.sh: no PostgreSQL server was started (pg_server_start skipped)" >&2
      exit 77
    fi
    LEADFLOW_TEST_PG_URL=$(cat "$(cat "$state")/url") exec "$@"
    ;;
  *)
    echo "fixture.sh: unknown command '$cmd'" >&2
    exit 2
    ;;
esac
