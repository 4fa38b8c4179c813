#!/usr/bin/env bash
# The PostgreSQL store beside SQLite: import (leads, events) and `report all` of the
# same generated workspace into an SQLite file and into a throwaway PostgreSQL 15
# server on loopback (tests/pg/pg_server.sh, fsync on, started and removed by this
# script), then `leadflow copy` from the SQLite file into a second database; the two
# stores' `report all --format json` must be the same bytes.
#
#   bench/pg.sh [LEADS] [SEED]     (default 20000 leads, seed 7)
#
# Then a second, scattered events file (a copy of every 100th event under a new id: a
# fifth of the leads, spread over all of them) is imported into both: its replay reads
# the events of listed leads (lf_store_scan_events), not of a range.
# Work files go to bench/work/ (ignored by git). Wall seconds and peak RSS per step.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LEADS=${1:-20000}
SEED=${2:-7}
LF="${LF:-$ROOT/build/release/leadflow}"
W="$ROOT/bench/work"
DATA="$W/data-$LEADS-$SEED"
[ -x "$LF" ] || { echo "bench: build first (./run.sh build)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: GNU time missing (apt-get install time)" >&2; exit 1; }
mkdir -p "$W"
PGDIR=$(mktemp -d /tmp/lfbenchpg.XXXXXX)
trap '"$ROOT/tests/pg/pg_server.sh" stop "$PGDIR"' EXIT
URL=$(PG_SERVER_FSYNC=on "$ROOT/tests/pg/pg_server.sh" start "$PGDIR")
BASE=${URL%/*}
for db in bench copy; do psql -q "$URL" -c "CREATE DATABASE lfbench_$db"; done

declare -A WALL RSS
measure() { # LABEL CMD...: wall seconds and peak RSS (KiB) of CMD
  local label=$1; shift
  /usr/bin/time -f '%e %M' -o "$W/time.$label" "$@" >"$W/out.$label" 2>"$W/err.$label" || {
    echo "bench: '$label' failed:" >&2; cat "$W/err.$label" >&2; exit 1; }
  read -r WALL[$label] RSS[$label] <"$W/time.$label"
}

if [ ! -f "$DATA/events.csv" ]; then
  echo "generating $LEADS leads (seed $SEED) ..."
  "$LF" generate --leads "$LEADS" --seed "$SEED" --out "$DATA" >/dev/null
fi
leads=$(($(wc -l <"$DATA/leads.csv") - 1))
events=$(($(wc -l <"$DATA/events.csv") - 1))
awk 'NR == 1 { print; next } NR % 100 == 0 { print "S" $0 }' "$DATA/events.csv" \
  >"$W/scattered.csv"
scattered=$(($(wc -l <"$W/scattered.csv") - 1))
echo "data: $leads leads, $events events ($scattered scattered)"
WS="$W/pgws-$LEADS-$SEED"
rm -rf "$WS"; mkdir -p "$WS"; cp "$DATA/leadflow.yaml" "$WS/"
ASOF=(--as-of 2026-12-01T00:00:00Z)
for b in sqlite pg; do
  if [ $b = sqlite ]; then store="$WS/leadflow.db"; else store="$BASE/lfbench_bench"; fi
  measure ${b}_leads "$LF" --workspace "$WS" --store "$store" import leads "$DATA/leads.csv"
  measure ${b}_events "$LF" --workspace "$WS" --store "$store" import events "$DATA/events.csv"
  measure ${b}_scattered "$LF" --workspace "$WS" --store "$store" import events "$W/scattered.csv"
  rm -f "$WS"/*.snapshot
  measure ${b}_report "$LF" --workspace "$WS" --store "$store" report all --format json "${ASOF[@]}"
  cp "$W/out.${b}_report" "$W/report.$b.json"
  rm -f "$WS"/*.snapshot
done
measure copy "$LF" --workspace "$WS" copy --from "$WS/leadflow.db" --to "$BASE/lfbench_copy"
rm -f "$WS"/*.snapshot
"$LF" --workspace "$WS" --store "$BASE/lfbench_copy" report all --format json "${ASOF[@]}" \
  >"$W/report.copy.json" 2>/dev/null
cmp -s "$W/report.sqlite.json" "$W/report.pg.json" || { echo "bench: reports differ (SQLite, PostgreSQL)" >&2; exit 1; }
cmp -s "$W/report.sqlite.json" "$W/report.copy.json" || { echo "bench: reports differ (SQLite, copy)" >&2; exit 1; }

row() { # LABEL ROWS LABEL_OF_MEASURE
  awk -v l="$1" -v r="$2" -v w="${WALL[$3]}" -v k="${RSS[$3]}" \
    'BEGIN { printf "%-34s %8.2f s %10.0f rows/s %6.0f MiB peak\n", l, w, r / (w > 0 ? w : 0.01), k / 1024 }'
}
echo
row "import leads, SQLite" "$leads" sqlite_leads
row "import leads, PostgreSQL" "$leads" pg_leads
row "import events, SQLite" "$events" sqlite_events
row "import events, PostgreSQL" "$events" pg_events
row "import scattered events, SQLite" "$scattered" sqlite_scattered
row "import scattered events, PostgreSQL" "$scattered" pg_scattered
row "report all (no cache), SQLite" "$leads" sqlite_report
row "report all (no cache), PostgreSQL" "$leads" pg_report
row "copy SQLite -> PostgreSQL (events)" "$((events + scattered))" copy
echo "reports: the same bytes from SQLite, PostgreSQL and the copy"
