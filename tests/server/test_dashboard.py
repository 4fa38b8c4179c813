#!/usr/bin/env python3
"""The dashboard of `leadflow serve` (SPEC §8 "Dashboard", issue 13): GET /, /login,
/dashboard.js. Python standard library only; tests/server/harness.py starts the real
server on a free loopback port.

    test_dashboard.py LEADFLOW_BINARY

A small hand-built workspace (UTC, SLA 2 business days) whose queue at the as-of
2026-03-10T12:00:00Z is known: L1 overdue (MQL Mon 2 March), a lead whose id is markup
pending (MQL Mon 9 March), L2 pending (MQL Tue 10 March); L3 was accepted.
"""
import datetime
import os
import re
import sys
import urllib.parse
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import READ_TOKEN, WRITE_TOKEN, Server, is_json_error  # noqa: E402

CONFIG = "timezone: UTC\nsla:\n  accept_within: 2bd\n"
HOSTILE = "<b>x&'\"</b>"
LEADS = """id,email,created_at,source
L1,a@x.example,2026-03-01T09:00:00Z,ads
L2,b@x.example,2026-03-05T09:00:00Z,ads
L3,c@x.example,2026-03-02T09:00:00Z,ads
"<b>x&'""</b>",d@x.example,2026-03-02T09:00:00Z,ads
L4,e@x.example,2026-01-15T09:00:00Z,ads
"""
EVENTS = """id,lead_id,ts,type,detail,amount,reason
E1,L1,2026-03-02T10:00:00Z,mql,,,
E2,L2,2026-03-10T09:00:00Z,mql,,,
E3,L3,2026-03-03T10:00:00Z,mql,,,
E4,L3,2026-03-04T10:00:00Z,accepted,,,
E5,"<b>x&'""</b>",2026-03-09T10:00:00Z,mql,,,
"""
AS_OF = "2026-03-10T12:00:00Z"
QUERY = "/?from=2026-01-01&to=2026-04-01&by=month&as_of=" + urllib.parse.quote(AS_OF)


def setup(ws, run):
    for kind, text in (("leads", LEADS), ("events", EVENTS)):
        path = os.path.join(ws, kind + ".csv")
        with open(path, "w") as f:
            f.write(text)
        r = run(["import", kind, path])
        assert r.returncode == 0, r.stderr


def cookie_of(headers):
    """The leadflow_session value of a Set-Cookie header, and the header itself."""
    sc = headers.get("set-cookie", "")
    m = re.match(r"leadflow_session=([0-9a-f]{64});", sc)
    return (m.group(1) if m else None), sc


class Dashboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(config_yaml=CONFIG, setup=setup).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.srv.__exit__(None, None, None)

    def login(self, token, headers=None):
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        body = urllib.parse.urlencode({"token": token})
        return self.srv.request("POST", "/login", body, headers=h)

    def session(self):
        st, h, _ = self.login(READ_TOKEN)
        self.assertEqual(st, 303)
        sid, _ = cookie_of(h)
        self.assertTrue(sid)
        return {"Cookie": "leadflow_session=" + sid}

    # ---- login ---------------------------------------------------------------------
    def test_login_form(self):
        st, h, body = self.srv.request("GET", "/login")
        self.assertEqual(st, 200)
        self.assertTrue(h["content-type"].startswith("text/html"))
        page = body.decode()
        self.assertIn('<form method="post" action="/login">', page)
        self.assertIn('name="token"', page)
        self.assertIn('type="password"', page)

    def test_wrong_token_is_401_with_the_form(self):
        for tok in ("nope", "", READ_TOKEN + "x", "%00" + READ_TOKEN):
            st, h, body = self.login(tok)
            self.assertEqual(st, 401, tok)
            self.assertNotIn("set-cookie", h)
            self.assertIn('name="token"', body.decode())
            self.assertIn("not valid", body.decode())

    def test_right_token_sets_the_session_cookie(self):
        for tok in (READ_TOKEN, WRITE_TOKEN):
            st, h, _ = self.login(tok)
            self.assertEqual(st, 303)
            self.assertEqual(h["location"], "/")
            sid, sc = cookie_of(h)
            self.assertTrue(sid, sc)
            attrs = [a.strip().lower() for a in sc.split(";")[1:]]
            self.assertIn("httponly", attrs)
            self.assertIn("samesite=strict", attrs)
            self.assertIn("path=/", attrs)
            st, h, body = self.srv.request("GET", QUERY,
                                           headers={"Cookie": "leadflow_session=" + sid})
            self.assertEqual(st, 200)
            self.assertIn('id="report-funnel"', body.decode())

    def test_login_refuses_other_bodies(self):
        st, _, doc = self.srv.json("POST", "/login", "token=" + READ_TOKEN,
                                   headers={"Content-Type": "application/json"})
        self.assertEqual(st, 415)
        self.assertTrue(is_json_error(doc))
        st, _, _ = self.login("x" * 5000)
        self.assertEqual(st, 413)
        st, _, _ = self.login(READ_TOKEN, headers={"Origin": "http://evil.example"})
        self.assertEqual(st, 403)
        st, _, _ = self.login(READ_TOKEN, headers={"Sec-Fetch-Site": "cross-site"})
        self.assertEqual(st, 403)

    def test_a_session_reads_but_never_writes(self):
        """A session made from a write token grants read only (SameSite aside)."""
        st, h, _ = self.login(WRITE_TOKEN)
        sid, _ = cookie_of(h)
        st, _, _ = self.srv.request(
            "POST", "/v1/events", b'{"id":"E9","lead_id":"L1","ts":"2026-03-05T00:00:00Z",'
            b'"type":"accepted"}',
            headers={"Cookie": "leadflow_session=" + sid, "Content-Type": "application/json"})
        self.assertEqual(st, 401)  # a cookie never grants a write scope

    # ---- GET / ---------------------------------------------------------------------
    def test_no_token_goes_to_login(self):
        for hdrs in ({}, {"Accept": "text/html"}, {"Cookie": "leadflow_session=" + "0" * 64},
                     {"Accept": "text/html,application/xhtml+xml,*/*"}):
            st, h, _ = self.srv.request("GET", "/", headers=hdrs)
            self.assertEqual(st, 303, hdrs)
            self.assertEqual(h["location"], "/login")
        for hdrs in ({"Accept": "application/json"}, {"Authorization": "Bearer nope"}):
            st, h, doc = self.srv.json("GET", "/", headers=hdrs)
            self.assertEqual(st, 401, hdrs)
            self.assertTrue(is_json_error(doc, "unauthorized"))

    def test_bearer_works_too(self):
        st, h, body = self.srv.request("GET", QUERY, token=READ_TOKEN)
        self.assertEqual(st, 200)
        self.assertIn('id="queue"', body.decode())

    def test_page_is_the_report_plus_pickers_and_queue(self):
        st, h, body = self.srv.request("GET", QUERY, headers=self.session())
        self.assertEqual(st, 200)
        page = body.decode()
        # the report of `report all --format html`, byte for byte in its sections
        r = self.srv.run(["report", "all", "--format", "html", "--from", "2026-01-01",
                          "--to", "2026-04-01", "--by", "month", "--as-of", AS_OF])
        self.assertEqual(r.returncode, 0, r.stderr)
        cli = r.stdout.decode()
        names = re.findall(r'<section class="report" id="report-([a-z]+)"', cli)
        self.assertGreaterEqual(len(names), 11)
        for name in names:
            sec = re.search(r'<section class="report" id="report-%s".*?</section>' % name,
                            cli, re.S).group(0)
            self.assertIn(sec, page, name)
        self.assertIn(re.search(r'<section class="headline".*?</section>', cli, re.S).group(0),
                      page)
        self.assertGreater(page.count("<svg"), 20)
        # the pickers, a plain GET form with the query's values
        form = re.search(r'<form class="pickers".*?</form>', page, re.S).group(0)
        self.assertIn('method="get"', form)
        self.assertIn('name="from" value="2026-01-01"', form)
        self.assertIn('name="to" value="2026-04-01"', form)
        self.assertIn("<option selected>month</option>", form)
        self.assertIn('name="as_of" value="2026-03-10T12:00:00Z"', form)
        # the script is same-origin, and the policy allows nothing else
        self.assertIn('<script src="/dashboard.js" defer></script>', page)
        csp = h["content-security-policy"]
        self.assertIn("default-src 'none'", csp)
        self.assertIn("script-src 'self'", csp)
        self.assertIn("connect-src 'self'", csp)
        self.assertNotRegex(csp + page, r"https?://(?!www\.w3\.org/)")
        self.assertEqual(page.count("Content-Security-Policy"), 1)
        self.assertIn("no-store", h.get("cache-control", ""))

    def test_queue_overdue_first_with_time_left(self):
        st, _, body = self.srv.request("GET", QUERY, token=READ_TOKEN)
        page = body.decode()
        q = re.search(r'<section class="report queue" id="queue".*?</section>', page, re.S)
        self.assertTrue(q)
        q = q.group(0)
        rows = re.findall(r'<tr class="(\w+)"><th scope="row">(.*?)</th>.*?'
                          r'<td class="n left">(.*?)</td>', q)
        self.assertEqual([(c, i) for c, i, _ in rows],
                         [("overdue", "L1"), ("pending", "&lt;b&gt;x&amp;&#39;&quot;&lt;/b&gt;"),
                          ("pending", "L2")])
        self.assertTrue(rows[0][2].startswith("overdue by "))
        self.assertRegex(rows[1][2], r"^\d+ h \d\d min$")
        self.assertNotIn(HOSTILE, page)
        self.assertIn('id="queue-pending">3<', q)
        self.assertIn('id="queue-overdue">1<', q)
        # the queue comes first in <main>
        self.assertLess(page.index('id="queue"'), page.index('id="headline"'))
        # a year later L1 is overdue by thousands of SLA-clock hours: grouped digits
        late = QUERY.replace(urllib.parse.quote(AS_OF), urllib.parse.quote("2027-06-01T12:00:00Z"))
        st, _, body = self.srv.request("GET", late, token=READ_TOKEN)
        left = re.findall(r'<tr class="overdue"><th scope="row">L1</th>.*?'
                          r'<td class="n left">(.*?)</td>', body.decode(), re.S)
        self.assertEqual(len(left), 1, body[:300])
        self.assertRegex(left[0], r"^overdue by \d{1,3}(,\d{3})+ h \d\d min$")

    def test_other_range_other_numbers(self):
        h = self.session()
        _, _, a = self.srv.request("GET", QUERY, headers=h)
        _, _, b = self.srv.request("GET", "/?from=2026-03-01&to=2026-04-01&by=week&as_of="
                                   + urllib.parse.quote(AS_OF), headers=h)
        self.assertNotEqual(a, b)
        self.assertIn("<option selected>week</option>", b.decode())
        self.assertIn("2026-03-02", b.decode())  # a week label

    def test_bad_query_is_400_with_the_pickers(self):
        st, h, body = self.srv.request("GET", "/?from=2026-13-01&by=fortnight",
                                       token=READ_TOKEN)
        self.assertEqual(st, 400)
        page = body.decode()
        self.assertIn('class="dash-error"', page)
        self.assertIn('<form class="pickers"', page)
        st, _, body = self.srv.request("GET", "/?as_of=%3Cscript%3E", token=READ_TOKEN)
        self.assertEqual(st, 400)
        self.assertNotIn("<script>", body.decode())
        self.assertIn("&lt;script&gt;", body.decode())

    # ---- the pickers show the range in use -------------------------------------------
    def pickers(self, path):
        st, _, body = self.srv.request("GET", path, token=READ_TOKEN)
        self.assertEqual(st, 200, path)
        form = re.search(r'<form class="pickers".*?</form>', body.decode(), re.S).group(0)
        vals = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
        return form, vals

    def test_pickers_show_the_default_range(self):
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        form, v = self.pickers("/")
        after = datetime.datetime.now(datetime.timezone.utc)
        # the 12 calendar months ending with the month of as-of (now, zone UTC)
        y, m = before.year, before.month
        fy, fm = (y, m - 11) if m > 11 else (y - 1, m + 1)
        ty, tm = (y, m + 1) if m < 12 else (y + 1, 1)
        if (after.year, after.month) == (y, m):
            self.assertEqual(v["from"], "%04d-%02d-01" % (fy, fm))
            self.assertEqual(v["to"], "%04d-%02d-01" % (ty, tm))
        self.assertRegex(form, r'type="datetime-local" name="as_of" value="')
        shown = datetime.datetime.strptime(v["as_of"], "%Y-%m-%dT%H:%M:%S").replace(
            tzinfo=datetime.timezone.utc)
        self.assertTrue(before <= shown <= after, (before, shown, after))
        self.assertEqual(v["as_of_now"], v["as_of"])
        self.assertIn('<a href="/">Reset</a>', form)

    def test_pickers_fill_what_the_query_leaves_out(self):
        _, v = self.pickers("/?from=2026-01-01&as_of=2026-03-10T12:00:00")
        self.assertEqual((v["from"], v["to"], v["as_of"]),
                         ("2026-01-01", "2026-04-01", "2026-03-10T12:00:00"))
        self.assertNotIn("as_of_now", v)
        _, v = self.pickers("/?by=week&as_of=2026-03-10T12:00")
        self.assertEqual((v["from"], v["to"]), ("2025-04-01", "2026-04-01"))
        _, v = self.pickers(QUERY)
        self.assertEqual((v["from"], v["to"], v["as_of"]),
                         ("2026-01-01", "2026-04-01", AS_OF))

    def test_unchanged_default_as_of_stays_live(self):
        _, v = self.pickers("/")
        # submitted as shown (a datetime-local picker drops ":00" seconds): now again
        minute = v["as_of"][:16]
        for shown, hidden in ((v["as_of"], v["as_of_now"]), (minute, minute + ":00")):
            q = urllib.parse.urlencode({"from": "2026-01-01", "to": "2026-04-01",
                                        "as_of": shown, "as_of_now": hidden})
            _, w = self.pickers("/?" + q)
            self.assertIn("as_of_now", w)
            self.assertGreaterEqual(w["as_of"], v["as_of"][:16])
        # a changed as-of is kept
        q = urllib.parse.urlencode({"as_of": "2026-03-10T12:00:00", "as_of_now": v["as_of"]})
        _, w = self.pickers("/?" + q)
        self.assertEqual((w["as_of"], w["from"], w["to"]),
                         ("2026-03-10T12:00:00", "2025-04-01", "2026-04-01"))
        self.assertNotIn("as_of_now", w)

    # ---- logout --------------------------------------------------------------------
    def logout(self, cookie, headers=None):
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(cookie)
        h.update(headers or {})
        return self.srv.request("POST", "/logout", "", headers=h)

    def test_logout_ends_the_session(self):
        cookie = self.session()
        st, _, body = self.srv.request("GET", "/", headers=cookie)
        self.assertEqual(st, 200)
        self.assertIn('<form class="logout" method="post" action="/logout">', body.decode())
        # from another site: refused, the session lives on
        for bad in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
            st, _, _ = self.logout(cookie, bad)
            self.assertEqual(st, 403, bad)
        st, _, _ = self.srv.request("GET", "/", headers=cookie)
        self.assertEqual(st, 200)
        other = self.session()
        st, h, _ = self.logout(cookie, {"Sec-Fetch-Site": "same-origin"})
        self.assertEqual(st, 303)
        self.assertEqual(h["location"], "/login")
        attrs = [a.strip().lower() for a in h["set-cookie"].split(";")]
        self.assertEqual(attrs[0], "leadflow_session=")
        self.assertIn("max-age=0", attrs)
        self.assertIn("path=/", attrs)
        st, h, _ = self.srv.request("GET", "/", headers=cookie)
        self.assertEqual(st, 303)
        self.assertEqual(h["location"], "/login")
        st, _, _ = self.srv.request("GET", "/", headers=other)  # another session: still on
        self.assertEqual(st, 200)
        st, h, _ = self.logout(cookie)  # again, or without any cookie: the same answer
        self.assertEqual((st, h["location"]), (303, "/login"))
        st, h, _ = self.logout({})
        self.assertEqual((st, h["location"]), (303, "/login"))

    def test_script_is_served_same_origin(self):
        st, h, body = self.srv.request("GET", "/dashboard.js")
        self.assertEqual(st, 200)
        self.assertTrue(h["content-type"].startswith("text/javascript"))
        self.assertEqual(h.get("x-content-type-options"), "nosniff")
        js = body.decode()
        self.assertIn("getElementById('pickers')", js)
        self.assertNotRegex(js, r"https?://")


if __name__ == "__main__":
    harness.main()
