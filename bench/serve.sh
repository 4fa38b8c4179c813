#!/bin/sh
# bench/serve.sh — throughput and latency of `leadflow serve` ingest with durable
# acknowledgement (SPEC §8, issue 13), on loopback only, every run bounded.
#
#   bench/serve.sh [LEADFLOW_BINARY]      (default build/release/leadflow)
#   BENCH_SECS=10 (seconds per run)  BENCH_LEADS=100000  BENCH_THREADS=2 (wrk threads)
#   BENCH_SERVER_THREADS=4 (serve --threads: a request waiting for its group is a
#   suspended connection, not a thread, so few threads serve any group size)
#   BENCH_SCORING=1 (a scoring model in the workspace: every page view is then scored
#   and its lead replayed; without scoring an activity changes nothing derived and
#   costs no replay, so this is the heavier case)
#   BENCH_RUNS="h16 s16 b2 b16 s64 b64 r64" (which runs, in order; h16 is the reference:
#   GET /healthz, the HTTP ceiling of the machine in the same run; b2 shows a batch's
#   latency when few wait: wrk's clients are closed loops, so at 16 connections a batch
#   waits behind up to 15 others, ~70 ms at 230,000 events/s whatever the server does)
#   BENCH_LOG=FILE (keep the server's stderr; with LEADFLOW_INGEST_TIMING=1 it has one
#   timing line per group)
#
# Runs wrk (Debian package `wrk`, installed here when missing and root) with Lua scripts
# against a fresh workspace: single-event POSTs and 1,000-event NDJSON batches at 16 and
# 64 connections (requests/s, events/s, p50/p99), and GET /v1/reports/sql at 2
# connections while 64 connections post single events. Every event has its own id, so
# every acknowledged event is a committed, synced row. Events are spread over all the
# leads (a multiplicative hash of thread, request and item), as a live stream over a
# lead base is; a lead's events are replayed whole when it gets a new one, so fewer
# leads (BENCH_LEADS=1000: hundreds of events a lead within seconds) measure the hot-
# lead worst case. Not part of the test suite.
set -eu
BIN=${1:-build/release/leadflow}
SECS=${BENCH_SECS:-10}
LEADS=${BENCH_LEADS:-100000}
WT=${BENCH_THREADS:-2}
[ -x "$BIN" ] || { echo "bench/serve.sh: no binary at $BIN" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
    else
        echo "bench/serve.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2
    fi
fi
TMP=$(mktemp -d /tmp/lfbench.XXXXXX)
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null
    [ -n "${BENCH_LOG:-}" ] && cp "$TMP/server.log" "$BENCH_LOG"; rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
TOKEN=bench-write-token-0123456789
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
"$BIN" init "$TMP/ws" >/dev/null
if [ "${BENCH_SCORING:-0}" = 1 ]; then
    printf '%s\n' 'scoring:' '  fit:' '    - {when: {source: {equals: google}}, points: 10}' \
        '  engagement:' '    - {type: page_view, points: 1, max_per_day: 5}' \
        '  decay: {half_life: 10d}' '  mql: {fit_at_least: 10, engagement_at_least: 1000}' \
        >>"$TMP/ws/leadflow.yaml"
fi
{ echo "id,email,created_at,source"; i=0; while [ $i -lt "$LEADS" ]; do
    echo "B$i,b$i@bench.example,2026-01-05T09:00:00,google"; i=$((i+1)); done; } >"$TMP/leads.csv"
"$BIN" --workspace "$TMP/ws" import leads "$TMP/leads.csv" >/dev/null
LEADFLOW_TOKENS="write:$TOKEN" "$BIN" --workspace "$TMP/ws" serve --listen 127.0.0.1:$PORT \
    --threads "${BENCH_SERVER_THREADS:-4}" 2>"$TMP/server.log" &
PID=$!
for _ in $(seq 100); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# One Lua script for both shapes: BATCH events a request (1 = one JSON object).
cat >"$TMP/post.lua" <<LUA
local counter = 1
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
batch = tonumber(os.getenv("LF_BATCH")); run = os.getenv("LF_RUN"); n = 0
function init(args)
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer $TOKEN"
  wrk.headers["Content-Type"] = batch > 1 and "application/x-ndjson" or "application/json"
end
local function event(k)
  return string.format('{"id":"%s-%d-%d-%d","lead_id":"B%d","ts":"2026-02-%02dT10:00:00","type":"page_view","detail":"/p"}',
    run, tid, n, k, (tid * 7919 + n * 104729 + k * 1299709) % $LEADS, 1 + (n + k) % 27)
end
function request()
  n = n + 1
  local parts = {}
  for k = 1, batch do parts[k] = event(k) end
  return wrk.format(nil, "/v1/events", nil, table.concat(parts, "\n") .. "\n")
end
function done(summary, latency, requests)
  local s = summary.duration / 1e6
  local ok = summary.requests - summary.errors.status - summary.errors.connect - summary.errors.read - summary.errors.write - summary.errors.timeout
  io.write(string.format("  requests/s %9.0f  events/s %10.0f  p50 %7.2f ms  p99 %7.2f ms  errors %d\n",
    summary.requests / s, ok * batch / s, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests - ok))
end
LUA
cat >"$TMP/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
function done(summary, latency, requests)
  io.write(string.format("  GET /v1/reports/sql: requests/s %7.1f  p50 %7.2f ms  p99 %7.2f ms  errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status))
end
LUA
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; } # the server's user + system CPU
HZ=$(getconf CLK_TCK)
post() { # CONNECTIONS BATCH RUN: wrk's line, then the server's CPU time per event (all
         # its threads; less sensitive to other load on the machine than events/s)
    t0=$(ticks)
    out=$(LF_BATCH=$2 LF_RUN=$3 wrk -t"$WT" -c"$1" -d"${SECS}s" --timeout 10s -s "$TMP/post.lua" "$URL" | grep -E '^  (requests|GET)')
    t1=$(ticks)
    echo "$out"
    echo "$out" | awk -v t="$((t1 - t0))" -v hz="$HZ" -v secs="$SECS" '/events\/s/ {
        ev = $4 * secs; if (ev > 0) printf "  server CPU %.2f cores, %.1f us an event\n", t / hz / secs, t / hz * 1e6 / ev }'
}
echo "leadflow serve on 127.0.0.1 ($(nproc) cores), ${SECS}s a run, $LEADS leads, durable commits$([ "${BENCH_SCORING:-0}" = 1 ] && echo ', scoring')"
for run in ${BENCH_RUNS:-h16 s16 b2 b16 s64 b64 r64}; do
    sleep 2 # the previous run's last requests (cut off by wrk) are written meanwhile
    c=${run#?}
    case $run in
    h*) echo "reference: GET /healthz (no store, no token), $c connections:"
        wrk -t"$WT" -c"$c" -d"${SECS}s" --timeout 10s "$URL/healthz" |
            awk '/Requests\/sec/ {printf "  requests/s %9.0f\n", $2}' ;;
    s*) echo "single events, $c connections:"; post "$c" 1 "$run" ;;
    b*) echo "NDJSON batches of 1000 events, $c connections:"; post "$c" 1000 "$run" ;;
    r*) echo "single events, $c connections, with GET /v1/reports/sql at 2 connections:"
        wrk -t1 -c2 -d"${SECS}s" --timeout 10s -s "$TMP/get.lua" "$URL/v1/reports/sql?format=json" | grep -E '^  GET' &
        GET_PID=$!
        post "$c" 1 "$run"
        wait "$GET_PID" 2>/dev/null || true ;; # not %1: in sh that can be the server
    esac
done
