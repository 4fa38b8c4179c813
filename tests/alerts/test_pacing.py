#!/usr/bin/env python3
"""pacing.behind: at most once per business day while the month's projected MQLs (the
`bizday` report's pacing) are below the goal, on the test clock.

Workspace: UTC, Mon-Fri, no holidays, goal 10 MQLs a month. April 2026 has 22
business days (Wed 1-Fri 3: 3, then four weeks of 5, 5, 5 and Mon 27-Thu 30: 4).
Two MQLs on April 1 and 2.
  Wed 04-15 10:00: elapsed 11 (1-3, 6-10, 13-15), mtd 2, projected 2/11 x 22 = 4 < 10:
      behind -> one alert; again the same day: none
  Thu 04-16: elapsed 12, projected 2/12 x 22 = 3.67: behind -> one more
  Sat 04-18: not a business day: none
  Mon 04-20 (after 10 more MQLs on 04-17): mtd 12, elapsed 14, projected 12/14 x 22
      = 18.86 >= 10: on pace, none
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import alerts_util as au  # noqa: E402

CONFIG = ("timezone: UTC\ngoals:\n  mqls_per_month: 10\nwebhooks:\n  - url: %s\n"
          "    secret_env: HOOK_SECRET\n    events: [pacing.behind]\n")


class Pacing(unittest.TestCase):
    def setUp(self):
        self.rx = au.Receiver().__enter__()
        self.ws = au.Workspace(CONFIG % self.rx.url())
        leads = "id,email,created_at\n" + "".join(
            "P%d,p%d@x.com,2026-04-01T08:00:00Z\n" % (i, i) for i in range(12))
        events = ("lead_id,ts,type\nP0,2026-04-01T10:00:00Z,mql\n"
                  "P1,2026-04-02T10:00:00Z,mql\n")
        self.ws.write("leads.csv", leads)
        self.ws.write("events.csv", events)
        self.ws.run(["import", "leads", "leads.csv"], check=True)
        self.ws.run(["import", "events", "events.csv"], check=True)

    def tearDown(self):
        self.rx.__exit__()
        self.ws.close()

    def deliver(self, now):
        return self.ws.run(["deliver"], now=now, check=True).stdout

    def test_once_per_business_day_while_behind(self):
        self.assertEqual(self.deliver("2026-04-15T10:00:00Z"),
                         "deliver: 1 due, 1 sent, 0 to retry, 0 failed\n")
        self.assertEqual(self.deliver("2026-04-15T16:00:00Z"),
                         "deliver: 0 due, 0 sent, 0 to retry, 0 failed\n")
        b = self.rx.got[0]["body"]
        self.assertTrue(self.rx.got[0]["ok_sig"])
        self.assertEqual(b["type"], "pacing.behind")
        self.assertEqual(b["created_at"], "2026-04-15T10:00:00+00:00")
        d = b["data"]
        self.assertEqual((d["month"], d["goal"], d["mtd"], d["bdays_elapsed"], d["bdays_left"]),
                         ("2026-04", 10, 2, 11, 11))
        self.assertAlmostEqual(d["projected"], 4.0)
        # the same figures as the bizday report's pacing as of that instant
        rep = json.loads(self.ws.run(["report", "bizday", "--format", "json", "--from",
                                      "2026-04-01", "--to", "2026-05-01", "--as-of",
                                      "2026-04-15T10:00:00Z"], check=True).stdout)
        pacing = [r["pacing"] for r in rep["rows"] if r.get("pacing")][0]
        self.assertEqual({k: v for k, v in d.items() if k != "month"}, pacing)
        self.deliver("2026-04-16T09:30:00Z")
        self.assertEqual(len(self.rx.got), 2)
        self.assertAlmostEqual(self.rx.got[1]["body"]["data"]["projected"], 2 / 12 * 22)
        self.deliver("2026-04-18T12:00:00Z")
        self.assertEqual(len(self.rx.got), 2)
        more = "lead_id,ts,type\n" + "".join(
            "P%d,2026-04-17T10:00:00Z,mql\n" % i for i in range(2, 12))
        self.ws.write("more.csv", more)
        self.ws.run(["import", "events", "more.csv"], check=True)
        self.deliver("2026-04-20T10:00:00Z")
        self.assertEqual(len(self.rx.got), 2)
        self.assertEqual([g["id"] for g in self.rx.got], ["dlv-0-1", "dlv-0-2"])


if __name__ == "__main__":
    au.main()
