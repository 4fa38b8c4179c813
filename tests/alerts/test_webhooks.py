#!/usr/bin/env python3
"""Signed webhooks through `leadflow deliver`, against a real receiver on 127.0.0.1.

The clock is the test clock (LEADFLOW_TEST_NOW), so retries are checked at chosen
instants instead of waiting. Times below are UTC; the workspace is UTC, SLA 2bd.

Data: L1 created 2026-04-01 09:00, mql 10:00, accepted 11:00 (both within the 24h
max_age at "now" = 12:00, so handoff.opened then handoff.decided); L2's mql is on
2026-03-01 (a month before now: history, fires nothing).
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import alerts_util as au  # noqa: E402

NOW = "2026-04-01T12:00:00Z"

LEADS = ("id,email,created_at,source\n"
         "L1,a@x.com,2026-04-01T09:00:00Z,web\n"
         "L2,b@x.com,2026-03-01T09:00:00Z,web\n")
EVENTS = ("lead_id,ts,type\n"
          "L1,2026-04-01T10:00:00Z,mql\n"
          "L1,2026-04-01T11:00:00Z,accepted\n"
          "L2,2026-03-01T10:00:00Z,mql\n")


def config(url, extra=""):
    return ("timezone: UTC\nsla:\n  accept_within: 2bd\nwebhooks:\n"
            "  - url: %s\n    secret_env: HOOK_SECRET\n"
            "    events: [handoff.opened, handoff.decided, handoff.overdue]\n%s" % (url, extra))


def at(base, seconds):
    """base (YYYY-MM-DDTHH:MM:SSZ) + seconds, in the same form."""
    t = time.strptime(base, "%Y-%m-%dT%H:%M:%SZ")
    import calendar
    s = calendar.timegm(t) + seconds
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s))


class Webhooks(unittest.TestCase):
    def setUp(self):
        self.rx = au.Receiver().__enter__()
        self.ws = au.Workspace(config(self.rx.url()))

    def tearDown(self):
        self.rx.__exit__()
        self.ws.close()

    def imp(self, leads=LEADS, events=EVENTS, now=NOW):
        self.ws.write("leads.csv", leads)
        self.ws.write("events.csv", events)
        self.ws.run(["import", "leads", "leads.csv"], now=now, check=True)
        self.ws.run(["import", "events", "events.csv"], now=now, check=True)

    def deliver(self, now, extra=None):
        return self.ws.run(["deliver"], now=now, check=True, extra=extra)

    def test_signed_bodies_order_and_retries(self):
        self.imp()
        # attempt 1 of dlv-1-1 (opened) answers 500; decided waits behind it (per-lead order)
        self.rx.script = [500]
        p = self.deliver(NOW)
        self.assertEqual(p.stdout, "deliver: 0 due, 0 sent, 1 to retry, 0 failed\n")
        self.assertEqual(self.rx.ids(), ["dlv-1-1"])
        # same instant again: the retry is not due yet (backoff >= 15 s), nothing sent
        p = self.deliver(NOW)
        self.assertEqual(p.stdout, "deliver: 0 due, 0 sent, 0 to retry, 0 failed\n")
        self.assertEqual(len(self.rx.got), 1)
        # 31 s later (past the first backoff, at most 30 s): attempt 2 times out
        self.rx.script = [("sleep", 3, 200)]
        p = self.deliver(at(NOW, 31), extra={"LEADFLOW_DELIVER_TIMEOUT": "0.5"})
        self.assertEqual(p.stdout, "deliver: 0 due, 0 sent, 1 to retry, 0 failed\n")
        lst = self.ws.run(["deliver", "--list"], check=True).stdout
        self.assertIn("dlv-1-1 pending handoff.opened lead L1", lst)
        self.assertIn("attempts 2", lst)
        self.assertIn("timeout after 500 ms", lst)
        # 2 minutes later (second backoff at most 60 s): opened, then decided, both 200
        p = self.deliver(at(NOW, 31 + 120))
        self.assertEqual(p.stdout, "deliver: 0 due, 2 sent, 0 to retry, 0 failed\n")
        self.assertEqual(self.rx.ids(), ["dlv-1-1", "dlv-1-1", "dlv-1-1", "dlv-1-2"])
        self.assertEqual(self.ws.run(["deliver", "--list"], check=True).stdout, "")
        for g in self.rx.got:
            self.assertTrue(g["ok_sig"], g["id"])
            self.assertEqual(g["ctype"], "application/json")
            self.assertEqual(g["body"]["id"], g["id"])
        # the same bytes on every attempt, signed at the attempt's own time
        self.assertEqual(self.rx.got[0]["raw"], self.rx.got[2]["raw"])
        self.assertEqual([g["t"] for g in self.rx.got],
                         [1775044800, 1775044800 + 31, 1775044800 + 151, 1775044800 + 151])
        opened, decided = self.rx.got[2]["body"], self.rx.got[3]["body"]
        self.assertEqual(sorted(opened), ["created_at", "data", "id", "type"])
        self.assertEqual(opened["type"], "handoff.opened")
        self.assertEqual(opened["created_at"], "2026-04-01T10:00:00+00:00")
        self.assertEqual(opened["data"]["lead"]["id"], "L1")
        self.assertEqual(opened["data"]["lead"]["email"], "a@x.com")
        self.assertEqual(opened["data"]["handoff"]["mql_at"], "2026-04-01T10:00:00+00:00")
        self.assertEqual(opened["data"]["handoff"]["deadline"], "2026-04-03T10:00:00+00:00")
        self.assertEqual(decided["type"], "handoff.decided")
        self.assertEqual(decided["created_at"], "2026-04-01T11:00:00+00:00")
        self.assertEqual(decided["data"]["handoff"]["outcome"], "accepted")
        # nothing about L2 (history older than max_age), and nothing more on a new pass
        self.deliver(at(NOW, 3600))
        self.assertEqual(len(self.rx.got), 4)

    def test_a_bad_signature_is_detectable(self):
        """The receiver's check is real: under another secret it fails."""
        self.imp()
        self.rx.secret = "another-secret"
        self.deliver(NOW)
        self.assertEqual(len(self.rx.got), 2)
        self.assertFalse(any(g["ok_sig"] for g in self.rx.got))

    def test_failed_after_24_hours_then_retry_failed(self):
        self.imp()
        self.rx.default = 503
        self.deliver(NOW)
        self.deliver(at(NOW, 3600))
        # 24 hours after the first attempt the next failure is final; then the lead's
        # next delivery is no longer held back by it and has its first attempt
        p = self.deliver(at(NOW, 24 * 3600 + 60))
        self.assertEqual(p.stdout, "deliver: 0 due, 0 sent, 1 to retry, 1 failed\n")
        lst = self.ws.run(["deliver", "--list"], check=True).stdout
        self.assertIn("dlv-1-1 failed handoff.opened lead L1", lst)
        self.assertIn("HTTP 503", lst)
        self.assertIn("dlv-1-2 pending handoff.decided", lst)
        n = len(self.rx.got)
        self.assertEqual(self.rx.ids()[-2:], ["dlv-1-1", "dlv-1-2"])
        self.rx.default = 200
        p = self.deliver(at(NOW, 24 * 3600 + 120))
        self.assertEqual(p.stdout, "deliver: 0 due, 1 sent, 0 to retry, 0 failed\n")
        self.assertEqual(self.rx.ids()[n:], ["dlv-1-2"])
        self.assertIn("dlv-1-1 failed", self.ws.run(["deliver", "--list"]).stdout)
        p = self.ws.run(["deliver", "--retry-failed"], now=at(NOW, 25 * 3600), check=True)
        self.assertEqual(p.stdout, "deliver: 1 failed delivery pending again\n")
        p = self.deliver(at(NOW, 25 * 3600))
        self.assertEqual(p.stdout, "deliver: 0 due, 1 sent, 0 to retry, 0 failed\n")
        self.assertEqual(self.rx.ids()[-1], "dlv-1-1")
        self.assertEqual(self.ws.run(["deliver", "--list"], check=True).stdout, "")

    def test_missing_secret_is_retried_and_never_printed(self):
        self.imp()
        p = self.ws.run(["deliver"], now=NOW, check=True, extra={"HOOK_SECRET": ""})
        self.assertEqual(p.stdout, "deliver: 0 due, 0 sent, 1 to retry, 0 failed\n")
        self.assertEqual(self.rx.got, [])
        lst = self.ws.run(["deliver", "--list"], check=True).stdout
        self.assertIn("environment variable HOOK_SECRET is not set", lst)
        self.deliver(at(NOW, 120))
        self.assertEqual(self.rx.ids(), ["dlv-1-1", "dlv-1-2"])
        for args in (["deliver"], ["deliver", "--list"]):
            p = self.ws.run(args, now=at(NOW, 200))
            self.assertNotIn(au.SECRET, p.stdout + p.stderr)

    def test_killed_mid_request_resumes_without_loss(self):
        self.imp()
        # the first request hangs; the deliverer is SIGKILLed while it waits
        self.rx.script = [("sleep", 8, 200)]
        proc = subprocess.Popen([au.binary(), "--workspace", self.ws.dir, "deliver"],
                                env=self.ws.env(NOW), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        self.assertTrue(self.rx.arrived.wait(30))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        # a restart within the claim's lease (10 s timeout + 60 s) sends nothing twice
        p = self.deliver(at(NOW, 30))
        self.assertEqual(p.stdout, "deliver: 0 due, 0 sent, 0 to retry, 0 failed\n")
        # after the lease the delivery is due again: same id, then the next one
        p = self.deliver(at(NOW, 120))
        self.assertEqual(p.stdout, "deliver: 0 due, 2 sent, 0 to retry, 0 failed\n")
        self.assertEqual(self.rx.ids(), ["dlv-1-1", "dlv-1-1", "dlv-1-2"])
        self.assertEqual(self.rx.got[0]["raw"], self.rx.got[1]["raw"])

    def test_two_deliverers_never_send_one_attempt_twice(self):
        leads = "id,email,created_at\n" + "".join(
            "M%d,m%d@x.com,2026-04-01T09:00:00Z\n" % (i, i) for i in range(12))
        events = "lead_id,ts,type\n" + "".join(
            "M%d,2026-04-01T10:%02d:00Z,mql\n" % (i, i) for i in range(12))
        self.imp(leads, events)
        self.rx.default = ("sleep", 0.2, 200)
        procs = [subprocess.Popen([au.binary(), "--workspace", self.ws.dir, "deliver"],
                                  env=self.ws.env(NOW), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs):
            self.assertEqual(p.returncode, 0, err)
        ids = self.rx.ids()
        self.assertEqual(len(ids), 12)
        self.assertEqual(len(set(ids)), 12)

    def test_max_age_and_per_endpoint_events(self):
        """A second endpoint with max_age 30m and only handoff.decided: the decision at
        11:00 is 60 minutes old at 12:00, so it gets nothing; the first gets both."""
        extra = ("  - url: %s\n    secret_env: HOOK_SECRET\n    events: [handoff.decided]\n"
                 "    max_age: 30m\n" % self.rx.url("/second"))
        self.ws.write("leadflow.yaml", config(self.rx.url(), extra))
        self.imp()
        self.deliver(NOW)
        self.assertEqual([g["path"] for g in self.rx.got], ["/hook", "/hook"])
        # the same import at 11:20: the decision is 20 minutes old, the second gets it
        ws2 = au.Workspace(config(self.rx.url(), extra))
        try:
            ws2.write("leads.csv", LEADS)
            ws2.write("events.csv", EVENTS)
            ws2.run(["import", "leads", "leads.csv"], now="2026-04-01T11:20:00Z", check=True)
            ws2.run(["import", "events", "events.csv"], now="2026-04-01T11:20:00Z", check=True)
            ws2.run(["deliver"], now="2026-04-01T11:20:00Z", check=True)
        finally:
            ws2.close()
        self.assertEqual(sorted(g["path"] for g in self.rx.got[2:]),
                         ["/hook", "/hook", "/second"])


if __name__ == "__main__":
    au.main()
