#!/usr/bin/env python3
"""`leadflow serve` delivers webhooks continuously (its alerts loop, src/server/deliver.c):
a handoff opened through the API reaches a loopback receiver, signed; a server killed
while a delivery is in flight delivers it after a restart (same id: at least once);
SIGTERM stops the loop and the server promptly with exit 0.

The clock is the test clock (LEADFLOW_TEST_NOW, fixed per server run); passes run
every 0.1 s (LEADFLOW_DELIVER_INTERVAL).
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import alerts_util as au  # noqa: E402

TOKEN = "write-token-0123456789"
NOW = "2026-04-01T12:00:00Z"
LATER = "2026-04-01T12:10:00Z"   # past the lease of a claim (10 s + 60 s)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond, secs=20):
    end = time.time() + secs
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


class ServeDeliver(unittest.TestCase):
    def setUp(self):
        self.rx = au.Receiver().__enter__()
        self.ws = au.Workspace("timezone: UTC\nsla:\n  accept_within: 2bd\nwebhooks:\n"
                               "  - url: %s\n    secret_env: HOOK_SECRET\n"
                               "    events: [handoff.opened, handoff.decided]\n" % self.rx.url())
        self.proc = None
        self.log = None

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.log:
            self.log.close()
        self.rx.__exit__()
        self.ws.close()

    def start(self, now):
        self.port = free_port()
        env = self.ws.env(now, {"LEADFLOW_TOKENS": "write:" + TOKEN,
                                "LEADFLOW_DELIVER_INTERVAL": "0.1"})
        if self.log:
            self.log.close()
        self.log = open(os.path.join(self.ws.dir, "serve.log"), "ab")
        self.proc = subprocess.Popen([au.binary(), "--workspace", self.ws.dir, "serve",
                                      "--listen", "127.0.0.1:%d" % self.port],
                                     env=env, stdout=subprocess.DEVNULL, stderr=self.log)
        self.assertTrue(wait_for(self.healthy), "the server did not start")

    def healthy(self):
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            c.request("GET", "/healthz")
            ok = c.getresponse().status == 200
            c.close()
            return ok
        except OSError:
            return False

    def post(self, path, obj):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request("POST", path, json.dumps(obj), {"Authorization": "Bearer " + TOKEN,
                                                  "Content-Type": "application/json"})
        r = c.getresponse()
        body = r.read()
        c.close()
        self.assertEqual(r.status, 200, body)

    def test_deliveries_survive_a_kill_and_stop_gracefully(self):
        self.start(NOW)
        self.post("/v1/leads", {"id": "L1", "email": "a@x.com",
                                "created_at": "2026-04-01T11:00:00Z"})
        self.post("/v1/events", {"lead_id": "L1", "ts": "2026-04-01T11:30:00Z", "type": "mql"})
        self.assertTrue(wait_for(lambda: len(self.rx.got) >= 1), "no handoff.opened")
        g = self.rx.got[0]
        self.assertTrue(g["ok_sig"])
        self.assertEqual((g["id"], g["body"]["type"]), ("dlv-1-1", "handoff.opened"))
        # the decision's delivery hangs at the receiver; the server is killed meanwhile
        self.rx.script = [("sleep", 30, 200)]
        self.rx.arrived.clear()
        self.post("/v1/events", {"lead_id": "L1", "ts": "2026-04-01T11:45:00Z",
                                 "type": "accepted"})
        self.assertTrue(self.rx.arrived.wait(20) and wait_for(lambda: len(self.rx.got) >= 2))
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.assertEqual(self.rx.ids(), ["dlv-1-1", "dlv-1-2"])
        # restarted after the claim's lease: the same delivery again, answered 200
        self.start(LATER)
        self.assertTrue(wait_for(lambda: len(self.rx.got) >= 3), "not resumed")
        time.sleep(0.5)
        self.assertEqual(self.rx.ids(), ["dlv-1-1", "dlv-1-2", "dlv-1-2"])
        self.assertEqual(self.rx.got[1]["raw"], self.rx.got[2]["raw"])
        self.assertEqual(self.rx.got[2]["body"]["type"], "handoff.decided")
        # SIGTERM: the loop stops with the server, promptly, exit 0
        t0 = time.time()
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=20), 0)
        self.assertLess(time.time() - t0, 10)
        p = self.ws.run(["deliver", "--list"], check=True)
        self.assertEqual(p.stdout, "")


if __name__ == "__main__":
    au.main()
