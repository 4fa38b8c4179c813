#!/usr/bin/env python3
"""The dashboard of `leadflow serve` in headless Chromium (issue 13).

    browser_dashboard.py LEADFLOW_BINARY OUT_DIR

Starts the real server (tests/server/harness.py) over a generated workspace, drives
Debian's chromium over the DevTools protocol (the standard-library client of
tests/browser/check_page.py), and checks, with the page's real Content-Security-Policy
in force:
  * / without a session lands on /login; typing the token and submitting lands on /
    with the session cookie (HttpOnly: invisible to the page's script);
  * the charts (svg) of every report section, the headline and the sales queue show,
    and the script runs (its status line);
  * changing the range in the form and submitting updates the numbers in place (the
    address follows), and with JavaScript disabled the same form reloads the page;
  * the Network domain saw no request to another origin, and no CSP violation was
    reported;
  * at 390 px the page does not scroll sideways.
Screenshots (desktop.png, phone.png, login.png, nojs.png) go to OUT_DIR. Exit 77 only
when chromium is missing.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "browser"))
import harness  # noqa: E402
from harness import READ_TOKEN, Server  # noqa: E402

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def setup(ws, run):
    gen = os.path.join(os.path.dirname(ws), "gen")
    r = run(["generate", "--leads", "800", "--seed", "3", "--out", gen])
    assert r.returncode == 0, r.stderr
    shutil.copy(os.path.join(gen, "leadflow.yaml"), os.path.join(ws, "leadflow.yaml"))
    for kind in ("leads", "events", "costs", "traffic"):
        r = run(["import", kind, os.path.join(gen, kind + ".csv")])
        assert r.returncode in (0, 2), r.stderr


def wait_for(dt, expr, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if dt.evaluate(expr):
                return True
        except RuntimeError:
            pass  # the page is navigating
        time.sleep(0.1)
    check(False, "timed out waiting for " + what)
    return False


def navigate(dt, url):
    dt.call("Page.navigate", url=url)
    dt.wait_event("Page.loadEventFired")


STATE = r"""
(() => JSON.stringify({
  path: location.pathname, search: location.search,
  svgs: document.querySelectorAll('section.report figure.chart svg').length,
  sections: [...document.querySelectorAll('section.report')].map(s => s.id),
  cards: document.querySelectorAll('#headline .card').length,
  queue: !!document.querySelector('#queue'),
  queueRows: document.querySelectorAll('#queue tbody tr').length,
  overdueFirst: (() => { const c = [...document.querySelectorAll('#queue tbody tr')]
      .map(r => r.className); return c.join(',') === [...c].sort().join(','); })(),
  funnel: (document.querySelector('#report-funnel tbody') || {}).textContent || '',
  meta: (document.querySelector('.page-head .meta') || {}).textContent || '',
  status: (document.getElementById('dash-status') || {}).textContent || '',
  refreshed: document.documentElement.getAttribute('data-refreshed'),
  cookie: document.cookie,
  overflow: document.documentElement.scrollWidth - window.innerWidth,
}))()
"""


def state(dt):
    return json.loads(dt.evaluate(STATE))


def login(dt, base, out):
    navigate(dt, base + "/")
    s = state(dt)
    check(s["path"] == "/login", "no session: / lands on /login (%s)" % s["path"])
    dt.screenshot(os.path.join(out, "login.png"), 390, 700, scale=1)
    dt.evaluate("document.getElementById('token').focus(), true")
    dt.call("Input.insertText", text=READ_TOKEN)
    dt.evaluate("document.querySelector('form button').click(), true")
    wait_for(dt, "location.pathname === '/' && !!document.getElementById('report-funnel')",
             "the dashboard after login")
    dt.wait_event("Page.loadEventFired")


def change_range(dt):
    before = state(dt)
    dt.evaluate("""(() => { const f = document.getElementById('pickers');
        f.elements.from.value = '2026-06-01'; f.elements.to.value = '2026-07-01';
        f.elements.by.value = 'week'; f.querySelector('button').click(); return true; })()""")
    wait_for(dt, "document.documentElement.getAttribute('data-refreshed') === '1'",
             "the in-place update")
    after = state(dt)
    # the as-of field was prefilled with now and left alone: it comes with as_of_now
    # (the same value), which keeps the page live
    m = re.fullmatch(r"\?from=2026-06-01&to=2026-07-01&by=week&as_of=([0-9T%A-F-]+)"
                     r"&as_of_now=([0-9T%A-F-]+)", after["search"])
    # the same instant: Chromium writes a datetime-local value whose seconds are 0 as
    # HH:MM, so compare minutes and seconds, not the text
    def instant(v):
        v = urllib.parse.unquote(v)
        return v if len(v) == 19 else v + ":00"
    check(bool(m) and instant(m.group(1)) == instant(m.group(2)),
          "the address follows the pickers (%s)" % after["search"])
    check(after["funnel"] != before["funnel"] and after["funnel"],
          "the funnel numbers changed with the range")
    check("2026-06-01" in after["meta"], "the meta line names the new range")
    check(after["svgs"] >= 20 and after["queue"], "charts and queue still there")
    return after


def no_js(dt, base, out):
    """The same form works as a plain page with JavaScript disabled."""
    dt.call("Emulation.setScriptExecutionDisabled", value=True)
    navigate(dt, base + "/?by=month")
    dt.call("Emulation.setScriptExecutionDisabled", value=False)
    before = dt.evaluate("document.querySelector('#report-funnel tbody').textContent")
    dt.call("Emulation.setScriptExecutionDisabled", value=True)
    dt.call("Runtime.evaluate", expression="""(() => { const f = document.getElementById('pickers');
        f.elements.from.value = '2026-03-01'; f.elements.to.value = '2026-04-01';
        f.submit(); })()""")
    dt.wait_event("Page.loadEventFired")
    dt.call("Emulation.setScriptExecutionDisabled", value=False)
    s = state(dt)
    check(s["search"].startswith("?from=2026-03-01&to=2026-04-01"),
          "without JavaScript the form reloads the page (%s)" % s["search"])
    check(s["status"] == "" and s["funnel"] != before and s["svgs"] > 0,
          "without JavaScript: a complete page with other numbers")
    dt.screenshot(os.path.join(out, "nojs.png"), 1280, 900)


def run(chromium, out):
    import check_page as cp
    os.makedirs(out, exist_ok=True)
    with Server(setup=setup) as srv:
        base = "http://127.0.0.1:%d" % srv.port
        log = open(os.path.join(out, "chromium-dashboard.log"), "wb")
        proc, udd, port = cp.start_chromium(chromium, log)
        ws = None
        try:
            ws = cp.WebSocket(cp.page_target(port))
            dt = cp.DevTools(ws)
            for domain in ("Page", "Network", "Runtime", "Log"):
                dt.call(domain + ".enable")
            dt.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                    deviceScaleFactor=1, mobile=False)
            login(dt, base, out)
            s = state(dt)
            check(s["svgs"] >= 20, "charts: %d svg elements" % s["svgs"])
            check(len(s["sections"]) >= 12 and "queue" in s["sections"],
                  "sections: %s" % ",".join(s["sections"]))
            check(s["cards"] >= 4, "headline: %d cards" % s["cards"])
            check(s["queue"] and s["queueRows"] > 0 and s["overdueFirst"],
                  "the sales queue: %d rows, overdue first" % s["queueRows"])
            check("leadflow_session" not in s["cookie"], "the session cookie is HttpOnly")
            check(s["status"].startswith("Live"), "the script runs (%r)" % s["status"])
            f = json.loads(dt.evaluate("""JSON.stringify((f => [f.from.value, f.to.value,
                f.as_of.value])(document.getElementById('pickers').elements))"""))
            check(re.fullmatch(r"\d{4}-\d\d-01", f[0]) and f[0] in s["meta"] and
                  re.fullmatch(r"\d{4}-\d\d-01", f[1]) and f[0][5:7] == f[1][5:7] and
                  re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?", f[2]),
                  "the pickers show the default range: From its first day (%s)" % f)
            dt.screenshot(os.path.join(out, "desktop.png"), 1280, 900)
            change_range(dt)
            no_js(dt, base, out)
            dt.call("Emulation.setDeviceMetricsOverride", width=390, height=844,
                    deviceScaleFactor=2, mobile=True)
            navigate(dt, base + "/")
            time.sleep(0.3)
            s = state(dt)
            check(s["overflow"] <= 0, "phone: no sideways scrolling (%d px)" % s["overflow"])
            dt.screenshot(os.path.join(out, "phone.png"), 390, 844, scale=2)
            dt.call("Runtime.evaluate", expression="1")  # drain events
            reqs = [e["params"]["request"]["url"] for e in dt.events
                    if e.get("method") == "Network.requestWillBeSent"]
            # data: URLs are the date inputs' own icons (Chromium's shadow DOM): no origin
            outside = [u for u in reqs if not u.startswith(base + "/") and
                       not u.startswith("data:")]
            check(len(reqs) >= 5 and not outside,
                  "network: %d requests, none to another origin %s" % (len(reqs), outside[:3]))
            check(any(u == base + "/dashboard.js" for u in reqs), "the script came from /dashboard.js")
            logs = [e["params"]["entry"] for e in dt.events if e.get("method") == "Log.entryAdded"]
            bad = [x.get("text", "")[:160] for x in logs if x.get("level") == "error"]
            check(not bad, "no errors logged (CSP violations included) %s" % bad[:3])
        finally:
            if ws:
                ws.close()
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            log.close()
            shutil.rmtree(udd, ignore_errors=True)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 1
    harness.BIN = os.path.abspath(sys.argv[1])
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("SKIP: chromium is not installed (./run.sh test installs it)")
        return 77
    run(chromium, os.path.abspath(sys.argv[2]))
    print("%d failure(s); screenshots in %s" % (len(failures), sys.argv[2]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
