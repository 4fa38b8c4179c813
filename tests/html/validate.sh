#!/usr/bin/env bash
# HTML validity of the report pages (a ctest test, see CMakeLists.txt):
#   validate.sh LEADFLOW_BINARY TESTS_DATA_DIR
# Renders `report all` and every single report as HTML on the money and hostile
# workspaces and checks each page with HTML Tidy (Debian's `tidy`, HTML5 mode): any
# error or warning fails the test. Exit 77 (skipped) only when tidy is not installed;
# `./run.sh test` installs it.
set -euo pipefail
bin=$(readlink -f "$1"); data=$(cd "$2" && pwd)
if ! command -v tidy >/dev/null 2>&1; then
  echo "SKIP: tidy is not installed (./run.sh test installs it)"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/lfhtml.XXXXXX")
trap 'rm -rf "$work"' EXIT
export LC_ALL=C TZ=UTC
opts=(--from 2026-01-01 --to 2026-05-01 --as-of 2026-04-15)
fail=0 pages=0
for ws in money hostile; do
  mkdir -p "$work/$ws"
  cp "$data/$ws/leadflow.yaml" "$work/$ws/"
  for kind in leads events costs traffic; do
    [ -f "$data/$ws/$kind.csv" ] &&
      "$bin" --workspace "$work/$ws" import "$kind" "$data/$ws/$kind.csv" >/dev/null
  done
  names=$("$bin" --workspace "$work/$ws" report nope 2>&1 | sed -n 's/^reports: //p' || true)
  # without the list only `all` would be checked, and the test would still pass
  [ -n "$names" ] || { echo "FAIL $ws: could not read the list of reports"; exit 1; }
  for name in all $names; do
    page="$work/$ws/$name.html"
    "$bin" --workspace "$work/$ws" report "$name" "${opts[@]}" --format html -o "$page"
    pages=$((pages + 1))
    # -q: only problems; -e: errors and warnings, no output document
    if ! out=$(tidy -q -e --show-warnings yes "$page" 2>&1) || [ -n "$out" ]; then
      echo "FAIL $ws/$name.html:"
      echo "$out" | head -20
      fail=1
    fi
  done
done
[ "$fail" = 0 ] && echo "ok: $pages pages valid"
exit $fail
