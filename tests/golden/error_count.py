#!/usr/bin/env python3
"""One mistake, one error: every program in tests/golden/diagnostics/ has one
mistake (or says `// errors: N` in its comments when it has N independent
ones), and `llmflow check` must report exactly that many errors. Notes and
warnings do not count. This also shows that recovery goes on after an error:
a program with two mistakes far apart must report both."""
import glob
import json
import os
import re
import subprocess
import sys


def main():
    binary = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, NO_COLOR="1", LLMFLOW_STDLIB=os.path.join(root, "stdlib"))
    failures = 0
    files = sorted(glob.glob(os.path.join(root, "tests/golden/diagnostics/*.llmflow")))
    for path in files:
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8", errors="replace") if os.path.isfile(path) else open(os.devnull) as f:
            text = f.read()
        m = re.search(r"//\s*errors:\s*(\d+)", text)
        want = int(m.group(1)) if m else 1
        if os.path.basename(path).startswith(("warn_",)) and not m:
            want = 0
        proc = subprocess.run([binary, "check", "--diagnostics-format=json", "--error-limit=0", rel],
                              cwd=root, env=env, capture_output=True, text=True, errors="backslashreplace",
                              timeout=60)
        diags = json.loads(proc.stdout)
        got = [d for d in diags if d["severity"] == "error"]
        if len(got) != want:
            failures += 1
            sys.stderr.write("%s: expected %d error(s), got %d:\n%s\n" % (
                rel, want, len(got), "\n".join("  %s:%s: %s" % (d.get("line"), d.get("column"), d["message"])
                                                for d in got)))
    print("%d programs, %d with the wrong number of errors" % (len(files), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
