#!/usr/bin/env python3
"""Every diagnostic in compiler/support/diagnostics.def must be produced by at
least one negative test in tests/golden/diagnostics/ (checked through the
JSON diagnostics format, so the test sees the stable codes)."""
import glob
import json
import os
import re
import subprocess
import sys


def snake(name):
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def main():
    binary = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "compiler/support/diagnostics.def"), encoding="utf-8") as f:
        ids = re.findall(r"^DIAG\((\w+),", f.read(), re.M)
    wanted = {snake(i) for i in ids}
    seen = set()
    env = dict(os.environ, NO_COLOR="1", LLMFLOW_STDLIB=os.path.join(root, "stdlib"))
    files = sorted(glob.glob(os.path.join(root, "tests/golden/diagnostics/*.llmflow")))
    for path in files:
        proc = subprocess.run([binary, "check", "--diagnostics-format=json", "--error-limit=3",
                               os.path.relpath(path, root)], cwd=root, env=env,
                              capture_output=True, text=True, errors="backslashreplace", timeout=60)
        try:
            diags = json.loads(proc.stdout)
        except json.JSONDecodeError:
            sys.stderr.write("%s: output is not JSON:\n%s\n" % (path, proc.stdout))
            return 1
        for d in diags:
            seen.add(d["code"])
            for n in d.get("notes", []):
                seen.add(n["code"])
    with open(os.path.join(root, "docs/diagnostics.md"), encoding="utf-8") as f:
        doc = f.read()
    undocumented = sorted(c for c in wanted if "`%s`" % c not in doc)
    if undocumented:
        sys.stderr.write("diagnostics missing from docs/diagnostics.md:\n  " + "\n  ".join(undocumented) + "\n")
        return 1
    missing = sorted(wanted - seen)
    if missing:
        sys.stderr.write("diagnostics without a negative test:\n  " + "\n  ".join(missing) + "\n")
        return 1
    print("%d diagnostics, all covered by %d files" % (len(wanted), len(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
