#!/usr/bin/env bash
# Builds the libFuzzer targets under fuzz/ with clang (-fsanitize=fuzzer,address,
# undefined) from the sources each needs, and runs each for a short fixed time on a
# seed corpus from tests/data. Any crash, leak, sanitizer report, hang (-timeout) or
# memory blow-up (-rss_limit_mb) fails the test; the input is kept in WORK_DIR.
#   run.sh SRC_DIR ASSETS_C WORK_DIR
# ASSETS_C is the build's generated assets.c (the config loader embeds the example).
# LF_FUZZ_TIME: seconds per target (default 20). Exit 77 (skipped) only when clang or
# its libFuzzer runtime is missing; ./run.sh test installs both.
set -u
if [ $# -ne 3 ] || [ ! -f "${1:-}/fuzz/fuzz_csv.c" ] || [ ! -f "${2:-}" ]; then
  echo "usage: run.sh SRC_DIR ASSETS_C WORK_DIR (got '$*')" >&2
  exit 2
fi
src=$(cd "$1" && pwd) && assets=$(readlink -f "$2") && mkdir -p "$3" && work=$(cd "$3" && pwd) \
  && [ -n "$src" ] && [ -n "$assets" ] && [ -n "$work" ] || exit 2
secs=${LF_FUZZ_TIME:-20}
case "$secs" in ''|*[!0-9]*) echo "run.sh: LF_FUZZ_TIME must be a whole number" >&2; exit 2 ;; esac

if ! command -v clang >/dev/null 2>&1; then
  echo "run.sh: skipped: no clang (Debian: apt-get install clang libclang-rt-14-dev)"
  exit 77
fi
# The runtime: a trivial target must link (libclang_rt.fuzzer, from libclang-rt-*-dev).
cat >"$work/probe.c" <<'C'
int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);
int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }
C
if ! clang -fsanitize=fuzzer,address,undefined "$work/probe.c" -o "$work/probe" \
     >"$work/probe.log" 2>&1; then
  echo "run.sh: skipped: clang cannot link a libFuzzer target (Debian: libclang-rt-14-dev):"
  cat "$work/probe.log"
  exit 77
fi

cflags=(-std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
        -Wall -Wextra -Werror -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE
        -I"$src/include" -I"$src/src")

build() { # NAME SOURCE... [-lLIB...]  (absolute paths)
  local name=$1; shift
  echo "== building $name"
  clang "${cflags[@]}" "$@" -o "$work/$name"
}

# Seeds for NAME: each FILE prefixed with the bytes PREFIX (printf escapes), named
# TAG + its path under SRC_DIR.
seed() { # NAME TAG PREFIX FILE...
  local dir="$work/$1.seed" tag=$2 prefix=$3 f; shift 3
  for f in "$@"; do
    { printf "$prefix"; cat "$f"; } >"$dir/$tag$(printf '%s' "${f#"$src"/}" | tr / _)"
  done
}

# Runs NAME for $secs seconds over the corpus kept from earlier runs (it grows) and
# the seeds. Every failure is exit 1 (libFuzzer's own codes include 77, our skip).
run() { # NAME
  local name=$1
  echo "== fuzzing $name for ${secs}s"
  mkdir -p "$work/$name.corpus"
  if ! (cd "$work" && "./$name" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=5 \
          -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
          -artifact_prefix="$work/$name-" "$work/$name.corpus" "$work/$name.seed" \
          >"$work/$name.log" 2>&1); then
    tail -n 60 "$work/$name.log"
    echo "run.sh: $name failed; its input is in $work/$name-* (log: $work/$name.log)"
    return 1
  fi
  grep -E '^(Done|stat::number_of_executed_units)' "$work/$name.log"
}

shopt -s nullglob
fail=0

# fuzz_csv: byte 0 = field cap and read pattern, byte 1 = record/input caps, then the
# CSV. Seeds: every CSV of tests/data with \077\000 (16-byte field cap, 4-byte reads,
# default caps) and with \367\304 (8-byte fields, 16-byte reads, record cap 17, input
# cap 33).
rm -rf "$work/fuzz_csv.seed" && mkdir -p "$work/fuzz_csv.seed"
csvs=("$src"/tests/data/*/*.csv)
seed fuzz_csv plain_ '\077\000' "${csvs[@]}"
seed fuzz_csv caps_ '\367\304' "${csvs[@]}"
if build fuzz_csv "$src/src/core/error.c" "$src/src/core/buf.c" "$src/src/ingest/csv_reader.c" \
         "$src/fuzz/fuzz_csv.c"; then
  run fuzz_csv || fail=1
else
  fail=1
fi

# fuzz_config: the bytes are a leadflow.yaml. It needs every src/core file (calendar,
# zones, text helpers, event kinds) and the embedded example. Seeds: every YAML of
# tests/data and the example.
rm -rf "$work/fuzz_config.seed" && mkdir -p "$work/fuzz_config.seed"
seed fuzz_config '' '' "$src"/tests/data/*/*.yaml "$src"/assets/leadflow.example.yaml
if build fuzz_config "$src"/src/core/*.c "$assets" "$src/fuzz/fuzz_config.c" -lyaml -lm; then
  run fuzz_config || fail=1
else
  fail=1
fi
exit $fail
