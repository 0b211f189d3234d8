#!/usr/bin/env python3
"""Regenerates the tables of docs/diagnostics.md from compiler/support/diagnostics.def
(the part above '## Errors' is kept)."""
import os
import re

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
src = open(os.path.join(root, "compiler/support/diagnostics.def"), encoding="utf-8").read()
rows = re.findall(r'^DIAG\((\w+), (\w+), "((?:[^"\\]|\\.)*)"\)', src, re.M)


def snake(n):
    return re.sub(r"(?<!^)([A-Z])", r"_\1", n).lower()


doc_path = os.path.join(root, "docs/diagnostics.md")
head = open(doc_path, encoding="utf-8").read().split("## Errors")[0]
out = [head.rstrip("\n"), ""]
for sev, title in (("Error", "Errors"), ("Warning", "Warnings"), ("Note", "Notes")):
    out += ["## " + title, "", "| code | message |", "|---|---|"]
    for n, s, m in rows:
        if s == sev:
            m = m.replace("\\\\", "\\").replace("|", "\\|")
            out.append("| `%s` | %s |" % (snake(n), m))
    out.append("")
open(doc_path, "w", encoding="utf-8").write("\n".join(out))
