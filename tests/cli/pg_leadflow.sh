#!/usr/bin/env bash
# The `leadflow` of a golden CLI case run on PostgreSQL (run_case.sh LF_CASE_PG=1): the
# real binary with LEADFLOW_STORE set to the database of the workspace the command line
# names, so a case may use several workspaces (`--workspace DIR`, `cd DIR`, `init DIR`)
# as on SQLite, where each has its own DIR/leadflow.db.
#   pg_leadflow.sh BINARY STATE_DIR [ARGS...]
# STATE_DIR (made by run_case.sh, outside the case's directory) holds `url` (the
# server's URL without the database), `prefix` (of the case's database names) and `map`
# (one line a database: NAME, a tab, the workspace's absolute path); run_case.sh drops
# every database of the map at the end.
# The workspace is resolved as the CLI does (src/cli/main.c, src/app/workspace.c):
# the last --workspace DIR / --workspace=DIR among the global options before the
# command word, else LEADFLOW_WORKSPACE when not empty, else the current directory;
# `init DIR` is DIR. The path is made absolute (realpath -m: it may not exist yet), so
# `cd ws; leadflow ...` and `leadflow --workspace ws ...` meet in one database, created
# on first use (empty: the first command creates the schema). A store the case gives
# itself (--store, a non-empty LEADFLOW_STORE) is left alone, and so is a command line
# without a workspace to resolve (a missing --workspace value: the CLI's usage error).
# `demo` makes an SQLite store whatever LEADFLOW_STORE says, and `serve`'s own options
# after the command word are not read here (the cases only ask it for --help).
set -u
bin=$1 state=$2
shift 2
if [ -n "${LEADFLOW_STORE:-}" ]; then
  exec "$bin" "$@"
fi
dir=${LEADFLOW_WORKSPACE:-.}
args=("$@")
k=0
while [ "$k" -lt $# ]; do
  a=${args[k]}
  case "$a" in
    --store | --store=*) exec "$bin" "$@" ;;
    --workspace) dir=${args[k + 1]:-}; k=$((k + 2)) ;;
    --workspace=*) dir=${a#--workspace=}; k=$((k + 1)) ;;
    -*) break ;; # --help, --version, an unknown option: the CLI's
    *)
      if [ "$a" = init ] && [ $(($# - k)) -eq 2 ] && [ "${args[k + 1]:0:1}" != - ]; then
        dir=${args[k + 1]}
      fi
      break
      ;;
  esac
done
[ -n "$dir" ] || exec "$bin" "$@"
abs=$(realpath -m -- "$dir") || exec "$bin" "$@"
exec 9>>"$state/lock"
flock 9 # background commands of a case may resolve a new workspace at once
db=$(P="$abs" awk -F'\t' 'ENVIRON["P"] == $2 { print $1; exit }' "$state/map")
if [ -z "$db" ]; then
  db="$(cat "$state/prefix")_$(($(wc -l <"$state/map") + 1))"
  if ! psql -q "$(cat "$state/url")/postgres" -c "CREATE DATABASE $db" >/dev/null; then
    echo "pg_leadflow.sh: cannot create the database of workspace '$abs'" >&2
    exit 2
  fi
  printf '%s\t%s\n' "$db" "$abs" >>"$state/map"
fi
exec 9>&-
LEADFLOW_STORE="$(cat "$state/url")/$db" exec "$bin" "$@"
