"""harness.py - starts the real `leadflow serve` for the tests of tests/server.

Python 3 standard library only. Loopback only: the server listens on 127.0.0.1 (or
::1) on a free port chosen by the kernel; every wait is bounded.

    from harness import Server, main
    class T(unittest.TestCase):
        def test_x(self):
            with Server() as s:      # temp workspace, READ_TOKEN and WRITE_TOKEN
                st, hdrs, body = s.request("GET", "/healthz")
                st, hdrs, body = s.request("POST", "/v1/events", b"{}", token=WRITE_TOKEN,
                                           headers={"Content-Type": "application/json"})
                s.json(...)  # same, body parsed as JSON
    if __name__ == "__main__":
        main()          # argv[1] = the leadflow binary (ctest passes it)

The binary is argv[1] of the test script (or $LEADFLOW_BIN). Server(...) makes a temp
workspace with `leadflow init` (config_yaml= text is written to its leadflow.yaml;
setup= a callable(ws_dir, run) run before the server starts, run(args) runs the
binary in it), starts `leadflow --workspace WS serve --listen 127.0.0.1:PORT` with
LEADFLOW_TOKENS (tokens=None leaves it unset), waits for GET /healthz and, on exit
from the with block (also when a test fails), stops it (SIGTERM, then SIGKILL after
a bounded wait) and removes the workspace. The server's stderr (access log) is a file:
s.stderr_text().

With LF_SERVER_PG=1 and LEADFLOW_TEST_PG_URL (tests/pg/fixture.sh), every Server keeps
its store in a new database of that PostgreSQL server (LEADFLOW_STORE, for the server
and for run()), dropped by close(): ctest runs the server tests so a second time.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import shutil
import time
import unittest

BIN = None
# The harness's default LEADFLOW_TOKENS (tokens are at least 16 characters)
READ_TOKEN = "read-token-0123456789"
WRITE_TOKEN = "write-token-0123456789"


def binary():
    global BIN
    if BIN is None:
        BIN = os.environ.get("LEADFLOW_BIN")
    if not BIN:
        raise RuntimeError("no leadflow binary: pass it as argv[1] or set LEADFLOW_BIN")
    return BIN


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    """A port the kernel reports free on host (closed again before the server binds)."""
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class Server:
    def __init__(self, tokens="read:" + READ_TOKEN + ",write:" + WRITE_TOKEN, args=(),
                 config_yaml=None, setup=None, host="127.0.0.1", env=None,
                 wait_ready=True, start_timeout=20.0):
        self.tokens = tokens
        self.args = list(args)
        self.config_yaml = config_yaml
        self.setup = setup
        self.host = host
        self.extra_env = dict(env or {})
        self.wait_ready = wait_ready
        self.start_timeout = start_timeout
        self.proc = None
        self.tmp = None
        self.ws = None
        self.port = None
        self.returncode = None
        self.pg_db = None

    # ---- PostgreSQL -----------------------------------------------------------------
    _pg_count = 0

    @staticmethod
    def _psql(sql):
        subprocess.run(["psql", "-q", os.environ["LEADFLOW_TEST_PG_URL"], "-c", sql],
                       check=True, capture_output=True, timeout=60)

    def _pg_create(self):
        if os.environ.get("LF_SERVER_PG") != "1":
            return
        Server._pg_count += 1
        self.pg_db = "lfserve_%d_%d" % (os.getpid(), Server._pg_count)
        self._psql("CREATE DATABASE " + self.pg_db)
        base = os.environ["LEADFLOW_TEST_PG_URL"].rsplit("/", 1)[0]
        self.extra_env.setdefault("LEADFLOW_STORE", base + "/" + self.pg_db)

    def _pg_drop(self):
        if self.pg_db:
            self._psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.pg_db)
            self.pg_db = None

    # ---- lifecycle ------------------------------------------------------------------
    def env(self):
        e = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "TZ": "UTC", "HOME": self.tmp}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                e[k] = os.environ[k]
        if self.tokens is not None:
            e["LEADFLOW_TOKENS"] = self.tokens
        e.update(self.extra_env)
        return e

    def run(self, args, input=None, timeout=120):
        """Runs the leadflow binary in the workspace (--workspace WS ARGS...)."""
        return subprocess.run([binary(), "--workspace", self.ws] + list(args),
                              input=input, capture_output=True, timeout=timeout,
                              env=self.env())

    def start(self):
        self.tmp = tempfile.mkdtemp(prefix="lfserve.")
        self.ws = os.path.join(self.tmp, "ws")
        self._pg_create()
        r = subprocess.run([binary(), "init", self.ws], capture_output=True, timeout=60,
                           env=self.env())
        if r.returncode != 0:
            raise RuntimeError("leadflow init failed: %r" % r.stderr)
        if self.config_yaml is not None:
            with open(os.path.join(self.ws, "leadflow.yaml"), "w") as f:
                f.write(self.config_yaml)
        if self.setup:
            self.setup(self.ws, self.run)
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        for attempt in range(5):
            self.port = free_port(family, self.host)
            listen = ("[%s]:%d" if ":" in self.host else "%s:%d") % (self.host, self.port)
            self.errpath = os.path.join(self.tmp, "stderr.%d" % attempt)
            self.errfile = open(self.errpath, "wb")
            self.proc = subprocess.Popen(
                [binary(), "--workspace", self.ws, "serve", "--listen", listen] + self.args,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.errfile,
                env=self.env())
            if not self.wait_ready:
                return self
            if self._wait_healthz():
                return self
            self.kill()
            if "address already in use" not in self.stderr_text().lower():
                break
        raise RuntimeError("server did not start: " + self.stderr_text())

    def _wait_healthz(self):
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                st, _, _ = self.request("GET", "/healthz", timeout=2)
                if st == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Sends sig and waits; returns the exit code (SIGKILL after the timeout)."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.returncode = self.proc.returncode
        self.proc = None
        self.errfile.close()
        return self.returncode

    def kill(self):
        return self.stop(signal.SIGKILL)

    def close(self):
        try:
            self.stop()
        finally:
            self._pg_drop()
            if self.tmp and os.environ.get("LF_KEEP_TMP") != "1":
                shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc):
        self.close()
        return False

    def stderr_text(self):
        try:
            with open(self.errpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (OSError, AttributeError):
            return ""

    # ---- requests -------------------------------------------------------------------
    def connection(self, timeout=30):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, token=None, timeout=30):
        """One request on a new connection: (status, {lower-case header: value}, bytes)."""
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if isinstance(body, str):
            body = body.encode()
        c = self.connection(timeout)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            c.close()

    def json(self, method, path, body=None, headers=None, token=None, timeout=30):
        """request() with the body parsed as JSON (None when it is not JSON)."""
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            headers = dict(headers or {})
            headers.setdefault("Content-Type", "application/json")
        st, h, data = self.request(method, path, body, headers, token, timeout)
        try:
            doc = json.loads(data.decode("utf-8"))
        except ValueError:
            doc = None
        return st, h, doc

    def raw(self, data, timeout=10):
        """Sends raw bytes on a new socket and returns everything read until close."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect((self.host, self.port))
            s.sendall(data)
            out = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    out += chunk
            except socket.timeout:
                pass
            return out


def is_json_error(doc, code=None):
    """Whether doc is {"error": {"code": str, "message": str}} (with that code)."""
    if not isinstance(doc, dict) or set(doc) != {"error"}:
        return False
    e = doc["error"]
    if not isinstance(e, dict) or not isinstance(e.get("code"), str) or \
       not isinstance(e.get("message"), str):
        return False
    return code is None or e["code"] == code


def main():
    global BIN
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        BIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
