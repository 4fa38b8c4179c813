#!/usr/bin/env bash
# Runs one golden CLI test case.
#   run_case.sh LEADFLOW_BINARY CASE_DIR
# CASE_DIR holds `cmd` (a bash script; `leadflow` is on PATH, $DATA is tests/data),
# the expected `stdout`, `stderr` and `exit`, and any input files, which are copied
# into a fresh temp dir where cmd runs with LC_ALL=C TZ=UTC. Output is compared byte
# for byte. LF_REGEN=1 rewrites the expected files instead (then check them by hand).
# LF_CASE_PG=1 runs the case on PostgreSQL: a new database for the case on the server
# of LEADFLOW_TEST_PG_URL (tests/pg/fixture.sh), its URL in LEADFLOW_STORE, dropped at
# the end (CMakeLists.txt registers the cases a second time so, as cli_pg_NAME, but
# for the few listed there with the reason).
set -u
if [ $# -ne 2 ] || [ ! -f "${2:-}/cmd" ]; then
  echo "usage: run_case.sh LEADFLOW_BINARY CASE_DIR (a directory with a cmd file; got '${2:-}')" >&2
  exit 2
fi
if [ ! -x "$1" ]; then
  echo "run_case.sh: no executable '$1'" >&2
  exit 2
fi
# Every later path is built from these two: stop before an empty one can stand for /.
bin=$(readlink -f "$1") && case_dir=$(cd "$2" && pwd) && [ -n "$bin" ] && [ -n "$case_dir" ] || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/lfcase.XXXXXX") && [ -n "$work" ] || exit 2
trap 'rm -rf "$work"' EXIT
store_env=()
if [ "${LF_CASE_PG:-0}" = 1 ]; then
  pg=${LEADFLOW_TEST_PG_URL:?LF_CASE_PG=1 needs LEADFLOW_TEST_PG_URL}
  db="lfcase_$$_${RANDOM}"
  psql -q "$pg" -c "CREATE DATABASE $db" >/dev/null || exit 2
  trap 'rm -rf "$work"; psql -q "$pg" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1' EXIT
  store_env=("LEADFLOW_STORE=${pg%/*}/$db")
fi
mkdir -p "$work/bin"
ln -s "$bin" "$work/bin/leadflow"
for f in "$case_dir"/*; do
  case "$(basename "$f")" in cmd|stdout|stderr|exit) ;; *) cp -R "$f" "$work/" ;; esac
done
data=$(cd "$case_dir/../../../data" && pwd) || exit 2
( cd "$work" && env -i PATH="$work/bin:/usr/bin:/bin" HOME="$work" LC_ALL=C TZ=UTC \
    DATA="$data" "${store_env[@]}" ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
    timeout 240 bash -e "$case_dir/cmd" >"$work/.out" 2>"$work/.err" )
code=$?
echo "$code" >"$work/.exit"
if [ "${LF_REGEN:-0}" = 1 ]; then
  cp "$work/.out" "$case_dir/stdout"; cp "$work/.err" "$case_dir/stderr"
  cp "$work/.exit" "$case_dir/exit"
  exit 0
fi
fail=0
for k in stdout:.out stderr:.err exit:.exit; do
  exp=${k%%:*}; got=${k#*:}
  if ! diff -u "$case_dir/$exp" "$work/$got" >"$work/.diff" 2>&1; then
    echo "--- $exp differs:"; cat "$work/.diff"; fail=1
  fi
done
exit $fail
