"""test_two_servers.py - two `leadflow serve` processes on one PostgreSQL database.

A generated workspace's leads go to server A; its events are split between A and B so
that every lead gets events from both at once: in rounds of a few leads, A posts the
even-numbered events of each of those leads and B the odd-numbered ones, both at the
same instant (a barrier), and no later request touches those leads (a lost update
would not be healed by a later replay). Then:
- `report all --format json` of the shared database equals a single-process import of
  the same files into SQLite (no update lost: every lead's derived state includes all
  its events, whichever server committed last);
- every handoff is announced exactly once in the outbox (webhook handoff.opened with a
  max_age that covers the history): none twice, none missing.
Needs LEADFLOW_TEST_PG_URL (tests/pg/fixture.sh); argv[1] is the leadflow binary.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "server"))
import harness  # noqa: E402
from harness import Server, WRITE_TOKEN  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pg_common import WEBHOOK  # noqa: E402

JSON = {"Content-Type": "application/json"}


def rows(path):
    with open(path, newline="") as f:
        return [{k: v for k, v in r.items() if v != ""} for r in csv.DictReader(f)]


def psql(url, sql):
    r = subprocess.run(["psql", "-At", url, "-c", sql], capture_output=True, text=True,
                       timeout=60, check=True)
    return r.stdout.strip()


class TwoServers(unittest.TestCase):
    def test_same_leads_at_once(self):
        tmp = tempfile.mkdtemp(prefix="lftwo.")
        gen = os.path.join(tmp, "gen")
        subprocess.run([harness.binary(), "generate", "--leads", "300", "--seed", "7",
                        "--out", gen], check=True, capture_output=True, timeout=120)
        with open(os.path.join(gen, "leadflow.yaml")) as f:
            config = f.read() + WEBHOOK
        args = ["report", "all", "--format", "json", "--as-of", "2026-12-01T00:00:00Z"]
        env = {"LF_TEST_HOOK_SECRET": "0123456789abcdef0123"}

        def import_all(ws, run):
            for kind in ("leads", "events"):
                r = run(["import", kind, os.path.join(gen, kind + ".csv")])
                assert r.returncode == 0, r.stderr

        old = os.environ.pop("LF_SERVER_PG", None)  # the reference: SQLite, one process
        try:
            with Server(config_yaml=config, setup=import_all, env=env) as ref:
                ref.stop()
                expected = ref.run(args)
        finally:
            if old is not None:
                os.environ["LF_SERVER_PG"] = old
        self.assertEqual(expected.returncode, 0, expected.stderr)

        os.environ["LF_SERVER_PG"] = "1"
        leads, events = rows(os.path.join(gen, "leads.csv")), rows(os.path.join(gen, "events.csv"))
        with Server(config_yaml=config, env=env) as a:
            url = a.extra_env["LEADFLOW_STORE"]
            with Server(config_yaml=config, env=dict(env, LEADFLOW_STORE=url)) as b:
                st, _, doc = a.json("POST", "/v1/leads", leads, token=WRITE_TOKEN)
                self.assertEqual(st, 200, doc)
                errors = []

                by_lead = {}
                for e in events:
                    by_lead.setdefault(e["lead_id"], []).append(e)
                ids = sorted(by_lead)
                rounds = [ids[i:i + 3] for i in range(0, len(ids), 3)]
                barrier = threading.Barrier(2, timeout=120)

                def post(server, k):
                    for r in rounds:
                        mine = [e for lead in r for e in by_lead[lead][k::2]]
                        barrier.wait()
                        st, _, doc = server.json("POST", "/v1/events", mine,
                                                 token=WRITE_TOKEN)
                        if st != 200:
                            errors.append((st, doc))

                threads = [threading.Thread(target=post, args=(s, k))
                           for k, s in enumerate((a, b))]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(timeout=600)
                self.assertEqual(errors, [])
                b.stop()
            a.stop()
            got = a.run(args)
            self.assertEqual(got.returncode, 0, got.stderr)
            self.assertEqual(json.loads(got.stdout), json.loads(expected.stdout))
            self.assertEqual(got.stdout, expected.stdout)
            # every handoff announced once: none twice (the unique key), none missing
            dup = psql(url, "SELECT count(*) FROM (SELECT lead_id, subject FROM outbox"
                            " WHERE type = 'handoff.opened' GROUP BY 1, 2"
                            " HAVING count(*) > 1) d")
            missing = psql(url, "SELECT count(*) FROM handoffs h WHERE NOT EXISTS (SELECT 1"
                                " FROM outbox o WHERE o.lead_id = h.lead_id"
                                " AND o.type = 'handoff.opened' AND o.subject = h.mql_at)")
            handoffs = int(psql(url, "SELECT count(*) FROM handoffs"))
            self.assertGreater(handoffs, 50)
            self.assertEqual((dup, missing), ("0", "0"))
            pending = psql(url, "SELECT count(*) FROM pending")
            self.assertEqual(pending, "0")
        subprocess.run(["rm", "-rf", tmp], check=False)


if __name__ == "__main__":
    if not os.environ.get("LEADFLOW_TEST_PG_URL"):
        print("no LEADFLOW_TEST_PG_URL: skipped")
        sys.exit(77)
    harness.main()
