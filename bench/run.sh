#!/usr/bin/env bash
# Benchmark harness: import throughput and peak memory of leadflow beside the
# sqlite3 shell's `.import` of the same files into plain tables, in the same run on
# the same machine; then each report beside equivalent SQL (bench/reference.sql).
#
#   bench/run.sh [LEADS] [SEED]     (default 1000000 leads, seed 7)
#
# Work files go to bench/work/ (ignored by git). Figures are printed as a table;
# ratios are leadflow / reference (lower time is better).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LEADS=${1:-1000000}
SEED=${2:-7}
LF="${LF:-$ROOT/build/release/leadflow}"
W="$ROOT/bench/work"
DATA="$W/data-$LEADS-$SEED"
[ -x "$LF" ] || { echo "bench: build first (./run.sh build)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 shell missing" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: GNU time missing (apt-get install time)" >&2; exit 1; }
mkdir -p "$W"

# measure LABEL CMD...: runs CMD, records wall seconds and peak RSS (KiB)
declare -A WALL RSS
measure() {
  local label=$1; shift
  local out="$W/time.$label"
  /usr/bin/time -f '%e %M' -o "$out" "$@" >"$W/out.$label" 2>"$W/err.$label" || {
    echo "bench: '$label' failed:" >&2; cat "$W/err.$label" >&2; exit 1; }
  read -r WALL[$label] RSS[$label] <"$out"
}

if [ ! -f "$DATA/events.csv" ]; then
  echo "generating $LEADS leads (seed $SEED) ..."
  measure generate "$LF" generate --leads "$LEADS" --seed "$SEED" --out "$DATA"
  echo "  ${WALL[generate]} s, peak ${RSS[generate]} KiB"
fi
lead_rows=$(($(wc -l <"$DATA/leads.csv") - 1))
event_rows=$(($(wc -l <"$DATA/events.csv") - 1))
lead_mb=$(du -m "$DATA/leads.csv" | cut -f1)
event_mb=$(du -m "$DATA/events.csv" | cut -f1)
echo "data: $lead_rows lead rows ($lead_mb MB), $event_rows event lines ($event_mb MB)"

# leadflow: a fresh workspace using the generated configuration
WS="$W/ws-$LEADS-$SEED"
rm -rf "$WS"; mkdir -p "$WS"; cp "$DATA/leadflow.yaml" "$WS/"
measure lf_leads "$LF" --workspace "$WS" import leads "$DATA/leads.csv" || true
measure lf_events "$LF" --workspace "$WS" import events "$DATA/events.csv" || true
"$LF" --workspace "$WS" import costs "$DATA/costs.csv" >/dev/null 2>&1 || true
"$LF" --workspace "$WS" import traffic "$DATA/traffic.csv" >/dev/null 2>&1 || true

# reference: sqlite3 shell .import into plain tables (no validation, no lifecycle)
REF="$W/ref-$LEADS-$SEED.db"
rm -f "$REF"
measure ref_leads sqlite3 "$REF" -cmd "PRAGMA journal_mode=WAL" ".import --csv $DATA/leads.csv leads"
measure ref_events sqlite3 "$REF" -cmd "PRAGMA journal_mode=WAL" ".import --csv $DATA/events.csv events"

row() { # label rows mb wall rss
  awk -v l="$1" -v r="$2" -v m="$3" -v w="$4" -v k="$5" \
    'BEGIN { printf "%-26s %10.1f s %12.0f rows/s %8.1f MB/s %8.0f MiB peak\n", l, w, r / (w > 0 ? w : 0.01), m / (w > 0 ? w : 0.01), k / 1024 }'
}
echo
echo "import throughput"
row "leadflow import leads" "$lead_rows" "$lead_mb" "${WALL[lf_leads]}" "${RSS[lf_leads]}"
row "sqlite3 .import leads" "$lead_rows" "$lead_mb" "${WALL[ref_leads]}" "${RSS[ref_leads]}"
row "leadflow import events" "$event_rows" "$event_mb" "${WALL[lf_events]}" "${RSS[lf_events]}"
row "sqlite3 .import events" "$event_rows" "$event_mb" "${WALL[ref_events]}" "${RSS[ref_events]}"
awk -v a="${WALL[lf_events]}" -v b="${WALL[ref_events]}" -v c="${RSS[lf_events]}" -v d="${RSS[ref_events]}" \
  'BEGIN { printf "events: leadflow / sqlite3 .import = %.2fx time, %.2fx peak memory\n", a / b, c / d }'
echo "(leadflow validates every row, keeps an idempotent log with a unique identity index,"
echo " and replays every lead's lifecycle; sqlite3 .import only appends text rows)"

# reports, if the report command exists in this build
if "$LF" report --help >/dev/null 2>&1; then
  ASOF=$(awk -F, 'NR > 1 { print substr($3, 1, 10) }' "$DATA/leads.csv" | sort | tail -1)
  echo
  echo "reports (as of $ASOF, default range) beside the equivalent SQL in bench/reference.sql"
  # the first report after an import builds the dataset snapshot (leadflow.db.snapshot);
  # every later report maps it
  measure rep_first "$LF" --workspace "$WS" report funnel --as-of "$ASOF" --format json
  awk -v l="first report (builds snapshot)" -v w="${WALL[rep_first]}" -v k="${RSS[rep_first]}" \
    'BEGIN { printf "%-28s %6.2f s %8.0f MiB peak\n", l, w, k / 1024 }'
  for r in funnel mql sql velocity speed cost bizday persona channel customers scoring; do
    measure "rep_$r" "$LF" --workspace "$WS" report "$r" --as-of "$ASOF" --format json
    awk -v l="leadflow report $r" -v w="${WALL[rep_$r]}" -v k="${RSS[rep_$r]}" -v n="$lead_rows" \
      'BEGIN { printf "%-28s %6.2f s %8.0f MiB peak %6.0f bytes/lead\n", l, w, k / 1024, k * 1024 / n }'
  done
  measure ref_sql sqlite3 "$WS/leadflow.db" -cmd ".param set :asof '$ASOF'" ".read $ROOT/bench/reference.sql"
  awk -v w="${WALL[ref_sql]}" -v k="${RSS[ref_sql]}" \
    'BEGIN { printf "%-28s %6.2f s %8.0f MiB peak\n", "sqlite3 reference.sql (all)", w, k / 1024 }'
fi

# scoring: rescore replays every lead under the configuration (the generated one has a
# scoring section); whatif replays every lead twice, in memory
echo
measure rescore "$LF" --workspace "$WS" rescore --timing
row "leadflow rescore" "$event_rows" "$event_mb" "${WALL[rescore]}" "${RSS[rescore]}"
grep 'events/s' "$W/out.rescore" | sed 's/^/  /'   # in memory, goal: >= 5 million events/s
sed 's/engagement_at_least: 50/engagement_at_least: 40/' "$WS/leadflow.yaml" >"$W/other.yaml"
measure whatif "$LF" --workspace "$WS" whatif --config "$W/other.yaml"
row "leadflow whatif (2 replays)" "$event_rows" "$event_mb" "${WALL[whatif]}" "${RSS[whatif]}"
