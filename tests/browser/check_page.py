#!/usr/bin/env python3
"""Loads a leadflow HTML report in headless Chromium and checks it.

    check_page.py --chromium BIN --page FILE --out DIR --sections a,b,... \
                  [--hostile TEXT ...] [--segments]

Talks to Chromium over its DevTools protocol on 127.0.0.1 (a small WebSocket client
from the standard library only; every socket operation has a timeout). Checks:

  * every expected section (id "report-NAME") is present with at least one chart
    figure, and every chart is an <svg role="img"> with a <title>, a visible title
    and an axis title; at each width exactly one variant (wide / narrow) is shown;
  * the headline strip has its cards;
  * no request left the page: the Network domain sees only the page itself (the
    page's Content-Security-Policy is bypassed for this, so the check is about the
    page's content, not about CSP), no element points outside the page, and the CSP
    meta tag is there;
  * the hostile texts appear in the page as text, no script, img or other
    embedding element exists, no element has an on* attribute, and no JavaScript
    dialog opened;
  * ids are unique; on a phone-sized screen the page does not scroll sideways.

Writes screenshots: desktop.png (first screen, 1280 wide), desktop-full.png,
phone.png (first screen, 390 wide, 2x), phone-full.png, print.png (print media),
and report.pdf (Chromium's print). With --segments also desktop-N.png slices of the
full page, for looking at it piece by piece. Exit 0 when every check passes.
"""
import argparse
import base64
import hashlib
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

TIMEOUT = 30  # seconds for any single step


class WebSocket:
    """Minimal RFC 6455 client: text frames out (masked), frames in."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        if u.hostname not in ("127.0.0.1", "localhost"):
            raise RuntimeError("refusing a non-loopback DevTools address: " + url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (
            f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(req.encode())
        self.buf = bytearray()
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            self.buf += chunk
        end = self.buf.index(b"\r\n\r\n")
        head = bytes(self.buf[:end]).decode("latin-1")
        del self.buf[: end + 4]
        if " 101 " not in head.split("\r\n")[0]:
            raise RuntimeError("WebSocket handshake failed: " + head.split("\r\n")[0])
        accept = base64.b64encode(
            hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()
        ).decode()
        if accept not in head:
            raise RuntimeError("WebSocket handshake: bad Sec-WebSocket-Accept")

    def send(self, text):
        data = text.encode()
        head = bytearray([0x81])
        n = len(data)
        if n < 126:
            head.append(0x80 | n)
        elif n < 65536:
            head.append(0x80 | 126)
            head += struct.pack(">H", n)
        else:
            head.append(0x80 | 127)
            head += struct.pack(">Q", n)
        mask = os.urandom(4)
        head += mask
        body = bytearray(data)
        for i in range(n):
            body[i] ^= mask[i & 3]
        self.sock.sendall(bytes(head) + bytes(body))

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("DevTools connection closed")
            self.buf += chunk
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def recv(self):
        msg = bytearray()
        while True:
            b0, b1 = self._read(2)
            op, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = bytearray(self._read(n))
            if mask:
                for i in range(n):
                    payload[i] ^= mask[i & 3]
            if op == 0x8:
                raise EOFError("DevTools closed the WebSocket")
            if op == 0x9:  # ping: answer with pong
                self.sock.sendall(bytes([0x8A, 0x80]) + os.urandom(4))
                continue
            if op in (0x1, 0x2, 0x0):
                msg += payload
                if b0 & 0x80:
                    return msg.decode()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class DevTools:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.on_event(msg)
        raise TimeoutError(method)

    def on_event(self, msg):
        self.events.append(msg)
        if msg.get("method") == "Page.javascriptDialogOpening":
            # never leave a dialog open (it would block the page); the check fails later
            self.ws.send(json.dumps({"id": 0, "method": "Page.handleJavaScriptDialog",
                                     "params": {"accept": True}}))

    def wait_event(self, name):
        for i, e in enumerate(self.events):
            if e.get("method") == name:
                del self.events[i]
                return e
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == name:
                return msg
            if "method" in msg:
                self.on_event(msg)
        raise TimeoutError("waiting for " + name)

    def evaluate(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError("evaluate: " + json.dumps(r["exceptionDetails"])[:500])
        return r["result"].get("value")

    def screenshot(self, path, width, height, scale=1):
        r = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                      clip={"x": 0, "y": 0, "width": width, "height": height, "scale": scale})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))


def start_chromium(binary, logfile):
    udd = tempfile.mkdtemp(prefix="lf-chromium-")
    args = [
        binary, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={udd}",
        "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
        "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-extensions",
        "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
        "--force-color-profile=srgb", "--font-render-hinting=none", "about:blank",
    ]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=logfile)
    port_file = os.path.join(udd, "DevToolsActivePort")
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chromium exited with {proc.returncode} (see chromium.log)")
        try:
            with open(port_file) as f:
                lines = f.read().split("\n")
            if len(lines) >= 2 and lines[0].strip():
                return proc, udd, int(lines[0])
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError("chromium did not open its DevTools port")


def page_target(port):
    # no proxies: loopback only
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        with opener.open(f"http://127.0.0.1:{port}/json/list", timeout=TIMEOUT) as r:
            targets = json.load(r)
        for t in targets:
            if t.get("type") == "page" and t.get("webSocketDebuggerUrl"):
                return t["webSocketDebuggerUrl"]
        time.sleep(0.1)
    raise TimeoutError("no page target")


DOM_CHECK = r"""
(() => {
  const r = {};
  const vis = e => getComputedStyle(e).display !== 'none';
  r.sections = [...document.querySelectorAll('section.report')].map(s => ({
    id: s.id,
    tables: s.querySelectorAll('table').length,
    figures: [...s.querySelectorAll('figure.chart')].map(f => ({
      id: f.id,
      svgs: [...f.querySelectorAll(':scope > svg')].map(v => ({
        cls: v.getAttribute('class'), role: v.getAttribute('role'), shown: vis(v),
        title: ((v.querySelector(':scope > title') || {}).textContent || '').trim(),
        desc: ((v.querySelector(':scope > desc') || {}).textContent || '').trim(),
        visibleTitle: v.querySelectorAll('text.ct').length,
        axisTitles: v.querySelectorAll('text.at').length,
        width: v.getBoundingClientRect().width,
      })),
    })),
  }));
  r.cards = [...document.querySelectorAll('#headline .card')].map(c => c.id);
  r.embeds = [...document.querySelectorAll(
      'script, img, iframe, object, embed, link, video, audio, source, image, use, base, form')]
      .map(e => e.tagName);
  r.onattrs = [...document.querySelectorAll('*')]
      .filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on')))
      .map(e => e.tagName);
  r.urls = [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
      .filter(a => ['href', 'src', 'xlink:href', 'action', 'srcset', 'poster'].includes(a.name))
      .map(a => a.value)).filter(u => !u.startsWith('#'));
  r.csp = (document.querySelector('meta[http-equiv="Content-Security-Policy"]') || {}).content || '';
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  r.dupIds = ids.filter((x, i) => ids.indexOf(x) !== i);
  r.text = document.body.textContent;
  r.overflow = document.documentElement.scrollWidth - window.innerWidth;
  r.height = document.documentElement.scrollHeight;
  return JSON.stringify(r);
})()
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chromium", default="chromium")
    ap.add_argument("--page", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sections", required=True, help="report names, comma-separated")
    ap.add_argument("--cards", type=int, default=0, help="minimum headline cards")
    ap.add_argument("--hostile", action="append", default=[])
    ap.add_argument("--segments", action="store_true")
    o = ap.parse_args()
    os.makedirs(o.out, exist_ok=True)
    url = "file://" + os.path.abspath(o.page)
    failures = []

    def check(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    log = open(os.path.join(o.out, "chromium.log"), "wb")
    proc, udd, port = start_chromium(o.chromium, log)
    ws = None
    try:
        ws = WebSocket(page_target(port))
        dt = DevTools(ws)
        for domain in ("Page", "Network", "Runtime"):
            dt.call(domain + ".enable")
        dt.call("Page.setBypassCSP", enabled=True)
        dt.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                deviceScaleFactor=1, mobile=False)
        dt.call("Page.navigate", url=url)
        dt.wait_event("Page.loadEventFired")
        time.sleep(0.3)  # let late requests, if any, show up
        dt.call("Runtime.evaluate", expression="1")  # drains pending events
        desk = json.loads(dt.evaluate(DOM_CHECK))

        # sections and charts
        want = [s for s in o.sections.split(",") if s]
        have = {s["id"]: s for s in desk["sections"]}
        for name in want:
            s = have.get("report-" + name)
            check(s is not None, f"section report-{name} present")
            if not s:
                continue
            check(s["tables"] == 1, f"report-{name}: one table")
            check(len(s["figures"]) >= 1, f"report-{name}: {len(s['figures'])} chart(s)")
            for f in s["figures"]:
                svgs = f["svgs"]
                check(len(svgs) == 2 and all(v["role"] == "img" for v in svgs),
                      f"{f['id']}: wide and narrow <svg role=img>")
                check(all(v["title"] and v["desc"] and v["visibleTitle"] and v["axisTitles"]
                          for v in svgs), f"{f['id']}: title, description, axis title")
                shown = [v["cls"] for v in svgs if v["shown"]]
                check(shown == ["wide"] and all(v["width"] > 300 for v in svgs if v["shown"]),
                      f"{f['id']}: the wide chart shows on a desktop")
        check(len(desk["cards"]) >= o.cards, f"headline: {len(desk['cards'])} cards")

        # nothing leaves the page
        reqs = [e["params"]["request"]["url"] for e in dt.events
                if e.get("method") == "Network.requestWillBeSent"]
        outside = [u for u in reqs if u != url]
        check(len(reqs) >= 1 and not outside,
              f"network: {len(reqs)} request(s), none but the page itself {outside[:3]}")
        check(not desk["urls"], f"no element points outside the page {desk['urls'][:3]}")
        check("default-src 'none'" in desk["csp"], "Content-Security-Policy default-src 'none'")

        # hostile text is text
        for h in o.hostile:
            check(h in desk["text"], f"hostile text shown as text: {h!r}")
        check(not desk["embeds"], f"no script/img/embedding elements {desk['embeds'][:5]}")
        check(not desk["onattrs"], f"no on* attributes {desk['onattrs'][:5]}")
        dialogs = [e for e in dt.events if e.get("method") == "Page.javascriptDialogOpening"]
        check(not dialogs, "no JavaScript dialog opened")
        check(not desk["dupIds"], f"ids are unique {desk['dupIds'][:5]}")

        # screenshots: desktop
        height = min(desk["height"], 16000)
        dt.screenshot(os.path.join(o.out, "desktop.png"), 1280, 900)
        dt.screenshot(os.path.join(o.out, "desktop-full.png"), 1280, height)
        if o.segments:
            for k, y in enumerate(range(0, height, 1400)):
                r = dt.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                            clip={"x": 0, "y": y, "width": 1280,
                                  "height": min(1400, height - y), "scale": 1})
                with open(os.path.join(o.out, f"desktop-{k + 1}.png"), "wb") as f:
                    f.write(base64.b64decode(r["data"]))

        # phone
        dt.call("Emulation.setDeviceMetricsOverride", width=390, height=844,
                deviceScaleFactor=2, mobile=True)
        time.sleep(0.3)
        phone = json.loads(dt.evaluate(DOM_CHECK))
        check(phone["overflow"] <= 0, f"phone: no sideways scrolling ({phone['overflow']} px)")
        narrow_ok = all([v["cls"] for v in f["svgs"] if v["shown"]] == ["narrow"]
                        for s in phone["sections"] for f in s["figures"])
        check(narrow_ok, "phone: the narrow charts show")
        pheight = min(phone["height"], 30000)
        dt.screenshot(os.path.join(o.out, "phone.png"), 390, 844, scale=2)
        dt.screenshot(os.path.join(o.out, "phone-full.png"), 390, pheight, scale=1)
        if o.segments:
            for k, y in enumerate(range(0, pheight, 1600)):
                r = dt.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                            clip={"x": 0, "y": y, "width": 390,
                                  "height": min(1600, pheight - y), "scale": 1})
                with open(os.path.join(o.out, f"phone-{k + 1}.png"), "wb") as f:
                    f.write(base64.b64decode(r["data"]))

        # print
        dt.call("Emulation.clearDeviceMetricsOverride")
        dt.call("Emulation.setEmulatedMedia", media="print")
        dt.call("Emulation.setDeviceMetricsOverride", width=1000, height=1400,
                deviceScaleFactor=1, mobile=False)
        time.sleep(0.2)
        printed = json.loads(dt.evaluate(DOM_CHECK))
        wide_ok = all([v["cls"] for v in f["svgs"] if v["shown"]] == ["wide"]
                      for s in printed["sections"] for f in s["figures"])
        check(wide_ok, "print: the wide charts show")
        dt.screenshot(os.path.join(o.out, "print.png"), 1000, 1400)
        pdf = dt.call("Page.printToPDF", printBackground=True, preferCSSPageSize=True)
        with open(os.path.join(o.out, "report.pdf"), "wb") as f:
            f.write(base64.b64decode(pdf["data"]))
        check(len(pdf["data"]) > 1000, "print to PDF")
    finally:
        if ws:
            ws.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
        shutil.rmtree(udd, ignore_errors=True)
    print(f"{len(failures)} failure(s); screenshots in {o.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
