"""test_api.py - the API's ingest and read routes (SPEC §8 "Ingest" and "Read").

Every expected value is derived by hand from tests/data/basic (README.md there) or
from the request itself.
"""
import csv
import datetime
import json
import os
import threading
import unittest

import harness
from harness import Server, WRITE_TOKEN, READ_TOKEN, is_json_error, main

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "basic")
JSON = {"Content-Type": "application/json"}
NDJSON = {"Content-Type": "application/x-ndjson"}


def basic_config():
    with open(os.path.join(DATA, "leadflow.yaml")) as f:
        return f.read()


def rows(name):
    """The CSV file's rows as dicts without empty cells (a JSON client omits them)."""
    with open(os.path.join(DATA, name), newline="") as f:
        return [{k: v for k, v in r.items() if v != ""} for r in csv.DictReader(f)]


def import_basic(ws, run):
    for kind in ("leads", "events"):
        r = run(["import", kind, os.path.join(DATA, kind + ".csv")])
        assert r.returncode == 0, r.stderr


class Ingest(unittest.TestCase):
    def post(self, s, path, body, headers=JSON, token=WRITE_TOKEN):
        return s.request("POST", path, body, headers=headers, token=token)

    def test_errors(self):
        with Server(config_yaml=basic_config()) as s:
            st, _, b = self.post(s, "/v1/leads", b"{}", {"Content-Type": "text/csv"})
            self.assertEqual(st, 415)
            self.assertTrue(is_json_error(json.loads(b), "unsupported_media_type"))
            for body in (b'{"id": "L1",', b'[1, 2', b'"text"', b'{"a":1,"a":2}',
                         b"[" * 33 + b"]" * 33, b'{"id": "\xff\xfe"}',
                         b'{"id": "a\\u0000b"}'):
                st, _, b = self.post(s, "/v1/leads", body)
                self.assertEqual(st, 400, body)
                self.assertTrue(is_json_error(json.loads(b), "bad_request"), b)
            # 32 levels are allowed: an array of arrays is items that are not objects
            st, _, b = self.post(s, "/v1/leads", b"[" * 32 + b"]" * 32)
            self.assertEqual(st, 422)
            st, _, b = self.post(s, "/v1/events", b'{"lead_id":"x"}\n{', NDJSON)
            self.assertEqual(st, 400)
            self.assertIn("line 2", json.loads(b)["error"]["message"])
            st, _, _ = self.post(s, "/v1/leads", b"{}", token=READ_TOKEN)
            self.assertEqual(st, 403)
            st, _, _ = self.post(s, "/v1/leads", b"{}", token=None)
            self.assertEqual(st, 401)
            # nothing above was written
            st, _, doc = s.json("GET", "/v1/leads/L1", token=READ_TOKEN)
            self.assertEqual(st, 404)

    def test_rejects_and_counts(self):
        with Server(config_yaml=basic_config()) as s:
            items = [{"id": "A1", "email": "a@x.example", "created_at": "2026-01-05T09:00:00",
                      "employees": 500},
                     {"id": "A2", "email": "b@x.example"},           # no created_at
                     {"id": "A3", "created_at": "2026-01-05", "vip": True},
                     "not an object",
                     {"id": "A5", "ID": "A5", "created_at": "2026-01-05"}]
            st, _, doc = s.json("POST", "/v1/leads", items, token=WRITE_TOKEN)
            self.assertEqual(st, 422)
            self.assertEqual((doc["read"], doc["imported"], doc["rejected"]), (5, 1, 4))
            self.assertEqual([r["index"] for r in doc["rejects"]], [1, 2, 3, 4])
            self.assertIn("created_at", doc["rejects"][0]["reason"])
            self.assertIn("'vip'", doc["rejects"][1]["reason"])
            self.assertIn("not an object", doc["rejects"][2]["reason"])
            # the rejects table has the file `api` and the index as the line
            out = s.run(["rejects"]).stdout.decode()
            self.assertIn("api:1", out)
            self.assertIn("api:3", out)
            # the same request again: A1 is a duplicate now, the rejects are recorded once
            st, _, doc = s.json("POST", "/v1/leads", items[:1], token=WRITE_TOKEN)
            self.assertEqual((st, doc["imported"], doc["duplicates"]), (200, 0, 1))
            # mql on Tue 2026-01-06 10:00 Berlin: 2bd = 16 business hours, deadline Thu
            # 01-08 10:00; the same event again is a duplicate; lost in mql is ignored
            ev = {"lead_id": "A1", "ts": "2026-01-06T10:00:00", "type": "mql"}
            lost = {"lead_id": "A1", "ts": "2026-01-06T11:00:00", "type": "lost"}
            body = "\n".join(json.dumps(x) for x in (ev, ev, lost)) + "\n"
            st, _, doc = s.json("POST", "/v1/events", body, headers=NDJSON, token=WRITE_TOKEN)
            self.assertEqual(st, 200)
            self.assertEqual((doc["read"], doc["imported"], doc["duplicates"], doc["ignored"]),
                             (3, 2, 1, 1))
            self.assertEqual(doc["handoffs_opened"],
                             [{"lead_id": "A1", "mql_at": "2026-01-06T10:00:00+01:00",
                               "deadline": "2026-01-08T10:00:00+01:00"}])
            # an event of an unknown lead is rejected like a CSV row
            st, _, doc = s.json("POST", "/v1/events", {"lead_id": "nope", "ts": "2026-01-06",
                                                       "type": "mql"}, token=WRITE_TOKEN)
            self.assertEqual(st, 422)
            self.assertEqual(doc["rejects"], [{"index": 0, "reason": "unknown lead 'nope'"}])
            # costs with a number amount (its JSON text) and traffic
            st, _, doc = s.json("POST", "/v1/costs", [{"date": "2026-01", "channel": "paid_search",
                                                       "amount": 1500.5}], token=WRITE_TOKEN)
            self.assertEqual((st, doc["imported"]), (200, 1))
            st, _, doc = s.json("POST", "/v1/traffic", {"date": "2026-01-02", "visitors": 40},
                                token=WRITE_TOKEN)
            self.assertEqual((st, doc["imported"]), (200, 1))

    def test_http_equals_csv(self):
        """The same events posted as single objects, an array and NDJSON, and imported
        from CSV, give the same report all --format json."""
        args = ["report", "all", "--format", "json", "--as-of", "2026-06-30"]
        with Server(config_yaml=basic_config(), setup=import_basic) as ref:
            ref.stop()
            expected = ref.run(args)
        self.assertEqual(expected.returncode, 0, expected.stderr)
        leads, events = rows("leads.csv"), rows("events.csv")
        with Server(config_yaml=basic_config()) as s:
            st, _, doc = s.json("POST", "/v1/leads", leads, token=WRITE_TOKEN)
            self.assertEqual((st, doc["imported"]), (200, 13))
            third = len(events) // 3
            for e in events[:third]:
                st, _, _ = s.json("POST", "/v1/events", e, token=WRITE_TOKEN)
                self.assertEqual(st, 200)
            st, _, _ = s.json("POST", "/v1/events", events[third:2 * third], token=WRITE_TOKEN)
            self.assertEqual(st, 200)
            body = "".join(json.dumps(e) + "\n" for e in events[2 * third:])
            st, _, _ = s.json("POST", "/v1/events", body, headers=NDJSON, token=WRITE_TOKEN)
            self.assertEqual(st, 200)
            # over HTTP too, byte for byte
            st, h, b = s.request("GET", "/v1/reports/all?format=json&as_of=2026-06-30",
                                 token=READ_TOKEN)
            self.assertEqual(st, 200)
            self.assertEqual(b, expected.stdout)
            s.stop()
            got = s.run(args)
        self.assertEqual(got.stdout, expected.stdout)


class Read(unittest.TestCase):
    def test_lead(self):
        with Server(config_yaml=basic_config(), setup=import_basic) as s:
            st, _, doc = s.json("GET", "/v1/leads/L01", token=READ_TOKEN)
            self.assertEqual(st, 200)
            self.assertEqual(doc["id"], "L01")
            self.assertEqual(doc["email"], "anna@acme.example")
            self.assertEqual(doc["channel"], "paid_search")
            self.assertEqual(doc["persona"], "Marketing Mary")
            self.assertEqual(doc["stage"], "customer")
            self.assertEqual([t["to"] for t in doc["transitions"]],
                             ["lead", "mql", "sql", "opportunity", "customer"])
            h = doc["handoffs"]
            self.assertEqual(len(h), 1)
            self.assertEqual(h[0]["mql_at"], "2026-01-06T10:00:00+01:00")
            self.assertEqual(h[0]["deadline"], "2026-01-08T10:00:00+01:00")
            self.assertEqual(h[0]["outcome"], "accepted")
            self.assertEqual(h[0]["decided_at"], "2026-01-07T11:00:00+01:00")
            self.assertEqual(h[0]["first_contact_at"], "2026-01-06T10:30:00+01:00")
            self.assertIn("score", doc)
            st, _, doc = s.json("GET", "/v1/leads/NOPE", token=READ_TOKEN)
            self.assertEqual(st, 404)
            self.assertTrue(is_json_error(doc, "not_found"))

    def test_handoffs(self):
        with Server(config_yaml=basic_config(), setup=import_basic) as s:
            def get(q):
                st, _, doc = s.json("GET", "/v1/handoffs" + q, token=READ_TOKEN)
                self.assertEqual(st, 200, doc)
                return doc
            # now (the real clock) is after every event: pending are L12 (mql Tue 02-17
            # 09:00, deadline Wed 02-18 17:00) and L13 (mql Tue 04-14 10:00, deadline
            # Thu 04-16 10:00), both overdue, oldest deadline first
            doc = get("")
            self.assertEqual([h["lead_id"] for h in doc["handoffs"]], ["L12", "L13"])
            self.assertEqual(doc["handoffs"][0]["deadline"], "2026-02-18T17:00:00+01:00")
            self.assertEqual(doc["handoffs"][1]["deadline"], "2026-04-16T10:00:00+02:00")
            self.assertTrue(all(h["overdue"] and h["left_seconds"] < 0 for h in doc["handoffs"]))
            self.assertIsNone(doc["next"])
            self.assertEqual(len(get("?status=pending&overdue=true")["handoffs"]), 2)
            # accepted: L01, L02 #2, L03, L05, L06, L08; rejected: L02 #1, L04, L07
            acc = get("?status=accepted")["handoffs"]
            self.assertEqual(sorted(h["lead_id"] for h in acc),
                             ["L01", "L02", "L03", "L05", "L06", "L08"])
            rej = get("?status=rejected")["handoffs"]
            self.assertEqual(sorted(h["lead_id"] for h in rej), ["L02", "L04", "L07"])
            everything = get("?status=all")["handoffs"]
            self.assertEqual(len(everything), 11)
            deadlines = [h["deadline"] for h in everything]
            # the cursor pages through the same list
            paged, q = [], "?status=all&limit=2"
            for _ in range(10):
                doc = get(q)
                paged += doc["handoffs"]
                if not doc["next"]:
                    break
                q = "?status=all&limit=2&after=" + doc["next"]
            self.assertEqual(paged, everything)
            # oldest deadline first (instants compared, not their texts: offsets differ)
            when = [datetime.datetime.fromisoformat(d) for d in deadlines]
            self.assertEqual(when, sorted(when))
            for q in ("?status=open", "?limit=0", "?limit=x", "?after=zz", "?overdue=yes"):
                st, _, doc = s.json("GET", "/v1/handoffs" + q, token=READ_TOKEN)
                self.assertEqual(st, 400, q)
                self.assertTrue(is_json_error(doc, "bad_request"))

    def test_reports_equal_cli(self):
        with Server(config_yaml=basic_config(), setup=import_basic) as s:
            cases = [("funnel", "csv", "&as_of=2026-06-30"),
                     ("all", "json", "&as_of=2026-06-30&from=2026-01-01&to=2026-03-31&by=week"),
                     ("speed", "html", "&as_of=2026-04-15"),
                     ("sql", "json", "&as_of=2026-06-30&by=quarter")]
            for name, fmt, q in cases:
                st, h, body = s.request("GET", "/v1/reports/%s?format=%s%s" % (name, fmt, q),
                                        token=READ_TOKEN)
                self.assertEqual(st, 200, body)
                args = ["report", name, "--format", fmt]
                for part in q.split("&")[1:]:
                    k, v = part.split("=")
                    args += ["--" + k.replace("_", "-"), v]
                cli = s.run(args)
                self.assertEqual(cli.returncode, 0, cli.stderr)
                self.assertEqual(body, cli.stdout, name)
            self.reports_follow_writes(s)
            st, _, doc = s.json("GET", "/v1/reports/nope", token=READ_TOKEN)
            self.assertEqual(st, 404)
            st, _, doc = s.json("GET", "/v1/reports/funnel?by=fortnight", token=READ_TOKEN)
            self.assertEqual(st, 400)
            cli = s.run(["report", "funnel", "--by", "fortnight"])
            self.assertIn(doc["error"]["message"], cli.stderr.decode())

    def reports_follow_writes(self, s):
        """The server's reports share one dataset per store generation: a report read
        after an acknowledged write includes it, also while other threads read and
        write (the bodies are then compared with the CLI's at rest)."""
        path = "/v1/reports/funnel?format=csv&as_of=2026-06-30"
        before = s.request("GET", path, token=READ_TOKEN)[2]
        lead = {"id": "LNEW", "email": "new@example.com", "created_at": "2026-02-10T09:00:00",
                "source": "google"}
        st, _, _ = s.request("POST", "/v1/leads", json.dumps(lead), headers=JSON,
                             token=WRITE_TOKEN)
        self.assertEqual(st, 200)
        after = s.request("GET", path, token=READ_TOKEN)[2]
        self.assertNotEqual(before, after, "the new lead is in the next report")
        errors = []

        def reader():
            for _ in range(15):
                st, _, body = s.request("GET", path, token=READ_TOKEN)
                if st != 200 or not body.startswith(b"stage,balance,"):
                    errors.append((st, body[:80]))

        def writer(k):
            for i in range(15):
                ev = {"id": "w%d-%d" % (k, i), "lead_id": "LNEW", "type": "page_view",
                      "ts": "2026-02-%02dT10:00:00" % (11 + i)}
                st, _, body = s.request("POST", "/v1/events", json.dumps(ev), headers=JSON,
                                        token=WRITE_TOKEN)
                if st != 200:
                    errors.append((st, body[:80]))

        threads = [threading.Thread(target=reader) for _ in range(3)]
        threads += [threading.Thread(target=writer, args=(k,)) for k in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        final = s.request("GET", path, token=READ_TOKEN)[2]
        cli = s.run(["report", "funnel", "--format", "csv", "--as-of", "2026-06-30"])
        self.assertEqual(final, cli.stdout)


if __name__ == "__main__":
    main()
