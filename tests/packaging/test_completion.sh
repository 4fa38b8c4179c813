#!/usr/bin/env bash
# Bash completion (packaging/leadflow.bash-completion):
#   test_completion.sh LEADFLOW_BINARY SOURCE_DIR
# 1. its lists match the binary: the commands of `leadflow --help`, the report names of
#    `leadflow report NAME` (the unknown-report message lists them), and every option
#    in the usage lines of `leadflow --help` and `leadflow COMMAND --help`;
# 2. COMPREPLY for typical command lines (COMP_WORDS / COMP_CWORD set by hand, the
#    function called as bash would), without bash-completion and, when it is
#    installed, with it (then files come from its _filedir).
set -u
bin=$(readlink -f "$1") && src=$(cd "$2" && pwd) || exit 2
comp=$src/packaging/leadflow.bash-completion
fail=0
err() { echo "FAIL: $*"; fail=1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/lfcomp.XXXXXX") && [ -n "$work" ] || exit 2
trap 'rm -rf "$work"' EXIT

# ---- 1. the lists against the binary ------------------------------------------------
# shellcheck source=/dev/null
. "$comp"
cmds=$("$bin" --help | sed -n '/^commands:$/,/^$/p' | sed -n 's/^  \([a-z][a-z]*\).*/\1/p')
[ -n "$cmds" ] || err "no commands in leadflow --help"
for c in $cmds; do
  [[ " $_leadflow_commands " == *" $c "* ]] || err "command '$c' missing from the completion"
done
for c in $_leadflow_commands; do
  grep -qx "$c" <<<"$cmds" || err "completion offers '$c', which leadflow --help does not list"
done

mkdir -p "$work/ws"
"$bin" init "$work/ws" >/dev/null || err "leadflow init failed"
msg=$("$bin" --workspace "$work/ws" report no-such-report 2>&1)
reports=$(sed -n 's/^reports: //p; s/^not in .all.*: //p' <<<"$msg" | tr '\n' ' ')
[ -n "$reports" ] || err "no report names in: $msg"
for r in $reports all; do
  [[ " $_leadflow_reports " == *" $r "* ]] || err "report '$r' missing from the completion"
done
for r in $_leadflow_reports; do
  [[ " $reports all " == *" $r "* ]] || err "completion offers report '$r', which leadflow does not know"
done

# every option in a usage line (the lines before the first blank line of --help)
usage_opts() { sed '/^$/q' | grep -o -- '\(^\|[[ |]\)-\{1,2\}[a-z][a-z-]*' | sed 's/^[[ |]//' | sort -u; }
for o in $("$bin" --help | sed -n 1p | usage_opts); do
  [[ " $(_leadflow_options '') " == *" $o "* ]] || err "global option '$o' missing from the completion"
done
for c in $cmds; do
  for o in $("$bin" "$c" --help | usage_opts) --help; do
    [[ " $(_leadflow_options "$c") " == *" $o "* ]] || err "option '$o' of '$c' missing from the completion"
  done
done

# ---- 2. COMPREPLY for command lines ---------------------------------------------------
cd "$work" || exit 2
mkdir -p exports/sub out
: >exports/leads.csv
: >exports/events.csv
: >map.yaml
: >other.yaml

# expect 'EXPECTED' WORD... : the sorted COMPREPLY for the line, the cursor on the last word
expect() {
  local want=$1
  shift
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _leadflow 2>/dev/null
  local got
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
  [ "$got" = "$want" ] || err "[$mode] '$*': expected '$want', got '$got'"
}

run_cases() {
  expect "rejects report rescore" leadflow r
  expect "--help --store --version --workspace" leadflow --
  expect "rejects report rescore" leadflow --workspace ws re
  expect "exports out ws" leadflow --workspace ""
  expect "scoring segment speed sql" leadflow report s
  expect "all bizday channel cost customers funnel mql persona scoring segment speed sql velocity" \
    leadflow report ""
  expect "" leadflow report sql ""
  expect "--format --from" leadflow report sql --f
  expect "csv html json table" leadflow report sql --format ""
  expect "json" leadflow report funnel --format = j
  expect "--format=csv" leadflow report funnel --format=c
  expect "json table" leadflow plan --format ""
  expect "week" leadflow report sql --by w
  expect "" leadflow report sql --from ""
  expect "costs events leads traffic" leadflow import ""
  expect "exports/events.csv exports/leads.csv exports/sub" leadflow import events exports/
  expect "hubspot salesforce" leadflow import --preset ""
  expect "exports/leads.csv" leadflow import --preset hubspot exports/l
  expect "map.yaml" leadflow import --map ma
  expect "exports/events.csv" leadflow import --map map.yaml exports/e
  expect "other.yaml out" leadflow whatif --config o
  expect "out" leadflow report all -o ou
  expect "--help --listen --threads" leadflow serve --
  expect "--timing" leadflow rescore --t
  expect "--end" leadflow generate --leads 10 --seed 1 --e
  expect "out" leadflow generate --out o
  expect "exports" leadflow demo ex
  expect "" leadflow lead ""
  expect "--as-of --help" leadflow --workspace ws lead L1 --
  if [ -f /usr/share/zoneinfo/Europe/Berlin ]; then
    expect "Europe/Berlin" leadflow import leads --timezone Europe/Berl
    expect "America/" leadflow import --timezone Ameri
  fi
}

mode=plain
run_cases
bc=/usr/share/bash-completion/bash_completion
if [ -f "$bc" ]; then
  mode=bash-completion
  # shellcheck source=/dev/null
  . "$bc" >/dev/null 2>&1
  # shellcheck source=/dev/null
  . "$comp"
  # _filedir marks directories itself (compopt -o filenames adds the slash in a real
  # shell), so a directory is offered without a slash here in both modes
  run_cases
else
  echo "note: bash-completion is not installed; only the plain mode was tested"
fi

[ "$fail" = 0 ] && echo "bash completion: ok"
exit $fail
