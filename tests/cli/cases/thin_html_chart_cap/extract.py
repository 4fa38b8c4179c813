"""Prints what a reader sees of each chart of an HTML report page: per <figure>, the
chart title, the legend, the category labels of the wide and the narrow drawing, the
caption; then the first cell of every table row (and the object cells). Usage:
extract.py PAGE.html"""
import html, re, sys

page = open(sys.argv[1], encoding="utf-8").read()


def texts(svg, cls):
    return [html.unescape(t) for t in re.findall(r'<text[^>]*class="%s"[^>]*>([^<]*)</text>' % cls, svg)]


for fig in re.findall(r"<figure\b.*?</figure>", page, re.S):
    fid = re.search(r'id="([^"]*)"', fig).group(1)
    wide = re.search(r'<svg class="wide".*?</svg>', fig, re.S).group(0)
    narrow = re.search(r'<svg class="narrow".*?</svg>', fig, re.S).group(0)
    title = html.unescape(re.search(r"<title>([^<]*)</title>", wide).group(1))
    print("figure %s: %s" % (fid, title))
    print("  legend: %s" % " | ".join(texts(wide, "lg")))
    cw, cn = texts(wide, "cat"), texts(narrow, "cat")
    if cw:
        print("  categories (%d): %s" % (len(cw), " ".join(cw)))
    else:  # a chart over periods: the tooltips of its marks
        for t in re.findall(r"<rect[^>]*><title>([^<]*)</title>", wide):
            print("  mark: %s" % html.unescape(t))
    if len(cn) != len(cw):
        print("  narrow drawing has %d categories: %s" % (len(cn), " ".join(cn)))
    cap = re.search(r"<figcaption>(.*?)</figcaption>", fig, re.S)
    print("  caption: %s" % (html.unescape(cap.group(1)) if cap else "(none)"))
for tb in re.findall(r"<table>.*?</table>", page, re.S):
    body = re.search(r"<tbody>(.*?)</tbody>", tb, re.S).group(1)
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', body, re.S)
    print("table rows (%d): %s" % (len(rows), " ".join(html.unescape(r[0]) for r in rows)))
    for name, cells in rows:
        for obj in re.findall(r'<td class="obj">(.*?)</td>', cells, re.S):
            print("  %s: %s" % (html.unescape(name), html.unescape(re.sub(r"<[^>]+>", "", obj))))
