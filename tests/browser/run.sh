#!/usr/bin/env bash
# The HTML report in a real browser (a ctest test, see CMakeLists.txt):
#   run.sh LEADFLOW_BINARY OUT_DIR
# Makes a demo workspace (`leadflow demo`, which writes report.html), adds leads whose
# persona, channel and rejection reasons are hostile text, renders `report all
# --format html` again, and loads the page in headless Chromium (check_page.py: every
# report section and chart, no request leaving the page, hostile text shown as text
# with no script run, phone layout, print). Screenshots go to OUT_DIR. Exit 77
# (skipped) only when chromium or python3 is missing; `./run.sh test` installs both.
set -euo pipefail
bin=$(readlink -f "$1"); out=$2
here=$(cd "$(dirname "$0")" && pwd)
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ] || ! command -v python3 >/dev/null 2>&1; then
  echo "SKIP: chromium or python3 is not installed (./run.sh test installs them)"
  exit 77
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/lfbrowser.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export LC_ALL=C TZ=UTC

"$bin" demo ws --leads 2000 --seed 3 >demo.out
grep -qx 'report: ws/report.html' demo.out || { echo "FAIL: demo did not print its report path"; cat demo.out; exit 1; }
test -s ws/report.html || { echo "FAIL: demo did not write ws/report.html"; exit 1; }

# hostile text: a sources rule whose channel is markup, personas and rejection reasons
script='<script>alert(1)</script>'
img='"><img src=x onerror=alert(1)>'
sed -i 's/^sources:$/sources:\n  - {match: "^evil", channel: "\\"><img src=x onerror=alert(1)>"}/' ws/leadflow.yaml
grep -q '^  - {match: "^evil"' ws/leadflow.yaml || { echo "FAIL: could not add the hostile sources rule"; exit 1; }
d() { date -u -d "$1 days ago" +%Y-%m-%dT10:00:00Z; }
cat >hostile-leads.csv <<CSV
id,email,created_at,source,persona,title
X1,x1@evil.example,$(d 12),evil-ads,$script,$script
X2,x2@evil.example,$(d 12),evil-ads,"""><img src=x onerror=alert(1)>",CMO
CSV
cat >hostile-events.csv <<CSV
id,lead_id,ts,type,detail,amount,reason
XE1,X1,$(d 11),mql,,,
XE2,X1,$(d 10),rejected,,,$script
XE3,X2,$(d 11),mql,,,
XE4,X2,$(d 10),rejected,,,"""><img src=x onerror=alert(1)>"
CSV
"$bin" --workspace ws import leads hostile-leads.csv >/dev/null
"$bin" --workspace ws import events hostile-events.csv >/dev/null
"$bin" --workspace ws report all --format html -o ws/report.html
cp ws/report.html "$out/report.html"

sections=$("$bin" --workspace ws report nope 2>&1 | sed -n 's/^reports: //p' | tr ' ' ',' || true)
[ -n "$sections" ] || { echo "FAIL: could not read the list of reports"; exit 1; }
timeout 120 python3 "$here/check_page.py" --chromium "$chromium" --page ws/report.html \
  --out "$out" --sections "$sections" --cards 8 --hostile "$script" --hostile "$img" ${LF_SEGMENTS:+--segments}
