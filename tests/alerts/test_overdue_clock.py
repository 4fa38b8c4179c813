#!/usr/bin/env python3
"""handoff.overdue fires exactly once, at the SLA deadline on the business clock, on
the test clock (LEADFLOW_TEST_NOW) of `leadflow deliver`.

Workspace: Europe/Berlin, Mon-Fri 09:00-17:00 (the default), holiday Monday
2026-03-30, SLA 2bd = 16 business hours. Summer time starts Sunday 2026-03-29 at
02:00 (CET +01:00 -> CEST +02:00).

L1: MQL Friday 2026-03-27 16:30 CET (15:30Z). Derivation by hand:
    Fri 16:30-17:00            0.5 h   (0.5)
    Sat 28, Sun 29             weekend (the DST change is inside it)
    Mon 30                     holiday
    Tue 31 09:00-17:00 CEST    8 h     (8.5)
    Wed 01 09:00-16:30 CEST    7.5 h   (16)
  deadline = Wednesday 2026-04-01 16:30 CEST = 14:30Z. (Without the holiday it would
  be Tuesday 16:30; on the calendar clock 2d it would be Sunday 15:30Z; a fixed
  +01:00 offset would put it at 15:30Z.) Overdue = pending with the deadline before
  now, so 14:30:00Z is not yet overdue and 14:30:01Z is.
L2: MQL at the same instant, accepted Tuesday 2026-03-31 10:00 CEST: never overdue.
L3: MQL Friday 2026-03-20 10:00 CET; deadline Tuesday 2026-03-24 10:00 CET (09:00Z):
    already 3 days overdue at the first pass, older than max_age 24h: fires nothing.
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import alerts_util as au  # noqa: E402

CONFIG = """timezone: Europe/Berlin
calendar:
  holidays: [2026-03-30]
sla:
  accept_within: 2bd
webhooks:
  - url: %s
    secret_env: HOOK_SECRET
    events: [handoff.overdue]
"""
LEADS = ("id,email,created_at\n"
         "L1,a@x.com,2026-03-27T08:00:00+01:00\n"
         "L2,b@x.com,2026-03-27T08:00:00+01:00\n"
         "L3,c@x.com,2026-03-20T08:00:00+01:00\n")
EVENTS = ("lead_id,ts,type\n"
          "L1,2026-03-27T16:30:00+01:00,mql\n"
          "L2,2026-03-27T16:30:00+01:00,mql\n"
          "L2,2026-03-31T10:00:00+02:00,accepted\n"
          "L3,2026-03-20T10:00:00+01:00,mql\n")

# (now, deliveries expected in total after the pass at now)
STEPS = [
    ("2026-03-27T16:00:00Z", 0),   # Friday after closing: 0.5 h used
    ("2026-03-28T12:00:00Z", 0),   # Saturday
    ("2026-03-29T15:30:01Z", 0),   # Sunday: 2 calendar days after mql_at
    ("2026-03-30T16:00:00Z", 0),   # the holiday
    ("2026-03-31T15:30:00Z", 0),   # Tuesday 17:30 CEST: 8.5 h used
    ("2026-04-01T13:30:01Z", 0),   # Wednesday 15:30 CEST (+01:00 arithmetic's deadline)
    ("2026-04-01T14:29:59Z", 0),
    ("2026-04-01T14:30:00Z", 0),   # the deadline itself: not before now yet
    ("2026-04-01T14:30:01Z", 1),   # fires
    ("2026-04-01T14:31:00Z", 1),   # never again
    ("2026-04-02T09:00:00Z", 1),
]


class OverdueClock(unittest.TestCase):
    def setUp(self):
        self.rx = au.Receiver().__enter__()
        self.ws = au.Workspace(CONFIG % self.rx.url())
        self.ws.write("leads.csv", LEADS)
        self.ws.write("events.csv", EVENTS)
        self.ws.run(["import", "leads", "leads.csv"], now="2026-03-27T15:30:00Z", check=True)
        self.ws.run(["import", "events", "events.csv"], now="2026-03-27T15:30:00Z", check=True)

    def tearDown(self):
        self.rx.__exit__()
        self.ws.close()

    def test_fires_once_at_the_business_clock_deadline(self):
        for now, total in STEPS:
            p = self.ws.run(["deliver"], now=now, check=True)
            self.assertEqual(len(self.rx.got), total, "after the pass at %s: %s" % (now, p.stdout))
            if now == "2026-04-01T14:30:01Z":
                self.assertEqual(p.stdout, "deliver: 1 due, 1 sent, 0 to retry, 0 failed\n")
        body = self.rx.got[0]["body"]
        self.assertTrue(self.rx.got[0]["ok_sig"])
        self.assertEqual(body["type"], "handoff.overdue")
        self.assertEqual(body["created_at"], "2026-04-01T16:30:00+02:00")
        self.assertEqual(body["data"]["lead"]["id"], "L1")
        self.assertEqual(body["data"]["handoff"]["deadline"], "2026-04-01T16:30:00+02:00")
        self.assertEqual(body["data"]["handoff"]["outcome"], "pending")
        self.assertTrue(body["data"]["handoff"]["overdue"])

    def test_concurrent_passes_enqueue_once(self):
        procs = [subprocess.Popen([au.binary(), "--workspace", self.ws.dir, "deliver"],
                                  env=self.ws.env("2026-04-01T15:00:00Z"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(3)]
        for p in procs:
            out, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err)
        self.ws.run(["deliver"], now="2026-04-01T15:00:00Z", check=True)
        self.assertEqual(len(self.rx.got), 1)
        self.assertEqual(self.rx.got[0]["body"]["type"], "handoff.overdue")

    def test_a_decision_before_the_pass_fires_nothing(self):
        """L1 accepted Wednesday 16:45 CEST, after its deadline but before the first
        pass after it: the handoff is no longer pending, so no alert."""
        self.ws.write("more.csv", "lead_id,ts,type\nL1,2026-04-01T16:45:00+02:00,accepted\n")
        self.ws.run(["import", "events", "more.csv"], now="2026-04-01T14:50:00Z", check=True)
        self.ws.run(["deliver"], now="2026-04-01T15:00:00Z", check=True)
        self.assertEqual(len(self.rx.got), 0)


if __name__ == "__main__":
    au.main()
