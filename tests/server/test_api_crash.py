"""test_api_crash.py - a 2xx means committed: SIGKILL the server during a stream of
concurrent posts (threads on loopback) and find every acknowledged item in the store.
"""
import http.client
import json
import os
import signal
import sqlite3
import threading
import time
import unittest

from harness import Server, WRITE_TOKEN, main

THREADS = 8


class Crash(unittest.TestCase):
    def test_sigkill_keeps_acknowledged(self):
        acked, lock, stop = [], threading.Lock(), threading.Event()
        with Server() as s:
            def client(t):
                n = 0
                while not stop.is_set():
                    items = [{"id": "T%d-%d-%d" % (t, n, k), "created_at": "2026-01-05"}
                             for k in range(1 + n % 5)]
                    n += 1
                    try:
                        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
                        c.request("POST", "/v1/leads", json.dumps(items),
                                  {"Content-Type": "application/json",
                                   "Authorization": "Bearer " + WRITE_TOKEN})
                        r = c.getresponse()
                        r.read()
                        c.close()
                    except (OSError, http.client.HTTPException):
                        continue  # the server is gone: not acknowledged
                    if r.status == 200:
                        with lock:
                            acked.extend(i["id"] for i in items)
            threads = [threading.Thread(target=client, args=(t,)) for t in range(THREADS)]
            for t in threads:
                t.start()
            deadline = time.time() + 20
            while time.time() < deadline:  # until a fair number were acknowledged
                with lock:
                    if len(acked) >= 300:
                        break
                time.sleep(0.05)
            os.kill(s.proc.pid, signal.SIGKILL)
            s.proc.wait(10)
            time.sleep(0.3)
            stop.set()
            for t in threads:
                t.join(15)
            with lock:
                want = set(acked)
            self.assertGreater(len(want), 0)
            db = sqlite3.connect(os.path.join(s.ws, "leadflow.db"))
            have = {r[0] for r in db.execute("SELECT id FROM leads")}
            db.close()
            self.assertEqual(want - have, set())
            # and the CLI sees them after the restart (pending replays finish)
            r = s.run(["report", "funnel", "--format", "csv", "--as-of", "2026-02-01"])
            self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    main()
