#!/usr/bin/env bash
# Runs one golden CLI test case.
#   run_case.sh LEADFLOW_BINARY CASE_DIR
# CASE_DIR holds `cmd` (a bash script; `leadflow` is on PATH, $DATA is tests/data),
# the expected `stdout`, `stderr` and `exit`, and any input files, which are copied
# into a fresh temp dir where cmd runs with LC_ALL=C TZ=UTC. Output is compared byte
# for byte. LF_REGEN=1 rewrites the expected files instead (then check them by hand).
# LF_CASE_PG=1 runs the case on PostgreSQL, on the server of LEADFLOW_TEST_PG_URL
# (tests/pg/fixture.sh): `leadflow` on PATH is then tests/cli/pg_leadflow.sh, which runs
# the binary with LEADFLOW_STORE set to a database of its own for each workspace
# directory the case uses (created on first use, all dropped at the end), so the same
# cmd, stdout, stderr and exit hold on both backends. CMakeLists.txt registers the
# cases a second time so, as cli_pg_NAME, but for the few listed there with the reason.
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
mkdir -p "$work/bin"
if [ "${LF_CASE_PG:-0}" = 1 ]; then
  pg=${LEADFLOW_TEST_PG_URL:?LF_CASE_PG=1 needs LEADFLOW_TEST_PG_URL}
  # the wrapper's state, outside the case's directory (cases list and find files there)
  pgstate=$(mktemp -d "${TMPDIR:-/tmp}/lfcasepg.XXXXXX") && [ -n "$pgstate" ] || exit 2
  drop_all() {
    while IFS=$'\t' read -r db _; do
      psql -q "$pg" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
    done <"$pgstate/map"
  }
  trap 'drop_all; rm -rf "$work" "$pgstate"' EXIT
  echo "${pg%/*}" >"$pgstate/url"
  echo "lfcase_$$_${RANDOM}" >"$pgstate/prefix"
  : >"$pgstate/map"
  printf '#!/usr/bin/env bash\nexec %q %q %q "$@"\n' \
    "$(dirname "$(readlink -f "$0")")/pg_leadflow.sh" "$bin" "$pgstate" >"$work/bin/leadflow"
  chmod +x "$work/bin/leadflow"
else
  ln -s "$bin" "$work/bin/leadflow"
fi
for f in "$case_dir"/*; do
  case "$(basename "$f")" in cmd|stdout|stderr|exit) ;; *) cp -R "$f" "$work/" ;; esac
done
data=$(cd "$case_dir/../../../data" && pwd) || exit 2
( cd "$work" && env -i PATH="$work/bin:/usr/bin:/bin" HOME="$work" LC_ALL=C TZ=UTC \
    DATA="$data" ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
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
