"""alerts_util.py - what the alert tests of tests/alerts share (standard library only).

- Receiver: a real HTTP server on 127.0.0.1 (a free port) that records every POST
  (headers, body, whether its Leadflow-Signature verifies under the secret) and answers
  from a script: each entry is a status (200, 500, ...) or ("sleep", SECONDS, STATUS),
  taken in order; after the script, `default` (200).
- Workspace: a temp workspace made with `leadflow init`, a leadflow.yaml of the test's
  own, `run(args, now=...)` runs the binary in it with LEADFLOW_TEST_NOW (the test
  clock of -DLF_TEST_HOOKS=ON builds) and the webhook secret in the environment.
- verify(secret, header, body): the signature check a receiver does, written from the
  contract (t=UNIX,v1=HEX, HEX = HMAC-SHA256 of "UNIX.BODY"), not from leadflow's code.

The binary is argv[1] (ctest passes it) or $LEADFLOW_BIN. A test whose binary was
built without test hooks exits 77 (skipped): LEADFLOW_TEST_NOW would be ignored.
"""
import hashlib
import hmac
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

BIN = None
SECRET = "whsec-test-0123456789"


def verify(secret, header, body):
    parts = dict(p.split("=", 1) for p in header.split(","))
    mac = hmac.new(secret.encode(), (parts["t"] + ".").encode() + body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), parts["v1"]), int(parts["t"])


class Receiver:
    def __init__(self, secret=SECRET, default=200):
        self.secret = secret
        self.script = []
        self.default = default
        self.got = []            # dicts: id, type, body (parsed), raw, ok_sig, t, status
        self.lock = threading.Lock()
        self.arrived = threading.Event()
        rec = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(n)
                ok, t = verify(rec.secret, self.headers.get("Leadflow-Signature", "t=0,v1=x"), raw)
                with rec.lock:
                    step = rec.script.pop(0) if rec.script else rec.default
                    entry = {"id": self.headers.get("Leadflow-Delivery"), "raw": raw,
                             "body": json.loads(raw), "ok_sig": ok, "t": t, "path": self.path,
                             "ctype": self.headers.get("Content-Type")}
                    rec.got.append(entry)
                rec.arrived.set()
                if isinstance(step, tuple):
                    time.sleep(step[1])
                    step = step[2]
                entry["status"] = step
                try:
                    self.send_response(step)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the client gave up (timeout): that is the point

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path="/hook"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *a):
        self.httpd.shutdown()
        self.httpd.server_close()

    def ids(self):
        with self.lock:
            return [g["id"] for g in self.got]


def binary():
    global BIN
    if BIN is None:
        BIN = os.environ.get("LEADFLOW_BIN")
    return BIN


class Workspace:
    """With LF_ALERTS_PG=1 and LEADFLOW_TEST_PG_URL (tests/pg/fixture.sh) the store is a
    new database of that PostgreSQL server (LEADFLOW_STORE), dropped by close()."""
    _count = 0

    def __init__(self, yaml_text):
        self.dir = tempfile.mkdtemp(prefix="lfalerts.")
        self.store = None
        if os.environ.get("LF_ALERTS_PG") == "1":
            Workspace._count += 1
            self.db = "lfalerts_%d_%d" % (os.getpid(), Workspace._count)
            self._psql("CREATE DATABASE " + self.db)
            self.store = os.environ["LEADFLOW_TEST_PG_URL"].rsplit("/", 1)[0] + "/" + self.db
        self.run(["init", "."], check=True)
        with open(os.path.join(self.dir, "leadflow.yaml"), "w") as f:
            f.write(yaml_text)

    def env(self, now=None, extra=None):
        e = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "TZ": "UTC", "HOOK_SECRET": SECRET,
             "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", ""),
             "UBSAN_OPTIONS": os.environ.get("UBSAN_OPTIONS", "")}
        if now:
            e["LEADFLOW_TEST_NOW"] = now
        if self.store:
            e["LEADFLOW_STORE"] = self.store
        e.update(extra or {})
        return e

    @staticmethod
    def _psql(sql):
        subprocess.run(["psql", "-q", os.environ["LEADFLOW_TEST_PG_URL"], "-c", sql],
                       check=True, capture_output=True, timeout=60)

    def run(self, args, now=None, check=False, extra=None, timeout=120):
        p = subprocess.run([binary(), "--workspace", self.dir] + args, capture_output=True,
                           text=True, env=self.env(now, extra), timeout=timeout, cwd=self.dir)
        if check and p.returncode != 0:
            raise AssertionError("leadflow %s: exit %d\n%s%s" % (" ".join(args), p.returncode,
                                                                  p.stdout, p.stderr))
        return p

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.store:
            self._psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.db)
            self.store = None


def has_test_clock():
    """Whether the binary honours LEADFLOW_TEST_NOW (built with -DLF_TEST_HOOKS=ON)."""
    ws = Workspace("timezone: UTC\n")
    try:
        ws.write("leads.csv", "id,email,created_at\nL1,a@x.com,2030-01-01T00:00:00Z\n")
        ws.run(["import", "leads", "leads.csv"], check=True)
        p = ws.run(["report", "funnel", "--format", "json"], now="2030-06-01T00:00:00Z")
        return '"as_of": "2030-06-01' in p.stdout or '"as_of":"2030-06-01' in p.stdout
    finally:
        ws.close()


def main():
    global BIN
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        BIN = os.path.abspath(sys.argv.pop(1))
    if not binary():
        sys.exit("usage: TEST.py LEADFLOW_BINARY")
    if not has_test_clock():
        print("skipped: the binary has no test clock (build with -DLF_TEST_HOOKS=ON)")
        sys.exit(77)
    unittest.main(verbosity=2)
