#!/usr/bin/env python3
"""No function in src/ longer than a limit (issue 11: 80 lines).

  funclen.py SRC_DIR LIMIT [TOP]

A function is a body whose opening brace stands alone at column 0 after its signature
(the house style, enforced by .clang-format); its length counts the lines from that
brace to the closing brace at column 0. Prints the TOP longest (default 5) and every
function over LIMIT; exits 1 if there is one.
"""
import os
import re
import sys


def functions(path):
    lines = open(path, errors="replace").read().split("\n")
    name_re = re.compile(r"([A-Za-z_]\w*)\s*\(")
    i = 0
    while i < len(lines):
        if lines[i] == "{":
            sig = ""
            j = i - 1
            while j >= 0 and lines[j].strip() and not lines[j].startswith(("}", "#")) \
                    and not lines[j].rstrip().endswith((";", "*/")):
                sig = lines[j] + " " + sig
                j -= 1
            m = name_re.search(sig)
            k = i + 1
            while k < len(lines) and lines[k] != "}":
                k += 1
            if m and "=" not in sig.split("(")[0]:
                yield m.group(1), k - i + 1, i + 1
            i = k
        i += 1


def main(src, limit, top):
    found = []
    for dirpath, _dirs, names in os.walk(src):
        for n in sorted(names):
            if n.endswith(".c"):
                path = os.path.join(dirpath, n)
                for name, length, line in functions(path):
                    found.append((length, "%s:%d" % (path, line), name))
    found.sort(key=lambda f: (-f[0], f[1]))
    for length, where, name in found[:top]:
        print("funclen: %4d lines  %s  %s" % (length, name, where))
    over = [f for f in found if f[0] > limit]
    for length, where, name in over:
        print("funclen: %s is %d lines (limit %d): %s" % (name, length, limit, where))
    print("funclen: %d functions, %d over %d lines" % (len(found), len(over), limit))
    return 1 if over else 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: funclen.py SRC_DIR LIMIT [TOP]")
    sys.exit(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else 5))
