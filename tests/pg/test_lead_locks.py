"""test_lead_locks.py - the per-lead locks of the PostgreSQL store, proven by a race.

Two `leadflow import events` processes write events of the same leads into one
database; the test hooks of a -DLF_TEST_HOOKS=ON build (include/leadflow/testhook.h,
LEADFLOW_TEST_PAUSE) hold them at the places where a missing lock loses an update:

- A imports a.csv (every lead's even-numbered events): its events and pending marks
  commit, then its replay reads the leads' events and is held there ("read": read, not
  yet written), with whatever that read locked.
- B then imports b.csv (the odd-numbered events of the same leads), and is either held
  before it lists the pending leads to replay them ("pending"; test_mark_lock), or not
  held at all (test_replay_lock).
- The test waits until B blocks on a lock of A's (pg_stat_activity: a backend of the
  database waits for a Lock) or gets past the place where it would have waited (B
  reached "pending", or B finished), then lets A go, then B.

With the locks (src/store/store_pg_log.c q_lock_leads: a writer locks a lead's row
before it marks it pending; src/store/store_pg_scan.c q_leads_chunk_lock: a replay
locks its leads' rows before reading their events) B's import transaction waits at the
marks until A's replay commits, and B's own replay then reads every event. Without
them A's replay, holding a stale read (a.csv's events only), commits last:
- test_replay_lock: B, not held, replays everything and commits first; A overwrites
  the state with its stale one. Needs the replay's lock (B then waits at its marks,
  or, without the marks' lock, at its own replay's read);
- test_mark_lock: B's marks meet A's (not yet cleared), so add nothing; A clears them
  with its commit, and B, let go after it, finds nothing pending: b.csv's events are
  never replayed. Needs both locks (B waits at its marks for the lock A's read took).
Either way `report all --format json` differs from a single process importing a.csv
then b.csv into SQLite, and so does the outbox of handoff alerts (webhook
handoff.opened: the same alerts as the reference, each once; none missing for a
handoff of the final state). Checked by mutation (docs/DECISIONS.md): without the FOR
UPDATE of q_leads_chunk_lock both tests fail, without that of q_lock_leads
test_mark_lock does; with both locks both pass. (Two servers alone would not need
them, tests/pg/test_two_servers.py: a server imports and replays in one transaction,
so the second writer of a lead already waits at the pending mark's key for the first's
uncommitted mark.)

Needs LEADFLOW_TEST_PG_URL (tests/pg/fixture.sh) and a build with the test hooks
(CMakeLists.txt passes LEADFLOW_BUILT_WITH_HOOKS: exit 77, skipped, when it is OFF).
argv[1] is the leadflow binary. Loopback only; every wait is bounded.
"""
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pg_common import WEBHOOK  # noqa: E402

BIN = None
URL = os.environ.get("LEADFLOW_TEST_PG_URL", "")
AS_OF = "2026-12-01T00:00:00Z"
WAIT = 60  # seconds, for any one step


def psql(sql, db=None):
    url = URL if db is None else URL.rsplit("/", 1)[0] + "/" + db
    r = subprocess.run(["psql", "-At", "-X", "-q", url, "-c", sql], capture_output=True,
                       text=True, timeout=WAIT, check=True)
    return r.stdout.strip()


def wait_for(what, cond):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


class LeadLocks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lflocks.")
        gen = os.path.join(cls.tmp, "gen")
        subprocess.run([BIN, "generate", "--leads", "60", "--seed", "11", "--out", gen],
                       check=True, capture_output=True, timeout=WAIT)
        with open(os.path.join(gen, "leadflow.yaml")) as f:
            cls.config = f.read() + WEBHOOK
        shutil.copy(os.path.join(gen, "leads.csv"), cls.tmp)
        # a.csv: each lead's events 0, 2, 4...; b.csv: 1, 3, 5... (file order)
        with open(os.path.join(gen, "events.csv"), newline="") as f:
            rows = list(csv.reader(f))
        col = rows[0].index("lead_id")
        seen, parts = {}, ([rows[0]], [rows[0]])
        for r in rows[1:]:
            k = seen.get(r[col], 0)
            seen[r[col]] = k + 1
            parts[k % 2].append(r)
        for name, part in zip(("a.csv", "b.csv"), parts):
            with open(os.path.join(cls.tmp, name), "w", newline="") as f:
                csv.writer(f).writerows(part)
        cls.env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("LEADFLOW_", "LF_"))}
        cls.env.update(LF_TEST_HOOK_SECRET="0123456789abcdef0123", LEADFLOW_LOCK_TIMEOUT="60")
        # the reference: one process, SQLite, a.csv then b.csv
        ref = cls.workspace("ref")
        for args in (["import", "leads", "leads.csv"], ["import", "events", "a.csv"],
                     ["import", "events", "b.csv"]):
            cls.run_ok(ref, args, {})
        cls.expected = cls.run_ok(ref, ["report", "all", "--format", "json", "--as-of", AS_OF],
                                  {})
        with sqlite3.connect(os.path.join(ref, "leadflow.db")) as c:
            cls.expected_outbox = sorted(c.execute(
                "SELECT l.id, o.type, o.subject, o.endpoint FROM outbox o"
                " JOIN leads l ON l.rowid = o.lead"))
        assert any(t == "handoff.opened" for _, t, _, _ in cls.expected_outbox)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def workspace(cls, name):
        ws = os.path.join(cls.tmp, name)
        os.mkdir(ws)
        with open(os.path.join(ws, "leadflow.yaml"), "w") as f:
            f.write(cls.config)
        return ws

    @classmethod
    def run_ok(cls, ws, args, env):
        r = subprocess.run([BIN, "--workspace", ws] + args, cwd=cls.tmp, capture_output=True,
                           text=True, timeout=WAIT * 2, env=dict(cls.env, **env))
        assert r.returncode == 0, (args, r.returncode, r.stderr)
        return r.stdout

    def race(self, name, hold_b):
        """A held after its replay's read, B started then (held before its listing
        when hold_b): returns what B did before A went on, and the database."""
        db = "lflocks_%d_%s" % (os.getpid(), name)
        psql("CREATE DATABASE " + db)
        self.addCleanup(psql, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)
        store = {"LEADFLOW_STORE": URL.rsplit("/", 1)[0] + "/" + db}
        ws = self.workspace(name)
        self.run_ok(ws, ["import", "leads", "leads.csv"], store)
        gates = {p: os.path.join(ws, "gate_" + p) for p in "ab"}
        for g in gates.values():
            os.mkdir(g)

        def start(csv_name, pause):
            env = dict(self.env, **store)
            if pause:
                env["LEADFLOW_TEST_PAUSE"] = pause
            p = subprocess.Popen([BIN, "--workspace", ws, "import", "events", csv_name],
                                 cwd=self.tmp, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            self.addCleanup(lambda: p.poll() is None and (p.kill(), p.wait()))
            return p

        def here(p, what):
            return os.path.exists(os.path.join(gates[p], what + ".here"))

        def go(p, what):
            open(os.path.join(gates[p], what + ".go"), "w").close()

        a = start("a.csv", "read:1:" + gates["a"])
        wait_for("A's replay to read", lambda: here("a", "read") or a.poll() is not None)
        if not here("a", "read"):
            _, err = a.communicate()
            self.fail("A finished without pausing (a build without -DLF_TEST_HOOKS=ON?):"
                      " exit %s %s" % (a.returncode, err))
        b = start("b.csv", "pending:1:" + gates["b"] if hold_b else None)

        def b_state():
            if psql("SELECT count(*) FROM pg_stat_activity WHERE datname = '%s'"
                    " AND wait_event_type = 'Lock'" % db) != "0":
                return "waited for A's lock"
            if hold_b and here("b", "pending"):
                return "reached its listing without waiting"
            if b.poll() is not None:
                return "finished without waiting"
            return None

        what_b_did = wait_for("B to wait or get past", b_state)
        go("a", "read")
        _, a_err = a.communicate(timeout=WAIT * 2)
        self.assertEqual(a.returncode, 0, a_err)
        go("b", "pending")
        _, b_err = b.communicate(timeout=WAIT * 2)
        self.assertEqual(b.returncode, 0, b_err)
        return what_b_did, db, store, ws

    def check(self, name, hold_b):
        what_b_did, db, store, ws = self.race(name, hold_b)
        print("\n  %s: B %s" % (name, what_b_did), file=sys.stderr)
        got = self.run_ok(ws, ["report", "all", "--format", "json", "--as-of", AS_OF], store)
        note = "B %s while A held a stale read: an update was lost" % what_b_did
        self.assertEqual(psql("SELECT count(*) FROM pending", db), "0", note)
        self.assertTrue(json.loads(got) == json.loads(self.expected), note)
        self.assertEqual(got, self.expected, note)
        rows = psql("SELECT l.id || '|' || o.type || '|' || o.subject || '|' || o.endpoint"
                    " FROM outbox o JOIN leads l ON l.lead_id = o.lead_id", db)
        outbox = sorted(tuple(r.split("|")) for r in rows.splitlines())
        expected = sorted((i, t, str(s), e) for i, t, s, e in self.expected_outbox)
        self.assertEqual(outbox, expected, note)
        missing = psql("SELECT count(*) FROM handoffs h WHERE NOT EXISTS (SELECT 1"
                       " FROM outbox o WHERE o.lead_id = h.lead_id"
                       " AND o.type = 'handoff.opened' AND o.subject = h.mql_at)", db)
        self.assertEqual(missing, "0", note)

    def test_replay_lock(self):
        self.check("replay", hold_b=False)

    def test_mark_lock(self):
        self.check("mark", hold_b=True)


if __name__ == "__main__":
    if not URL:
        print("no LEADFLOW_TEST_PG_URL: skipped")
        sys.exit(77)
    if os.environ.get("LEADFLOW_BUILT_WITH_HOOKS", "ON").upper() not in ("ON", "1", "TRUE"):
        print("leadflow built without the test hooks (-DLF_TEST_HOOKS=ON): skipped")
        sys.exit(77)
    if len(sys.argv) < 2:
        sys.exit("usage: test_lead_locks.py LEADFLOW_BINARY")
    BIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
