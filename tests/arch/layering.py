#!/usr/bin/env python3
"""The target layering of docs/architecture.json held against the #include graph.

  layering.py ARCHITECTURE_JSON REPO_ROOT

Parts are the folders under src/ named by the JSON. A file belongs to the part of the
folder it is in; a public header include/leadflow/NAME.h belongs to the part whose
folder holds NAME.c (or, failing that, NAME_*.c). An include of another part's file
is an edge; an edge listed under "never" is a broken rule. Prints every broken rule
with the includes behind it and exits 1 if there is one, 0 otherwise.
"""
import json
import os
import re
import sys


def main(spec_path, root):
    spec = json.load(open(spec_path))
    folders = {}  # "src/cli" -> "cli"
    for part, info in spec["parts"].items():
        for folder in info["is"]:
            folders[folder.rstrip("/")] = part
    src = os.path.join(root, "src")
    sources = {}  # NAME (without .c) -> [part]
    files = []    # (part, path)
    for folder, part in folders.items():
        top = os.path.join(root, folder)
        for dirpath, _dirs, names in os.walk(top):
            for n in sorted(names):
                path = os.path.join(dirpath, n)
                if n.endswith(".c"):
                    sources.setdefault(n[:-2], []).append(part)
                if n.endswith((".c", ".h")):
                    files.append((part, path))

    def header_part(name):
        base = os.path.splitext(os.path.basename(name))[0]
        if base in sources:
            return sources[base][0]
        for s, parts in sorted(sources.items()):
            if s.startswith(base + "_"):
                return parts[0]
        return None

    pub = os.path.join(root, "include", "leadflow")
    if os.path.isdir(pub):
        for n in sorted(os.listdir(pub)):
            if n.endswith(".h"):
                files.append((header_part(n), os.path.join(pub, n)))
    include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
    edges = {}
    for part, path in files:
        if part is None:
            continue
        for target in include.findall(open(path, errors="replace").read()):
            if target.startswith("leadflow/"):
                other = header_part(target)
            elif "/" in target and "src/" + target.split("/")[0] in folders:
                other = folders["src/" + target.split("/")[0]]
            else:
                other = part  # a private header of the same folder
            if other and other != part:
                edges.setdefault((part, other), []).append(
                    "%s -> %s" % (os.path.relpath(path, root), target))
    broken = 0
    for a, b, why in spec["never"]:
        if (a, b) in edges:
            broken += 1
            print("layering: %s must never include %s (%s):" % (a, b, why))
            for e in edges[(a, b)]:
                print("  " + e)
    print("layering: %d edges between parts, %d rules broken" % (len(edges), broken))
    return 1 if broken else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: layering.py ARCHITECTURE_JSON REPO_ROOT")
    sys.exit(main(sys.argv[1], sys.argv[2]))
