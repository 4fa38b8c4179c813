#!/usr/bin/env python3
"""What an HTML page is made of, for golden tests of the HTML report.

    inspect_page.py FILE [--text STR]...

Parses FILE with the standard library's HTML parser (the way a browser tokenises
it) and prints:
  * the element names used, once each, sorted;
  * every attribute whose name starts with "on" (event handlers), or "none";
  * every URL-bearing attribute (href, src, action, ...) that leaves the page, or
    "none";
  * for each --text STR: how often STR occurs in the page's text (after character
    references are decoded) and how often it occurs raw in the file (where it would
    be markup): hostile text must be the first and never the second.
"""
import argparse
import sys
from html.parser import HTMLParser

URL_ATTRS = {"href", "src", "action", "srcset", "poster", "xlink:href", "formaction", "data"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = set()
        self.handlers = []
        self.urls = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}")
            if name in URL_ATTRS and not (value or "").startswith("#"):
                self.urls.append(f"{tag} {name}={value}")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--text", action="append", default=[])
    o = ap.parse_args()
    raw = open(o.file, encoding="utf-8").read()
    p = Page()
    p.feed(raw)
    p.close()
    text = "".join(p.text)
    print("elements:", " ".join(sorted(p.tags)))
    print("event handler attributes:", ", ".join(p.handlers) or "none")
    print("links out of the page:", ", ".join(p.urls) or "none")
    for s in o.text:
        print(f"text {s!r}: {text.count(s)} as text, {raw.count(s)} raw")
    return 0


if __name__ == "__main__":
    sys.exit(main())
