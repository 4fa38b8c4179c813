"""test_http.py - the HTTP core of `leadflow serve` (SPEC §8): daemon, router, tokens,
limits, errors, access log, CORS, metrics, graceful stop, timeouts, IPv6, --threads.

    python3 tests/server/test_http.py path/to/leadflow

Every test starts the real server on a free loopback port (harness.py).
"""
import os
import re
import signal
import socket
import subprocess
import threading
import time
import unittest

import harness
from harness import READ_TOKEN, WRITE_TOKEN, Server, is_json_error

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (\S+) (\S+) (\d{3}|-) (\d+) (\d+)$")


def log_lines(text):
    return [m for m in (LOG_LINE.match(l) for l in text.splitlines()) if m]


def wait_for(pred, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


def metrics_when(s, *patterns):
    """The /metrics text once every regex in patterns matches it (bounded wait): a
    request is counted when its response has been sent (on_completed), which may be
    just after the client has read it and sent the next request."""
    got = {}

    def ready():
        _, _, body = s.request("GET", "/metrics", token=READ_TOKEN)
        got["text"] = body.decode()
        return all(re.search(p, got["text"]) for p in patterns)

    wait_for(ready, timeout=5.0)
    return got["text"]


class Basics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server()
        cls.s.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.s.__exit__(None, None, None)

    def test_healthz(self):
        st, h, doc = self.s.json("GET", "/healthz")
        self.assertEqual(st, 200)
        self.assertEqual(doc, {"status": "ok"})
        self.assertTrue(h["content-type"].startswith("application/json"))
        self.assertEqual(h.get("x-content-type-options"), "nosniff")

    def test_head_healthz(self):
        st, _, body = self.s.request("HEAD", "/healthz")
        self.assertEqual((st, body), (200, b""))

    def test_unauthorized(self):
        for hdrs in ({}, {"Authorization": "Bearer nope-nope-nope-nope"},
                     {"Authorization": "Basic " + READ_TOKEN},
                     {"Authorization": "Bearer"}, {"Authorization": "Bearer  "}):
            st, h, doc = self.s.json("GET", "/metrics", headers=hdrs)
            self.assertEqual(st, 401, hdrs)
            self.assertTrue(is_json_error(doc, "unauthorized"), doc)
            self.assertIn("bearer", h.get("www-authenticate", "").lower())

    def test_token_compare(self):
        # right token: 200; its prefixes, extensions and one changed byte: 401
        st, _, _ = self.s.request("GET", "/metrics", token=READ_TOKEN)
        self.assertEqual(st, 200)
        st, _, _ = self.s.request("GET", "/metrics", headers={"Authorization": "bearer " + WRITE_TOKEN})
        self.assertEqual(st, 200)
        for t in (READ_TOKEN[:-1], READ_TOKEN + "x", "x" + READ_TOKEN,
                  READ_TOKEN[:-1] + "X", READ_TOKEN.upper(), READ_TOKEN * 20, "r"):
            st, _, doc = self.s.json("GET", "/metrics", token=t)
            self.assertEqual(st, 401, t)
            self.assertTrue(is_json_error(doc, "unauthorized"))

    def test_forbidden_read_token_on_write_route(self):
        route = "/v1/events"
        st, _, doc = self.s.json("POST", route, b"{}", token=READ_TOKEN,
                                 headers={"Content-Type": "application/json"})
        self.assertEqual(st, 403)
        self.assertTrue(is_json_error(doc, "forbidden"))

    def test_cookie_never_authorizes_a_write(self):
        route = "/v1/events"
        st, _, doc = self.s.json("POST", route, b"{}",
                                 headers={"Content-Type": "application/json",
                                          "Cookie": "leadflow_session=" + "0" * 64})
        self.assertEqual(st, 401)

    def test_not_found(self):
        for path in ("/%00", "/healthz%00x"):  # libmicrohttpd would cut the path there
            st, _, doc = self.s.json("GET", path, token=WRITE_TOKEN)
            self.assertEqual(st, 400, path)
            self.assertTrue(is_json_error(doc, "bad_request"), doc)
        for path in ("/nope", "/healthz/x", "/v1", "/metrics/", "/healthz%2F"):
            st, _, doc = self.s.json("GET", path, token=WRITE_TOKEN)
            self.assertEqual(st, 404, path)
            self.assertTrue(is_json_error(doc, "not_found"), doc)

    def test_method_not_allowed(self):
        for m in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"):
            st, h, doc = self.s.json(m, "/healthz", b"", token=WRITE_TOKEN)
            self.assertEqual(st, 405, m)
            self.assertEqual(h.get("allow"), "GET")
            self.assertTrue(is_json_error(doc, "method_not_allowed"))
            self.assertNotIn("access-control-allow-origin", h)

    def test_too_large_20mb(self):
        head = (b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 20000000\r\n\r\n")
        with socket.create_connection(("127.0.0.1", self.s.port), timeout=10) as c:
            c.sendall(head)
            try:
                for _ in range(8):  # the start of the 20 MB; the server may close first
                    c.sendall(b"x" * 65536)
            except OSError:
                pass
            data = b""
            try:
                while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
        self.assertTrue(data.startswith(b"HTTP/1.1 413"), data[:200])
        self.assertIn(b'"too_large"', data)
        # and the server still answers
        self.assertEqual(self.s.request("GET", "/healthz")[0], 200)

    def chunked(self, mib, port=None):
        """Posts mib MiB chunked; the server's answer (b"" when it closed without one)."""
        head = (b"POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (1 << 20, b"y" * (1 << 20))
        data = b""
        with socket.create_connection(("127.0.0.1", port or self.s.port), timeout=10) as c:
            try:
                c.sendall(head)
                for _ in range(mib):
                    c.sendall(chunk)
                c.sendall(b"0\r\n\r\n")
                while not data.rstrip().endswith(b"}"):
                    got = c.recv(65536)
                    if not got:
                        break
                    data += got
            except OSError:
                pass
        return data

    def test_too_large_chunked(self):
        # 20 MiB against the default 16 MiB: read, dropped, answered 413 as JSON
        data = self.chunked(20)
        self.assertTrue(data.startswith(b"HTTP/1.1 413"), data[:200])
        self.assertIn(b'"too_large"', data)
        self.assertEqual(self.s.request("GET", "/healthz")[0], 200)

    def test_too_large_chunked_without_end_closes(self):
        # past four times the limit the server stops reading: closed, no answer
        with Server(config_yaml="server:\n  max_body: 1MiB\n") as s:
            data = self.chunked(6, s.port)
            self.assertEqual(data, b"")
            self.assertEqual(s.request("GET", "/healthz")[0], 200)
            data = self.chunked(2, s.port)  # within four times: 413
            self.assertTrue(data.startswith(b"HTTP/1.1 413"), data[:200])

    def test_headers_too_large(self):
        st, h, doc = self.s.json("GET", "/healthz", headers={"X-Big": "a" * 20000})
        self.assertEqual(st, 431)
        self.assertTrue(is_json_error(doc, "headers_too_large"))
        many = {"X-H%d" % i: "v" for i in range(150)}
        st, _, doc = self.s.json("GET", "/healthz", headers=many)
        self.assertEqual(st, 431)
        # past libmicrohttpd's own memory: still 431 (its own body, not JSON)
        out = self.s.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 +
                         b"\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 431"), out[:100])

    def test_metrics(self):
        self.s.request("GET", "/healthz")
        self.s.request("GET", "/nope")
        st, h, _ = self.s.request("GET", "/metrics", token=READ_TOKEN)
        self.assertEqual(st, 200)
        self.assertTrue(h["content-type"].startswith("text/plain"))
        text = metrics_when(self.s, r'route="/healthz",method="GET",status="200"',
                            r'route="unmatched",method="GET",status="404"')
        self.assertRegex(text, r'leadflow_http_requests_total\{route="/healthz",method="GET",'
                               r'status="200"\} [1-9]')
        self.assertRegex(text, r'leadflow_http_requests_total\{route="unmatched",method="GET",'
                               r'status="404"\} [1-9]')
        self.assertIn("# TYPE leadflow_http_request_duration_seconds histogram", text)
        self.assertRegex(text, r'leadflow_http_request_duration_seconds_bucket\{route="/healthz",'
                               r'method="GET",status="200",le="\+Inf"\} [1-9]')
        for kind in ("events", "leads", "costs", "traffic"):
            self.assertRegex(text, r'leadflow_ingested_total\{kind="%s"\} \d+' % kind)
        for line in text.splitlines():  # the text format: comments or NAME{...} VALUE
            self.assertRegex(line, r'^(# (HELP|TYPE) .+|[a-z_]+(\{[^}]*\})? [0-9.e+-]+)$')

    def test_metrics_method_label_bounded(self):
        self.s.request("FOOBAR", "/healthz")
        body = metrics_when(self.s, r'method="other"').encode()
        self.assertNotIn(b"FOOBAR", body)
        self.assertIn(b'method="other"', body)

    def test_access_log(self):
        self.s.request("GET", "/healthz?token=" + WRITE_TOKEN + "&x=1")
        self.s.request("GET", "/metrics", token=READ_TOKEN)
        self.s.request("GET", "/metrics", token=WRITE_TOKEN + "x")
        def seen_now():
            return {(m.group(1), m.group(2), m.group(3))
                    for m in log_lines(self.s.stderr_text())}
        want = {("GET", "/healthz", "200"), ("GET", "/metrics", "200"),
                ("GET", "/metrics", "401")}
        self.assertTrue(wait_for(lambda: want <= seen_now()))  # logged once completed
        text = self.s.stderr_text()
        self.assertNotIn(READ_TOKEN, text)
        self.assertNotIn(WRITE_TOKEN, text)
        self.assertNotIn("token=", text)
        lines = log_lines(text)
        seen = {(m.group(1), m.group(2), m.group(3)) for m in lines}
        self.assertIn(("GET", "/healthz", "200"), seen)
        self.assertIn(("GET", "/metrics", "200"), seen)
        self.assertIn(("GET", "/metrics", "401"), seen)
        hz = [m for m in lines if m.group(2) == "/healthz" and m.group(3) == "200"][0]
        self.assertEqual(hz.group(4), str(len(b'{"status":"ok"}\n')))

    def test_access_log_escapes_path(self):
        self.s.raw(b"GET /a%0Ab\x7f HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertTrue(wait_for(lambda: "/a%250Ab" in self.s.stderr_text() or
                                 "/a%0Ab" in self.s.stderr_text()))
        for line in self.s.stderr_text().splitlines():
            self.assertTrue(all(0x20 <= ord(ch) < 0x7f for ch in line), repr(line))

    def test_cors_closed(self):
        st, h, _ = self.s.request("GET", "/healthz", headers={"Origin": "https://evil.example"})
        self.assertEqual(st, 200)
        self.assertNotIn("access-control-allow-origin", h)
        st, h, _ = self.s.request("OPTIONS", "/metrics", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
        self.assertNotIn("access-control-allow-origin", h)
        self.assertNotEqual(st, 204)

    def test_keep_alive(self):
        c = self.s.connection()
        try:
            for _ in range(5):
                c.request("GET", "/healthz")
                r = c.getresponse()
                self.assertEqual(r.status, 200)
                r.read()
        finally:
            c.close()


class WithApi(unittest.TestCase):
    """The core's parts that show through SV2's routes (api.c)."""

    def test_415_and_metrics_of_ingest(self):
        with Server() as s:
            st, _, doc = s.json("POST", "/v1/leads", b'{"id": "L1"}', token=WRITE_TOKEN,
                                headers={"Content-Type": "text/plain"})
            self.assertEqual(st, 415)
            self.assertTrue(is_json_error(doc, "unsupported_media_type"))
            lead = {"id": "L1", "created_at": "2026-01-05T10:00:00Z", "email": "a@b.example"}
            st, _, doc = s.json("POST", "/v1/leads", lead, token=WRITE_TOKEN)
            self.assertEqual(st, 200, doc)
            text = metrics_when(s, r'status="415"\} 1\n', r'kind="leads"\} 1\n')
            self.assertRegex(text, r'leadflow_ingested_total\{kind="leads"\} 1\n')
            self.assertRegex(text, r'leadflow_http_requests_total\{route="/v1/leads",'
                                   r'method="POST",status="415"\} 1\n')
            self.assertRegex(text, r"\nleadflow_handoffs_open \d+\n")
            self.assertRegex(text, r"\nleadflow_handoffs_overdue \d+\n")
            # a lead's id is the {id} segment: the route pattern is the label
            st, _, _ = s.request("GET", "/v1/leads/L1", token=READ_TOKEN)
            self.assertEqual(st, 200)
            body = metrics_when(s, r'route="/v1/leads/\{id\}",method="GET",status="200"').encode()
            self.assertIn(b'route="/v1/leads/{id}",method="GET",status="200"', body)
            self.assertNotIn(b'route="/v1/leads/L1"', body)
            # SIGTERM stops the writer after the daemon: exit 0
            self.assertEqual(s.stop(), 0)


class Sessions(unittest.TestCase):
    """Session cookies (auth.c) through the dashboard's login (dashboard.c)."""

    def test_cookie_scope(self):
        with Server() as s:
            st, h, _ = s.request("POST", "/login", "token=" + WRITE_TOKEN, headers={
                "Content-Type": "application/x-www-form-urlencoded"})
            self.assertEqual(st, 303)
            m = re.search(r"leadflow_session=([0-9a-f]{64})", h.get("set-cookie", ""))
            self.assertTrue(m, h)
            sid = m.group(1)
            for cookie in ("leadflow_session=" + sid, "a=b; leadflow_session=%s; c=d" % sid):
                st, _, _ = s.request("GET", "/metrics", headers={"Cookie": cookie})
                self.assertEqual(st, 200, cookie)
            for cookie in ("leadflow_session=" + "0" * 64, "leadflow_session=" + sid[:-1],
                           "leadflow_session=" + sid + "0", "x_leadflow_session=" + sid,
                           "leadflow_session"):
                st, _, doc = s.json("GET", "/metrics", headers={"Cookie": cookie})
                self.assertEqual(st, 401, cookie)
                self.assertTrue(is_json_error(doc, "unauthorized"))
            # a bearer header wins over the cookie, even a wrong one
            st, _, _ = s.request("GET", "/metrics", token="x" * 20,
                                 headers={"Cookie": "leadflow_session=" + sid})
            self.assertEqual(st, 401)
            # a cookie never authorizes a write (no CSRF): 401, not 403 or 2xx
            st, _, doc = s.json("POST", "/v1/events", b"{}", headers={
                "Content-Type": "application/json", "Cookie": "leadflow_session=" + sid})
            self.assertEqual(st, 401)
            self.assertNotIn(sid, s.stderr_text())


class Cors(unittest.TestCase):
    def test_listed_origin_only(self):
        cfg = "server:\n  cors_origins:\n    - https://crm.example.com\n"
        with Server(config_yaml=cfg) as s:
            st, h, _ = s.request("GET", "/metrics", token=READ_TOKEN,
                                 headers={"Origin": "https://crm.example.com"})
            self.assertEqual(st, 200)
            self.assertEqual(h.get("access-control-allow-origin"), "https://crm.example.com")
            self.assertIn("Origin", h.get("vary", ""))
            st, h, _ = s.request("GET", "/metrics", token=READ_TOKEN,
                                 headers={"Origin": "https://crm.example.com.evil.example"})
            self.assertNotIn("access-control-allow-origin", h)
            st, h, body = s.request("OPTIONS", "/metrics", headers={
                "Origin": "https://crm.example.com", "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization"})
            self.assertEqual(st, 204)
            self.assertEqual(h.get("access-control-allow-origin"), "https://crm.example.com")
            self.assertIn("GET", h.get("access-control-allow-methods", ""))
            self.assertIn("Authorization", h.get("access-control-allow-headers", ""))
            st, h, _ = s.request("OPTIONS", "/metrics", headers={
                "Origin": "https://other.example", "Access-Control-Request-Method": "GET"})
            self.assertNotEqual(st, 204)
            self.assertNotIn("access-control-allow-origin", h)
            # an error carries the header too (the browser can read the JSON error)
            st, h, _ = s.request("GET", "/metrics", headers={"Origin": "https://crm.example.com"})
            self.assertEqual(st, 401)
            self.assertEqual(h.get("access-control-allow-origin"), "https://crm.example.com")


class Tokens(unittest.TestCase):
    def test_generated_token_printed_once(self):
        with Server(tokens=None) as s:
            text = s.stderr_text()
            found = re.findall(r"write token for this run: ([0-9a-f]{64})", text)
            self.assertEqual(len(found), 1, text)
            tok = found[0]
            self.assertEqual(s.request("GET", "/metrics", token=tok)[0], 200)
            self.assertEqual(s.request("GET", "/metrics", token=READ_TOKEN)[0], 401)
            s.request("GET", "/healthz")
            self.assertEqual(s.stderr_text().count(tok), 1)
        with Server(tokens=None) as s2:  # a new one each start
            other = re.findall(r"write token for this run: ([0-9a-f]{64})", s2.stderr_text())
            self.assertEqual(len(other), 1)
            self.assertNotEqual(other[0], tok)

    def run_serve(self, env_tokens, extra_args=(), config=None):
        s = Server(tokens=env_tokens, args=extra_args, config_yaml=config, wait_ready=False)
        try:
            s.start()
            s.proc.wait(timeout=20)
            return s.proc.returncode, s.stderr_text()
        finally:
            s.close()

    def test_bad_tokens(self):
        secret = "abcdefghijklmnopqrstuvwxyz"
        for bad in ("admin:" + secret, "read:short", "read" + secret, "write:" + secret + " x",
                    ",", "read:" + "a" * 300):
            code, err = self.run_serve(bad)
            self.assertEqual(code, 3, (bad, err))
            self.assertIn("LEADFLOW_TOKENS", err)
            self.assertNotIn(secret, err)

    def test_usage_errors(self):
        for args in (["--threads", "0"], ["--threads", "x"], ["--threads"], ["--bogus"],
                     ["--listen", "nowhere"]):
            code, err = self.run_serve("read:" + READ_TOKEN, args)
            self.assertEqual(code, 1, (args, err))
            self.assertIn("leadflow: error:", err)

    def test_bad_server_config(self):
        for cfg, what in (("server:\n  max_body: lots\n", "server.max_body"),
                          ("server:\n  threads: 0\n", "server.threads"),
                          ("server:\n  cors_origins: ['*']\n", "server.cors_origins[0]"),
                          ("server:\n  nope: 1\n", "server.nope")):
            code, err = self.run_serve("read:" + READ_TOKEN, (), cfg)
            self.assertEqual(code, 3, (cfg, err))
            self.assertIn("key '%s'" % what, err)


class Limits(unittest.TestCase):
    def test_max_body_from_config(self):
        with Server(config_yaml="server:\n  max_body: 1KiB\n") as s:
            st, _, doc = s.json("POST", "/healthz", b"x" * 1025,
                                headers={"Content-Type": "application/json"})
            self.assertEqual(st, 413)
            self.assertTrue(is_json_error(doc, "too_large"))
            self.assertIn("1024", doc["error"]["message"])
            st, _, _ = s.json("POST", "/healthz", b"x" * 1024)
            self.assertEqual(st, 405)  # within the limit: the router answers

    def test_slow_client_timed_out(self):
        with Server(config_yaml="server:\n  timeout: 2\n") as s:
            c = socket.create_connection(("127.0.0.1", s.port), timeout=15)
            try:
                c.sendall(b"GET /healthz HTTP/1.1\r\nHost: loc")  # half a request
                t0 = time.monotonic()
                for _ in range(5):  # others are served meanwhile
                    self.assertEqual(s.request("GET", "/healthz", timeout=5)[0], 200)
                try:
                    data = c.recv(100)
                except OSError:
                    data = b""
                self.assertEqual(data, b"")  # closed by the server
                self.assertLess(time.monotonic() - t0, 12)
            finally:
                c.close()

    def test_slow_body_timed_out(self):
        with Server(config_yaml="server:\n  timeout: 2\n") as s:
            with socket.create_connection(("127.0.0.1", s.port), timeout=15) as c:
                c.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab")
                t0 = time.monotonic()
                try:
                    data = c.recv(100)
                except OSError:
                    data = b""
                self.assertEqual(data, b"")
                self.assertLess(time.monotonic() - t0, 12)


class Operation(unittest.TestCase):
    def test_sigterm_finishes_in_flight(self):
        with Server() as s:
            body = b'{"x": 1}' * 100
            c = socket.create_connection(("127.0.0.1", s.port), timeout=15)
            try:
                c.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                          b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:10])
                time.sleep(0.3)  # the request is in flight
                s.proc.send_signal(signal.SIGTERM)
                self.assertTrue(wait_for(lambda: "finishing" in s.stderr_text(), 5))
                # no new connection is accepted
                with self.assertRaises(OSError):
                    socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
                time.sleep(0.3)
                self.assertIsNone(s.proc.poll())  # still finishing
                c.sendall(body[10:])
                data = b""
                while True:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                    if b"}}" in data:
                        break
                self.assertTrue(data.startswith(b"HTTP/1.1 405"), data[:100])
            finally:
                c.close()
            self.assertEqual(s.stop(timeout=20), 0)
            self.assertRegex(s.stderr_text(), r"POST /healthz 405 \d+ \d+")

    def test_sigint_exit_0(self):
        with Server() as s:
            self.assertEqual(s.stop(signal.SIGINT), 0)

    def test_threads(self):
        with Server(args=["--threads", "4"]) as s:
            self.assertIn("with 4 threads", s.stderr_text())
            results = []

            def worker():
                for _ in range(20):
                    results.append(s.request("GET", "/healthz")[0])
            ts = [threading.Thread(target=worker) for _ in range(8)]
            for t in ts:
                t.start()
            for t in ts:
                t.join(60)
            self.assertEqual(results, [200] * 160)
        with Server(config_yaml="server:\n  threads: 3\n") as s:
            self.assertIn("with 3 threads", s.stderr_text())
        with Server(args=["--threads=1"], config_yaml="server:\n  threads: 3\n") as s:
            self.assertIn("with 1 thread\n", s.stderr_text())  # the option wins
            self.assertEqual(s.request("GET", "/healthz")[0], 200)

    def test_ipv6(self):
        if not harness.has_ipv6_loopback():
            self.skipTest("no IPv6 loopback")
        with Server(host="::1") as s:
            st, _, doc = s.json("GET", "/healthz")
            self.assertEqual((st, doc), (200, {"status": "ok"}))
            self.assertIn("http://[::1]:", s.stderr_text())

    def test_listen_in_use(self):
        with Server() as s:
            r = subprocess.run([harness.binary(), "--workspace", s.ws, "serve", "--listen",
                                "127.0.0.1:%d" % s.port], capture_output=True, timeout=20,
                               env=s.env())
            self.assertEqual(r.returncode, 3)
            self.assertIn(b"cannot listen on 127.0.0.1:%d" % s.port, r.stderr)

    def test_not_a_workspace(self):
        r = subprocess.run([harness.binary(), "--workspace", "/nonexistent-lf", "serve",
                            "--listen", "127.0.0.1:0"], capture_output=True, timeout=20,
                           env={"PATH": "/usr/bin:/bin", "LEADFLOW_TOKENS": "read:" + READ_TOKEN})
        self.assertEqual(r.returncode, 3, r.stderr)

    def test_serve_help(self):
        r = subprocess.run([harness.binary(), "serve", "--help"], capture_output=True,
                           timeout=20)
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith(b"usage: leadflow serve"))
        r = subprocess.run([harness.binary(), "--help"], capture_output=True, timeout=20)
        self.assertIn(b"  serve [--listen ADDR:PORT] [--threads N]", r.stdout)


if __name__ == "__main__":
    harness.main()
