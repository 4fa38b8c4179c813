#!/usr/bin/env bash
# The man page docs/leadflow.1:
#   check_manpage.sh LEADFLOW_BINARY SOURCE_DIR
# 1. it renders without a single warning: groff -man -ww (and man -l --warnings, and
#    mandoc -Tlint when installed); lexgrog reads its NAME line; its source is ASCII;
# 2. every command the program dispatches (the table of src/cli/main.c, `serve` of
#    src/main.c, and the list of `leadflow --help`) has an entry in the man page's
#    COMMANDS and in the bash completion;
# 3. every option in the usage lines of `leadflow --help` and `leadflow CMD --help`
#    is in the man page;
# 4. every environment variable the code reads (getenv in src/) is in ENVIRONMENT.
# Skipped (77) only when neither groff nor man is installed (./run.sh test installs
# groff-base and man-db).
set -u
bin=$(readlink -f "$1") && src=$(cd "$2" && pwd) || exit 2
page=$src/docs/leadflow.1
comp=$src/packaging/leadflow.bash-completion
fail=0
err() { echo "FAIL: $*"; fail=1; }

if ! command -v groff >/dev/null && ! command -v man >/dev/null; then
  echo "skip: neither groff nor man is installed"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/lfman.XXXXXX") && [ -n "$work" ] || exit 2
trap 'rm -rf "$work"' EXIT

# ---- 1. renders without warnings ------------------------------------------------------
if LC_ALL=C grep -n '[^[:print:][:space:]]' "$page" >"$work/nonascii"; then
  err "non-ASCII bytes in the man page source (use roff escapes such as \\(en):"
  cat "$work/nonascii"
fi
if command -v groff >/dev/null; then
  groff -man -Tutf8 -ww -z "$page" 2>"$work/groff.err"
  [ -s "$work/groff.err" ] && { err "groff -ww warnings:"; cat "$work/groff.err"; }
  groff -man -Tutf8 -P-c -P-b -P-u "$page" >"$work/page.txt" 2>/dev/null
fi
if command -v man >/dev/null; then
  LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" >"$work/man.txt" 2>"$work/man.err"
  [ -s "$work/man.err" ] && { err "man --warnings -l:"; cat "$work/man.err"; }
  [ -s "$work/man.txt" ] || err "man -l rendered nothing"
  [ -s "$work/page.txt" ] || cp "$work/man.txt" "$work/page.txt"
fi
# whatis / apropos read the NAME line through lexgrog (man-db)
if command -v lexgrog >/dev/null; then
  lexgrog "$page" >"$work/lexgrog.out" 2>&1 ||
    { err "lexgrog cannot read the NAME section:"; cat "$work/lexgrog.out"; }
fi
if command -v mandoc >/dev/null; then
  mandoc -Tlint -Wwarning "$page" >"$work/mandoc.err" 2>&1 || true
  [ -s "$work/mandoc.err" ] && { err "mandoc -Tlint:"; cat "$work/mandoc.err"; }
fi
text=$work/page.txt
grep -q '^NAME' "$text" || err "the rendered page has no NAME section"

# the rendered text of section $1 (up to the next section heading)
section() { sed -n "/^$1\$/,/^[A-Z][A-Z ]*\$/p" "$text" | sed '$d'; }
section COMMANDS >"$work/commands.txt"
section ENVIRONMENT >"$work/environment.txt"

# ---- 2. every dispatched command ------------------------------------------------------
table=$(sed -n 's/^    {"\([a-z]*\)", cmd_[a-z]*,.*/\1/p' "$src/src/cli/main.c")
[ -n "$table" ] || err "no commands found in the dispatch table of src/cli/main.c"
served=$(sed -n 's/.*strcmp(argv\[i\], "\([a-z]*\)") == 0)$/\1/p' "$src/src/main.c")
[ -n "$served" ] || err "no command found in src/main.c"
listed=$("$bin" --help | sed -n '/^commands:$/,/^$/p' | sed -n 's/^  \([a-z][a-z]*\).*/\1/p')
# shellcheck source=/dev/null
. "$comp"
for c in $(printf '%s\n' $table $served $listed | sort -u); do
  grep -q "^       $c\( \|\$\)" "$work/commands.txt" || err "command '$c' has no entry in the man page's COMMANDS"
  [[ " $_leadflow_commands " == *" $c "* ]] || err "command '$c' is not in the bash completion"
  grep -qx "$c" <<<"$listed" || err "command '$c' is dispatched but not listed by leadflow --help"
done

# ---- 3. every option of every usage line ----------------------------------------------
usage_opts() { sed '/^$/q' | grep -o -- '\(^\|[[ |]\)-\{1,2\}[a-z][a-z-]*' | sed 's/^[[ |]//' | sort -u; }
opts=$("$bin" --help | sed -n 1p | usage_opts; for c in $listed; do "$bin" "$c" --help | usage_opts; done)
for o in $(printf '%s\n' $opts | sort -u); do
  grep -q -- "$o\b" "$text" || err "option '$o' is not in the man page"
done

# ---- 4. every environment variable ----------------------------------------------------
vars=$(grep -rhoE 'getenv\("[A-Z_]+"\)' "$src/src" | sed 's/getenv("\(.*\)")/\1/' | sort -u)
[ -n "$vars" ] || err "no getenv found in src/"
for v in $vars; do
  grep -q "^       $v\b" "$work/environment.txt" || err "environment variable '$v' is not in the man page's ENVIRONMENT"
done

[ "$fail" = 0 ] && echo "man page: ok ($(echo $table $served | wc -w) commands, $(echo $vars | wc -w) variables)"
exit $fail
