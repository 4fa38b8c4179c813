#!/usr/bin/env bash
# `leadflow copy` both ways: the basic data set (with a webhook, so the outbox holds
# deliveries) and a generated workspace (with spend, traffic and a rejected row)
# imported into SQLite, copied to a new PostgreSQL database, copied back into a new
# SQLite file; `report all --format json`, `ignored`, `rejects` and `deliver --list`
# are the same bytes at every step, the derived tables of the copy back hold what the
# original's do, and a copy into a store that is not empty is refused (exit 4).
#   test_copy.sh LEADFLOW_BINARY    (LEADFLOW_TEST_PG_URL: a server, tests/pg/fixture.sh)
set -eu
bin=$(readlink -f "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -n "${LEADFLOW_TEST_PG_URL:-}" ] || { echo "no LEADFLOW_TEST_PG_URL: skipped"; exit 77; }
work=$(mktemp -d /tmp/lfcopy.XXXXXX)
dbs=()
cleanup() {
  for d in "${dbs[@]}"; do
    psql -q "$LEADFLOW_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
newdb() { # a new database named lfcopy_PID_$1, dropped at the end; sets $pg to its URL
  local name="lfcopy_$$_$1"
  dbs+=("$name")
  psql -q "$LEADFLOW_TEST_PG_URL" -c "CREATE DATABASE $name" >/dev/null
  pg="${LEADFLOW_TEST_PG_URL%/*}/$name"
}
export LC_ALL=C TZ=UTC LF_TEST_HOOK_SECRET=0123456789abcdef0123
views() { # the bytes compared: every report, ignored events, rejected rows, the outbox
  "$bin" --store "$1" report all --format json --as-of 2026-12-01T00:00:00Z 2>/dev/null
  "$bin" --store "$1" ignored
  "$bin" --store "$1" rejects
  "$bin" --store "$1" deliver --list
}
check() { # NAME DIR: import in DIR, copy there and back, compare
  local name=$1 dir=$2 pg
  newdb "$name"
  cd "$dir"
  views leadflow.db >sqlite.txt
  "$bin" copy --from leadflow.db --to "$pg"
  views "$pg" >pg.txt
  cmp sqlite.txt pg.txt || { diff sqlite.txt pg.txt | head -20; echo "$name: SQLite -> PostgreSQL differs"; exit 1; }
  "$bin" copy --from "$pg" --to back.db
  views back.db >back.txt
  cmp sqlite.txt back.txt || { diff sqlite.txt back.txt | head -20; echo "$name: PostgreSQL -> SQLite differs"; exit 1; }
  # the derived state itself, also of leads without events (rowids and seqs renumbered)
  local q="SELECT stage, count(*) FROM lead_state GROUP BY stage; SELECT to_stage, cause,
    count(*) FROM transitions GROUP BY 1, 2; SELECT outcome, count(*) FROM handoffs GROUP BY 1;
    SELECT reason, count(*) FROM ignored GROUP BY 1; SELECT count(*) FROM pending;"
  sqlite3 leadflow.db "$q" >derived.txt
  sqlite3 back.db "$q" >derived.back.txt
  cmp derived.txt derived.back.txt || { diff derived.txt derived.back.txt; echo "$name: derived state differs"; exit 1; }
  if "$bin" copy --from leadflow.db --to "$pg" 2>err.txt; then
    echo "$name: a copy into a store that is not empty was not refused"; exit 1
  fi
  grep -q "is not empty" err.txt
  echo "$name: the same reports in SQLite, PostgreSQL and back"
}
mkdir "$work/basic"
cp "$root/tests/data/basic/leadflow.yaml" "$work/basic/"
printf 'webhooks:\n  - url: http://127.0.0.1:1/hook\n    secret_env: LF_TEST_HOOK_SECRET\n    events: [handoff.opened, handoff.decided]\n    max_age: 36500d\n' \
  >>"$work/basic/leadflow.yaml"
( cd "$work/basic" && "$bin" import leads "$root/tests/data/basic/leads.csv" >/dev/null &&
  "$bin" import events "$root/tests/data/basic/events.csv" >/dev/null &&
  printf 'id,email,created_at,source\nNOEVENTS,n@example.com,2026-02-02T09:00:00,google\n' >more.csv &&
  "$bin" import leads more.csv >/dev/null ) # and a lead without events
check basic "$work/basic"
grep -q "handoff.opened" "$work/basic/pg.txt" || { echo "basic: no deliveries were copied"; exit 1; }
# 5,500 leads: copy writes leads in batches of 5,000, so a full one and a last one
"$bin" generate --leads 5500 --seed 11 --out "$work/gen" >/dev/null
( cd "$work/gen" && for k in leads events costs traffic; do "$bin" import $k $k.csv >/dev/null; done
  printf 'id,created_at\n,2026-01-01\n' >bad.csv
  "$bin" import leads bad.csv >/dev/null 2>&1 || true )
check generated "$work/gen"
