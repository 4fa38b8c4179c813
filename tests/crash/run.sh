#!/usr/bin/env bash
# tests/crash/run.sh LEADFLOW_BINARY [quick|full]
#
# Crash, signal, full-disk and concurrency tests of the import (SPEC §1 Durability,
# §7 exit codes; issue 10). Every interrupted import must leave an intact store
# (PRAGMA integrity_check = ok) that readers can already report on, and running the
# same import sequence again must end with exactly the store of an uninterrupted
# import: `report all --format json` byte-identical to the reference.
#
#   1. reference: a generated 20,000-lead workspace imported without interruption
#   2. test-hook kills (LEADFLOW_TEST_KILL=rows:N|commit:N|replay:N, needs a binary
#      built with -DLF_TEST_HOOKS=ON) at points spread over the four imports; a
#      report on the killed store must equal the report of the committed prefix
#   3. real SIGKILL / SIGTERM / SIGINT at delays spread over an events import
#   4. full disk (tmpfs, when root may mount one)
#   5. concurrency: readers and writers beside an import that waits on stdin; a
#      writer that cannot get the lock within LEADFLOW_LOCK_TIMEOUT (exit 4, busy)
#
# `quick` (the ASan build) runs fewer points and skips the full-disk test; `full` (the
# default) runs them all. Exit 0 when every run passed, 1 otherwise (the failures are
# listed after the table), 77 (skip) when sqlite3 or python3 is missing.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ] || { [ $# -eq 2 ] && [ "$2" != quick ] && [ "$2" != full ]; }; then
    echo "usage: tests/crash/run.sh LEADFLOW_BINARY [quick|full]" >&2
    exit 1
fi
BIN=$(realpath "$1") || exit 1
[ -x "$BIN" ] || { echo "crash: not an executable: $1" >&2; exit 1; }
QUICK=0
[ "${2:-}" = quick ] && QUICK=1
for tool in sqlite3 python3 timeout cmp diff awk; do
    command -v "$tool" >/dev/null 2>&1 || { echo "crash: skipped: needs $tool" >&2; exit 77; }
done

unset LEADFLOW_TEST_KILL LEADFLOW_LOCK_TIMEOUT LEADFLOW_WORKSPACE LEADFLOW_STORE
export LC_ALL=C TZ=UTC

ASOF=2026-12-01T00:00:00Z
FROM=2025-01-01
TO=2027-01-01
KINDS=(leads events costs traffic)
BATCH=20000
TMO=600                   # upper bound of any one leadflow run (the ASan build is slow)

T=$(mktemp -d "${TMPDIR:-/tmp}/leadflow-crash.XXXXXX") || exit 1
MNT=
BGPIDS=()                  # background jobs not yet waited for (ended by cleanup)
cleanup() {
    local p
    [ ${#BGPIDS[@]} -gt 0 ] && exec 2>/dev/null   # no "Killed" job notices
    for p in "${BGPIDS[@]}"; do kill -KILL -- -"$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null; done
    [ ${#BGPIDS[@]} -gt 0 ] && sleep 0.2
    if [ -n "$MNT" ] && mountpoint -q "$MNT" 2>/dev/null; then
        umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
fgt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }   # float a > b
say() { printf 'crash: %s\n' "$*"; }

# ---- result bookkeeping -------------------------------------------------------
CATS=()                    # categories in order of first use
declare -A RUNS OKS NOTES
FAILS=()
cat_add() { # cat ok(0|1) [note]
    local c=$1
    if [ -z "${RUNS[$c]+x}" ]; then CATS+=("$c"); RUNS[$c]=0; OKS[$c]=0; NOTES[$c]=; fi
    RUNS[$c]=$((RUNS[$c] + 1))
    [ "$2" = 1 ] && OKS[$c]=$((OKS[$c] + 1))
    if [ -n "${3:-}" ]; then NOTES[$c]="${NOTES[$c]:+${NOTES[$c]}; }$3"; fi
}
cat_init() { # cat...: list these categories in this order, even before they have runs
    local c
    for c in "$@"; do
        [ -n "${RUNS[$c]+x}" ] || { CATS+=("$c"); RUNS[$c]=0; OKS[$c]=0; NOTES[$c]=; }
    done
}
fail() { # label message [detail file]
    local msg="$1: $2"
    if [ -n "${3:-}" ] && [ -s "$3" ]; then
        msg+=$'\n'"$(head -n 16 "$3" | cut -c 1-200 | sed 's/^/    /')"
    fi
    FAILS+=("$msg")
    say "FAIL $1: $2"
}

lf() { timeout -k 5 "$TMO" "$BIN" "$@"; }

# bg cmd...: runs a shell function in the background in its own process group (so
# that cleanup can end it with all its children); sets BGPID
bg() {
    set -m
    "$@" &
    BGPID=$!
    set +m
    BGPIDS+=("$BGPID")
}
bg_forget() { # pid: it was waited for; cleanup must not signal it (its id may be reused)
    local p keep=()
    for p in "${BGPIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    BGPIDS=("${keep[@]}")
}

report_all() { # ws out -> exit code of the report
    lf --workspace "$1" report all --format json --as-of "$ASOF" --from "$FROM" --to "$TO" \
        >"$2" 2>"$2.err"
}

new_ws() { # dir: a fresh workspace (copy of the generated leadflow.yaml)
    rm -rf "$1"
    mkdir -p "$1" && cp "$T/gen/leadflow.yaml" "$1/"
}

# ws_before kind dir: a workspace holding what the uninterrupted imports of the files
# before `kind` leave (a copy of the reference workspace taken at that point, which is
# what importing them again would give, only faster), with a fresh leadflow.yaml
ws_before() {
    local prev=
    case $1 in events) prev=leads ;; costs) prev=events ;; traffic) prev=costs ;; esac
    rm -rf "$2"
    if [ -n "$prev" ]; then cp -a "$T/snap.$prev" "$2"; fi
    new_ws_keep "$2"
}
new_ws_keep() { mkdir -p "$1" && cp "$T/gen/leadflow.yaml" "$1/"; }

# import_seq ws [kind spec]: imports the four files in order, the test hook set on
# the import of `kind` (which starts the sequence: the workspace was made by
# ws_before); stops at the first import that does not exit 0. Sets SEQ_RC and
# SEQ_KIND (the kind that failed, or empty). Output goes to $SEQ_LOG.out/.err
# (default: beside the workspace).
import_seq() {
    local ws=$1 hk=${2:-} spec=${3:-} k rc log=${SEQ_LOG:-$1} started=0
    SEQ_RC=0 SEQ_KIND=
    [ -z "$hk" ] && started=1
    for k in "${KINDS[@]}"; do
        [ "$k" = "$hk" ] && started=1
        [ $started = 1 ] || continue
        if [ "$k" = "$hk" ]; then
            LEADFLOW_TEST_KILL=$spec lf --workspace "$ws" import "$k" "$T/gen/$k.csv" \
                >>"$log.out" 2>>"$log.err"
        else
            lf --workspace "$ws" import "$k" "$T/gen/$k.csv" >>"$log.out" 2>>"$log.err"
        fi
        rc=$?
        if [ $rc -ne 0 ]; then SEQ_RC=$rc SEQ_KIND=$k; return; fi
    done
}

integrity() { # ws -> 0 when PRAGMA integrity_check says ok
    local r
    r=$(timeout 120 sqlite3 "$1/leadflow.db" 'PRAGMA integrity_check' 2>&1)
    [ "$r" = ok ] && return 0
    INTEGRITY_MSG=$(printf '%s' "$r" | head -n 3 | tr '\n' ' ')
    return 1
}

# after_interrupt label ws: integrity, a report on the interrupted store, the whole
# import sequence again, the report compared with the reference.
# Returns 0 when all held. Leaves the interrupted store's report in ws.mid.json.
after_interrupt() {
    local label=$1 ws=$2 ok=0 rc
    if ! integrity "$ws"; then
        fail "$label" "integrity_check after the interruption: $INTEGRITY_MSG"; ok=1
    fi
    report_all "$ws" "$ws.mid.json"; rc=$?
    if [ $rc -ne 0 ]; then
        fail "$label" "report on the interrupted store exited $rc" "$ws.mid.json.err"; ok=1
    fi
    : >"$ws.err"
    import_seq "$ws"
    if [ "$SEQ_RC" -ne 0 ]; then
        fail "$label" "re-running the import sequence: import $SEQ_KIND exited $SEQ_RC" "$ws.err"
        return 1
    fi
    report_all "$ws" "$ws.json"; rc=$?
    if [ $rc -ne 0 ]; then
        fail "$label" "report after the re-run exited $rc" "$ws.json.err"; return 1
    fi
    if ! cmp -s "$T/ref.json" "$ws.json"; then
        diff "$T/ref.json" "$ws.json" >"$ws.diff" 2>&1
        fail "$label" "report after the re-run differs from the uninterrupted import (diff ref got)" "$ws.diff"
        return 1
    fi
    return $ok
}

# bounded wait for a background pid: waits up to $2 seconds, then SIGKILLs it.
# Sets WAIT_RC (its exit status; 124 when it had to be killed).
wait_pid() {
    local pid=$1 limit=$2 i=0 n
    n=$(awk -v s="$limit" 'BEGIN { printf "%d", s * 20 }')
    while kill -0 "$pid" 2>/dev/null && [ $i -lt "$n" ]; do sleep 0.05; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL -- -"$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null; WAIT_RC=124
    else
        wait "$pid" 2>/dev/null; WAIT_RC=$?
    fi
    bg_forget "$pid"
}

wait_file() { # file seconds -> 0 when it appeared in time
    local i=0 n=$(($2 * 20))
    while [ ! -e "$1" ] && [ $i -lt $n ]; do sleep 0.05; i=$((i + 1)); done
    [ -e "$1" ]
}

T_START=$(now)
say "binary $BIN, mode $([ $QUICK = 1 ] && echo quick || echo full), work dir $T"

# ---- 1. data and reference ----------------------------------------------------
if ! lf generate --leads 20000 --seed 11 --out "$T/gen" >"$T/gen.out" 2>&1; then
    cat "$T/gen.out"; say "cannot generate the workspace"; exit 1
fi
declare -A NROWS
for k in "${KINDS[@]}"; do NROWS[$k]=$(($(wc -l <"$T/gen/$k.csv") - 1)); done
# a file without multi-line fields has one row per line: prefixes can be cut by line
PREFIX_OK=1
for k in "${KINDS[@]}"; do
    [ "$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))) - 1)' "$T/gen/$k.csv")" = "${NROWS[$k]}" ] || PREFIX_OK=0
done

REF=$T/ref
new_ws "$REF"
declare -A TIME
for k in "${KINDS[@]}"; do
    t0=$(now)
    lf --workspace "$REF" import "$k" "$T/gen/$k.csv" >>"$REF.out" 2>>"$REF.err"
    rc=$?
    TIME[$k]=$(elapsed "$t0")
    if [ $rc -ne 0 ]; then cat "$REF.err"; say "reference import of $k exited $rc"; exit 1; fi
    [ "$k" != traffic ] && cp -a "$REF" "$T/snap.$k"
done
if ! report_all "$REF" "$T/ref.json"; then
    cat "$T/ref.json.err"; say "reference report failed"; exit 1
fi
say "reference: leads ${NROWS[leads]} rows ${TIME[leads]} s, events ${NROWS[events]} rows ${TIME[events]} s, costs ${TIME[costs]} s, traffic ${TIME[traffic]} s"
rm -rf "$REF"

# Reference of a committed prefix: the files before `kind` whole, then the first
# `n` rows of `kind`. Cached by (kind, n); prints the path of its report.
prefix_ref() {
    local kind=$1 n=$2 out=$T/prefix.$1.$2.json ws=$T/prefix.ws k
    if [ ! -e "$out" ]; then
        ws_before "$kind" "$ws"; : >"$ws.err"
        head -n $((n + 1)) "$T/gen/$kind.csv" >"$T/prefix.csv"
        lf --workspace "$ws" import "$kind" "$T/prefix.csv" >>"$ws.out" 2>>"$ws.err" ||
            echo "prefix import of $kind exited $?" >>"$ws.err"
        report_all "$ws" "$out" || echo "prefix report exited $?" >>"$ws.err"
        [ -s "$ws.err" ] && cp "$ws.err" "$out.failed"
        rm -rf "$ws" "$T/prefix.csv"
    fi
    echo "$out"
}

# reader_check label ws kind n: the report taken on the interrupted store ($ws.mid.json)
# must equal that of an uninterrupted import of the first n rows of kind.csv
READER="reader on interrupted store"
reader_check() {
    local label=$1 ws=$2 kind=$3 n=$4 pr
    [ $PREFIX_OK = 1 ] && [ -s "$ws.mid.json" ] || return 0
    pr=$(prefix_ref "$kind" "$n")
    if [ -e "$pr.failed" ]; then
        fail "$label" "cannot build the reference of the first $n rows of $kind.csv" "$pr.failed"
        cat_add "$READER" 0
    elif cmp -s "$pr" "$ws.mid.json"; then
        cat_add "$READER" 1
    else
        diff "$pr" "$ws.mid.json" >"$ws.diff" 2>&1
        fail "$label" "report on the interrupted store differs from an import of its committed $n rows of $kind.csv (diff prefix got)" "$ws.diff"
        cat_add "$READER" 0
    fi
}

# ---- 2. test-hook kills ---------------------------------------------------------
HOOKS=0
new_ws "$T/probe"
LEADFLOW_TEST_KILL=rows:1 lf --workspace "$T/probe" import leads "$T/gen/leads.csv" \
    >/dev/null 2>"$T/probe.err"
[ $? -eq 137 ] && HOOKS=1
rm -rf "$T/probe"

NE=${NROWS[events]}
if [ $QUICK = 1 ]; then
    POINTS=("leads replay:10000" "events rows:20001" "events commit:10" "events replay:9000")
else
    POINTS=(
        "leads rows:1" "leads rows:12345" "leads rows:20000"
        "events rows:1" "events rows:19999" "events rows:20000" "events rows:20001"
        "events rows:40001" "events rows:210000" "events rows:$NE" "costs rows:50"
        "leads commit:1" "events commit:1" "events commit:10" "events commit:20"
        "events commit:$(((NE + BATCH - 1) / BATCH))" "traffic commit:1"
        "leads replay:10000" "leads replay:19999"
        "events replay:1" "events replay:9000" "events replay:19990"
    )
fi

# rows of `kind` committed when the hook fires, or empty when not known for sure
committed_rows() { # kind what n
    local total=${NROWS[$1]}
    case $2 in
    rows) [ $(($3 % BATCH)) -eq 0 ] && return; echo $(($3 / BATCH * BATCH)) ;;
    commit) local c=$(($3 * BATCH)); [ $c -gt "$total" ] && c=$total; echo $c ;;
    *) ;;
    esac
}

cat_init "rows-hook kill" "commit-hook kill" "replay-hook kill" "$READER"
if [ $HOOKS = 0 ]; then
    cat_add "test-hook kill" 0 "binary has no test hooks"
    fail "test hooks" "LEADFLOW_TEST_KILL=rows:1 did not kill the import: build with -DLF_TEST_HOOKS=ON" "$T/probe.err"
else
    i=0
    for p in "${POINTS[@]}"; do
        i=$((i + 1))
        kind=${p%% *} spec=${p#* } what=${spec%%:*} n=${spec#*:}
        label="hook $kind $spec"
        hcat="$what-hook kill"
        ws=$T/hook$i
        t0=$(now)
        ws_before "$kind" "$ws"
        import_seq "$ws" "$kind" "$spec"
        if [ "$SEQ_RC" -ne 137 ] || [ "$SEQ_KIND" != "$kind" ]; then
            if [ "$SEQ_RC" -eq 0 ]; then
                fail "$label" "the hook did not fire (the import sequence completed)"
            else
                fail "$label" "expected import $kind to be killed (137), got import ${SEQ_KIND:-?} exit $SEQ_RC" "$ws.err"
            fi
            cat_add "$hcat" 0; rm -rf "$ws" "$ws".*; continue
        fi
        ok=1
        after_interrupt "$label" "$ws" || ok=0
        # a reader on the killed store sees exactly the committed rows
        k=$(committed_rows "$kind" "$what" "$n")
        [ -n "$k" ] && reader_check "$label" "$ws" "$kind" "$k"
        cat_add "$hcat" $ok
        say "$label: $([ $ok = 1 ] && echo recovered exactly || echo FAILED) ($(elapsed "$t0") s)"
        rm -rf "$ws" "$ws".*
    done
fi

# ---- 3. real signals at timed delays ------------------------------------------
# signal_run sig fraction: from the store after leads, the events import gets `sig`
# after fraction * EV_EST (the uninterrupted events import time, re-measured whenever
# an import finishes before its signal; then the run is tried once more, since a
# load spike on a shared machine must not turn the test into a no-op).
EV_EST=${TIME[events]}
usec() { local t=${EPOCHREALTIME/[.,]/}; USEC=$((10#$t)); }
signal_run() {
    local sig=$1 frac=$2 ws=$T/sig d pid rc label ok=1 want cat try start lim note=
    case $sig in KILL) want=137 ;; TERM) want=143 ;; INT) want=130 ;; esac
    cat="SIG$sig (timed)"
    for try in 1 2; do
        d=$(awk -v t="$EV_EST" -v f="$frac" 'BEGIN { printf "%.2f", t * f }')
        label="$sig after ${d}s"
        ws_before events "$ws"
        : >"$ws.err"
        # the import itself is the background job (its pid gets the signal); SIGINT
        # and SIGTERM at their defaults, as from a terminal (bash ignores SIGINT in
        # asynchronous jobs)
        env --default-signal=INT,TERM "$BIN" --workspace "$ws" import events "$T/gen/events.csv" \
            >>"$ws.out" 2>>"$ws.err" &
        pid=$!
        BGPIDS+=("$pid")
        usec; start=$USEC lim=$(awk -v d="$d" 'BEGIN { printf "%d", d * 1e6 }')
        while kill -0 "$pid" 2>/dev/null; do
            usec; [ $((USEC - start)) -ge "$lim" ] && break
            sleep 0.01
        done
        usec
        kill -"$sig" "$pid" 2>/dev/null
        wait_pid "$pid" "$TMO" 2>/dev/null; rc=$WAIT_RC   # (no "Killed" job notice)
        [ $rc -ne 0 ] && break
        EV_EST=$(awk -v u=$((USEC - start)) 'BEGIN { printf "%.2f", u / 1e6 }')
        say "$label: the import finished before the signal, in ${EV_EST}s$([ $try = 1 ] && echo ': once more')"
        if [ $try = 1 ]; then rm -rf "$ws" "$ws".*; fi
    done
    if [ $rc -eq 0 ]; then
        note="finished before the signal at ${d}s"
    elif [ $rc -ne $want ]; then
        fail "$label" "expected exit $want, got $rc" "$ws.err"; ok=0
    elif [ $sig != KILL ]; then
        if ! grep -q '^leadflow: import interrupted' "$ws.err"; then
            fail "$label" "no 'leadflow: import interrupted' line on stderr" "$ws.err"; ok=0
        else
            say "$label: $(grep -m1 '^leadflow: import interrupted' "$ws.err")"
        fi
    fi
    # the message's "after N rows": a reader must see exactly those rows
    local n
    n=$(sed -n 's/^leadflow: import interrupted.* after \([0-9,]*\) rows.*/\1/p' "$ws.err" | head -n 1 | tr -d ,)
    after_interrupt "$label" "$ws" || ok=0
    [ -n "$n" ] && reader_check "$label" "$ws" events "$n"
    cat_add "$cat" $ok "$note"
    say "$label: exit $rc, $([ $ok = 1 ] && echo recovered exactly || echo FAILED)"
    rm -rf "$ws" "$ws".*
}

if [ $QUICK = 1 ]; then
    KILLS=(0.35 0.7) TERMS=(0.5) INTS=()
else
    KILLS=(0.1 0.25 0.4 0.55 0.7 0.85) TERMS=(0.15 0.35 0.55 0.75) INTS=(0.5)
fi
for f in "${KILLS[@]}"; do signal_run KILL "$f"; done
for f in "${TERMS[@]}"; do signal_run TERM "$f"; done
for f in "${INTS[@]}"; do signal_run INT "$f"; done

# ---- 4. full disk ----------------------------------------------------------------
# full_disk label kind: a tmpfs workspace; for events, leads are imported first and
# the tmpfs then shrunk to 4 MB above what they use; for leads, it is 4 MB from the
# start. The import of `kind` must fail with exit 4 and a message, the store stay
# intact; after growing the tmpfs the sequence again gives the reference.
full_disk() {
    local kind=$1 label="full disk during $1 import" ws=$MNT/ws ok=1 rc used
    if ! mount -t tmpfs -o size=256m tmpfs "$MNT" 2>/dev/null; then
        fail "$label" "cannot mount the tmpfs"; cat_add "full disk" 0; return
    fi
    mkdir -p "$ws" && cp "$T/gen/leadflow.yaml" "$ws/"
    if [ "$kind" = leads ]; then
        mount -o remount,size=4m "$MNT"
    else
        lf --workspace "$ws" import leads "$T/gen/leads.csv" >"$T/fd.out" 2>"$T/fd.err" ||
            { fail "$label" "leads import failed" "$T/fd.err"; ok=0; }
        used=$(du -sk "$MNT" | cut -f1)
        mount -o remount,size=$((used + 4096))k "$MNT"
    fi
    : >"$T/fd.err"
    lf --workspace "$ws" import "$kind" "$T/gen/$kind.csv" >>"$T/fd.out" 2>>"$T/fd.err"
    rc=$?
    if [ $rc -ne 4 ]; then
        fail "$label" "expected exit 4, got $rc" "$T/fd.err"; ok=0
    elif ! grep -q . "$T/fd.err"; then
        fail "$label" "exit 4 without a message"; ok=0
    else
        say "$label: exit 4: $(tr '\n' ' ' <"$T/fd.err")"
    fi
    if ! integrity "$ws"; then fail "$label" "integrity_check: $INTEGRITY_MSG"; ok=0; fi
    report_all "$ws" "$T/fd.mid.json"; rc=$?
    [ $rc -eq 0 ] || { fail "$label" "report on the full disk exited $rc" "$T/fd.mid.json.err"; ok=0; }
    mount -o remount,size=256m "$MNT"
    : >"$T/fd.err"
    SEQ_LOG=$T/fd import_seq "$ws"
    if [ "$SEQ_RC" -ne 0 ]; then
        fail "$label" "re-run after freeing space: import $SEQ_KIND exited $SEQ_RC" "$T/fd.err"; ok=0
    else
        integrity "$ws" || { fail "$label" "integrity_check after the re-run: $INTEGRITY_MSG"; ok=0; }
        if ! report_all "$ws" "$T/fd.json"; then
            fail "$label" "report after the re-run failed" "$T/fd.json.err"; ok=0
        elif ! cmp -s "$T/ref.json" "$T/fd.json"; then
            diff "$T/ref.json" "$T/fd.json" >"$T/fd.diff" 2>&1
            fail "$label" "report after the re-run differs from the uninterrupted import" "$T/fd.diff"; ok=0
        fi
    fi
    umount "$MNT" 2>/dev/null || umount -l "$MNT"
    cat_add "full disk" $ok
    say "$label: $([ $ok = 1 ] && echo recovered exactly || echo FAILED)"
}

if [ $QUICK = 1 ]; then
    say "full-disk test skipped: quick mode"
    cat_add "full disk" 1 "skipped (quick mode)"; RUNS["full disk"]=0; OKS["full disk"]=0
else
    MNT=$T/mnt
    mkdir -p "$MNT"
    why=
    if [ "$(id -u)" -ne 0 ]; then
        why="not root"
    elif ! why=$(mount -t tmpfs -o size=4m tmpfs "$MNT" 2>&1); then
        why=${why:-mount failed}
    else
        why=; umount "$MNT" 2>/dev/null || umount -l "$MNT"
    fi
    if [ -n "$why" ]; then
        say "full-disk test skipped: cannot mount tmpfs ($why)"
        cat_add "full disk" 1 "skipped: cannot mount tmpfs"; RUNS["full disk"]=0; OKS["full disk"]=0
    else
        full_disk events
        full_disk leads
    fi
fi

# ---- 5. concurrency -------------------------------------------------------------
# An import waiting on a slow stdin holds no write lock: a reader and another writer
# finish while it waits.
SLOW=3
CW=$T/conc
ws_before events "$CW"
# (timeout --foreground in background jobs: it stays in the job's process group,
# which cleanup ends)
slow_import() {
    { head -n 1 "$T/gen/events.csv"; sleep "$SLOW"; : >"$T/released"; tail -n +2 "$T/gen/events.csv"; } |
        timeout --foreground -k 5 "$TMO" "$BIN" --workspace "$CW" import events - >"$T/slow.out" 2>"$T/slow.err"
    echo "${PIPESTATUS[1]}" >"$T/slow.rc"
}
bg slow_import
SLOWPID=$BGPID
sleep 1
CONC_MARK=$T/released      # exists once the writer being raced has moved on
conc_one() { # label cmd...: must exit 0 without locked/busy while the writer waits
    local label=$1 t0 rc d; shift
    t0=$(now)
    timeout -k 2 10 "$@" >"$T/c.out" 2>"$T/c.err"; rc=$?
    d=$(elapsed "$t0")
    if [ $rc -ne 0 ]; then
        fail "$label" "exited $rc after ${d}s (expected 0 at once)" "$T/c.err"; cat_add "$label" 0
    elif grep -qiE 'locked|busy' "$T/c.err"; then
        fail "$label" "mentions locked/busy" "$T/c.err"; cat_add "$label" 0
    elif [ -e "$CONC_MARK" ]; then
        fail "$label" "finished only after the other writer went on (${d}s): it waited for it"
        cat_add "$label" 0
    else
        cat_add "$label" 1 "${d}s"
    fi
}
conc_one "report while import waits on stdin" "$BIN" --workspace "$CW" report sql --format json --as-of "$ASOF" --from "$FROM" --to "$TO"
conc_one "import while import waits on stdin" "$BIN" --workspace "$CW" import costs "$T/gen/costs.csv"
wait_pid "$SLOWPID" "$TMO"
src=$(cat "$T/slow.rc" 2>/dev/null || echo "?")
if [ "$src" != 0 ]; then
    fail "slow stdin import" "exited $src (wait: $WAIT_RC)" "$T/slow.err"
    cat_add "slow stdin import" 0
else
    # costs went in before events: the store must still be the reference one
    lf --workspace "$CW" import traffic "$T/gen/traffic.csv" >>"$CW.out" 2>>"$CW.err"
    if report_all "$CW" "$T/conc.json" && cmp -s "$T/ref.json" "$T/conc.json"; then
        cat_add "slow stdin import" 1
    else
        diff "$T/ref.json" "$T/conc.json" >"$T/conc.diff" 2>&1
        fail "slow stdin import" "store after the concurrent imports differs from the reference" "$T/conc.diff"
        cat_add "slow stdin import" 0
    fi
fi

# Writer against writer: python holds the write lock; a reader goes on, a writer with
# LEADFLOW_LOCK_TIMEOUT=1 gives up with exit 4 and 'busy'; with a longer timeout it
# waits and succeeds.
hold_lock() { # seconds marker
    timeout --foreground 60 python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[3], "w").close()
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")
open(sys.argv[3] + ".released", "w").close()
' "$CW/leadflow.db" "$1" "$2"
}
HOLD=4
rm -f "$T"/locked*
bg hold_lock "$HOLD" "$T/locked"; LOCKPID=$BGPID
CONC_MARK=$T/locked.released
if ! wait_file "$T/locked" 30; then
    fail "writer vs writer" "python3 could not take the write lock"; cat_add "writer waits, times out busy" 0
else
    t_lock=$(now)
    conc_one "report during a write lock" "$BIN" --workspace "$CW" report all --format json --as-of "$ASOF" --from "$FROM" --to "$TO"
    t0=$(now)
    LEADFLOW_LOCK_TIMEOUT=1 timeout -k 2 10 "$BIN" --workspace "$CW" import costs "$T/gen/costs.csv" \
        >"$T/w.out" 2>"$T/w.err"
    rc=$?
    d=$(elapsed "$t0") held=$(elapsed "$t_lock")
    if [ $rc -ne 4 ]; then
        fail "writer vs writer" "LEADFLOW_LOCK_TIMEOUT=1 import under a held lock: expected exit 4, got $rc after ${d}s" "$T/w.err"
        cat_add "writer waits, times out busy" 0
    elif ! grep -qi busy "$T/w.err"; then
        fail "writer vs writer" "exit 4 but no 'busy' on stderr" "$T/w.err"; cat_add "writer waits, times out busy" 0
    elif fgt 0.9 "$d" || fgt "$held" "$HOLD"; then
        fail "writer vs writer" "gave up after ${d}s (expected about 1 s, while the lock was held)" "$T/w.err"
        cat_add "writer waits, times out busy" 0
    else
        say "writer vs writer: exit 4 after ${d}s: $(head -n 1 "$T/w.err")"
        cat_add "writer waits, times out busy" 1 "gave up after ${d}s"
    fi
fi
wait_pid "$LOCKPID" 60
# the same writer with a long timeout waits for the lock and succeeds
rm -f "$T"/locked*
bg hold_lock 2 "$T/locked"; LOCKPID=$BGPID
if wait_file "$T/locked" 30; then
    t0=$(now)
    LEADFLOW_LOCK_TIMEOUT=30 timeout -k 2 40 "$BIN" --workspace "$CW" import costs "$T/gen/costs.csv" \
        >"$T/w.out" 2>"$T/w.err"
    rc=$? d=$(elapsed "$t0")
    if [ $rc -ne 0 ]; then
        fail "writer waits" "LEADFLOW_LOCK_TIMEOUT=30 import behind a 2 s lock: expected exit 0, got $rc after ${d}s" "$T/w.err"
        cat_add "writer waits, times out busy" 0
    else
        cat_add "writer waits, times out busy" 1 "waited ${d}s for a 2 s lock"
    fi
else
    fail "writer waits" "python3 could not take the write lock"; cat_add "writer waits, times out busy" 0
fi
wait_pid "$LOCKPID" 60
if ! integrity "$CW"; then
    fail "concurrency" "integrity_check: $INTEGRITY_MSG"; cat_add "slow stdin import" 0
fi

# ---- 6. the table ----------------------------------------------------------------
echo
printf '%-36s | %4s | %s\n' fault runs outcome
printf '%-36s-+-%4s-+-%s\n' "$(printf '%.0s-' {1..36})" ---- "$(printf '%.0s-' {1..40})"
for c in "${CATS[@]}"; do
    r=${RUNS[$c]} o=${OKS[$c]}
    case $c in
    "$READER") good="equal to the committed prefix" ;;
    *kill* | SIG* | "full disk" | "slow stdin import") good="recovered exactly" ;;
    *) good=ok ;;
    esac
    if [ "$r" -eq 0 ]; then out=${NOTES[$c]}
    elif [ "$o" -eq "$r" ]; then out="$o $good${NOTES[$c]:+ (${NOTES[$c]})}"
    else out="$o of $r $good, $((r - o)) FAILED${NOTES[$c]:+ (${NOTES[$c]})}"
    fi
    printf '%-36s | %4s | %s\n' "$c" "$r" "$out"
done
echo
say "total time $(elapsed "$T_START") s"
if [ ${#FAILS[@]} -gt 0 ]; then
    echo
    say "${#FAILS[@]} failure(s):"
    for f in "${FAILS[@]}"; do printf -- '- %s\n' "$f"; done
    exit 1
fi
say "all runs passed"
exit 0
