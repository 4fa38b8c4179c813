#!/usr/bin/env python3
"""`leadflow digest` through a loopback SMTP server, the message parsed back with the
standard library's email package.

The SMTP server is a minimal responder (socketserver) written here from RFC 5321: it
answers EHLO (advertising AUTH PLAIN, no STARTTLS, so curl's "STARTTLS when offered"
goes on in clear text), AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP and QUIT, records the
envelope, the login and the data, and can refuse a recipient (550).
"""
import base64
import email
import email.policy
import os
import shutil
import socketserver
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import alerts_util as au  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "basic")
NOW = "2026-04-15T10:00:00Z"


class SMTP:
    def __init__(self, refuse_rcpt=False):
        self.mails = []
        self.auth = []
        self.refuse_rcpt = refuse_rcpt
        outer = self

        class H(socketserver.StreamRequestHandler):
            def say(self, line):
                self.wfile.write((line + "\r\n").encode())

            def handle(self):
                env = {"from": None, "rcpt": []}
                self.say("220 localhost test SMTP")
                while True:
                    line = self.rfile.readline(65536)
                    if not line:
                        return
                    cmd = line.decode("utf-8", "replace").rstrip("\r\n")
                    verb = cmd.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.say("250-localhost")
                        self.say("250-AUTH PLAIN")
                        self.say("250 8BITMIME")
                    elif verb == "HELO":
                        self.say("250 localhost")
                    elif verb == "AUTH":
                        parts = cmd.split(" ")
                        if len(parts) < 3:
                            self.say("334 ")
                            parts.append(self.rfile.readline().decode().strip())
                        outer.auth.append(base64.b64decode(parts[2]).split(b"\0"))
                        self.say("235 ok")
                    elif verb == "MAIL":
                        env["from"] = cmd[10:]
                        self.say("250 ok")
                    elif verb == "RCPT":
                        if outer.refuse_rcpt:
                            self.say("550 no such user")
                        else:
                            env["rcpt"].append(cmd[8:])
                            self.say("250 ok")
                    elif verb == "DATA":
                        self.say("354 go on")
                        lines = []
                        while True:
                            l = self.rfile.readline(1 << 20)
                            if not l or l == b".\r\n":
                                break
                            lines.append(l[1:] if l.startswith(b"..") else l)
                        outer.mails.append((dict(env), b"".join(lines)))
                        self.say("250 queued")
                    elif verb == "QUIT":
                        self.say("221 bye")
                        return
                    else:  # RSET, NOOP
                        self.say("250 ok")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), H)
        self.srv.daemon_threads = True
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def workspace(smtp_url, sender="digest@example.com"):
    with open(os.path.join(DATA, "leadflow.yaml")) as f:
        cfg = f.read()
    if smtp_url:
        cfg += "mail:\n  smtp_url: %s\n  from: %s\n" % (smtp_url, sender)
    ws = au.Workspace(cfg)
    for name in ("leads.csv", "events.csv"):
        shutil.copy(os.path.join(DATA, name), ws.dir)
    ws.run(["import", "leads", "leads.csv"], check=True)
    ws.run(["import", "events", "events.csv"], check=True)
    return ws


class Digest(unittest.TestCase):
    def setUp(self):
        self.smtp = SMTP()
        self.ws = workspace("smtp://127.0.0.1:%d" % self.smtp.port)

    def tearDown(self):
        self.smtp.close()
        self.ws.close()

    def test_message_parts_envelope_and_login(self):
        creds = {"LEADFLOW_SMTP_USER": "mailer", "LEADFLOW_SMTP_PASSWORD": "pw-secret-42"}
        p = self.ws.run(["digest", "--to", "ann@example.com", "--from", "2026-01-01", "--to",
                         "2026-05-01"], now=NOW, extra=creds)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "digest: sent the all report to ann@example.com\n")
        self.assertNotIn("pw-secret-42", p.stdout + p.stderr)
        self.assertEqual(self.smtp.auth, [[b"", b"mailer", b"pw-secret-42"]])
        self.assertEqual(len(self.smtp.mails), 1)
        env, raw = self.smtp.mails[0]
        self.assertEqual(env["from"], "<digest@example.com>")
        self.assertEqual(env["rcpt"], ["<ann@example.com>"])
        for line in raw.split(b"\r\n"):
            self.assertLessEqual(len(line), 998)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(msg["From"], "digest@example.com")
        self.assertEqual(msg["To"], "ann@example.com")
        self.assertEqual(msg["Subject"], "leadflow all report, 2026-01-01 to 2026-04-30")
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        parts = list(msg.iter_parts())
        self.assertEqual([x.get_content_type() for x in parts], ["text/plain", "text/html"])
        for x in parts:
            self.assertEqual(x["Content-Transfer-Encoding"], "base64")
        # the HTML part is exactly the HTML report of the same arguments and clock
        html = parts[1].get_payload(decode=True)
        rep = self.ws.run(["report", "all", "--format", "html", "--from", "2026-01-01",
                           "--to", "2026-05-01"], now=NOW, check=True)
        self.assertEqual(html, rep.stdout.encode())
        self.assertGreater(len(html), 20000)
        # the text part is the terminal headline: its lines name the key figures
        text = parts[0].get_content()
        self.assertIn("MQL", text)
        self.assertNotIn("<", text)

    def test_one_report_without_login(self):
        p = self.ws.run(["digest", "--report", "sql", "--to", "bo@example.com", "--by",
                         "quarter", "--from", "2026-01-01", "--to", "2026-07-01"], now=NOW)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.smtp.auth, [])
        msg = email.message_from_bytes(self.smtp.mails[0][1], policy=email.policy.default)
        html = list(msg.iter_parts())[1].get_payload(decode=True)
        rep = self.ws.run(["report", "sql", "--format", "html", "--by", "quarter", "--from",
                           "2026-01-01", "--to", "2026-07-01"], now=NOW, check=True)
        self.assertEqual(html, rep.stdout.encode())

    def test_refused_recipient_and_usage(self):
        self.smtp.refuse_rcpt = True
        p = self.ws.run(["digest", "--to", "nobody@example.com"], now=NOW)
        self.assertEqual(p.returncode, 4)
        self.assertIn("cannot send the digest", p.stderr)
        self.assertEqual(self.smtp.mails, [])
        p = self.ws.run(["digest", "--to", "not-an-address"], now=NOW)
        self.assertEqual(p.returncode, 1)
        p = self.ws.run(["digest", "--to", "a@b.c", "--report", "nosuch"], now=NOW)
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown report 'nosuch'", p.stderr)

    def test_no_mail_settings_is_a_configuration_error(self):
        ws = workspace(None)
        try:
            p = ws.run(["digest", "--to", "ann@example.com"], now=NOW)
            self.assertEqual(p.returncode, 3)
            self.assertIn("mail.smtp_url is not set", p.stderr)
        finally:
            ws.close()


if __name__ == "__main__":
    au.main()
