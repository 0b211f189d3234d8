#!/usr/bin/env python3
"""Golden-file test runner: runs the real llmflow binary and compares its
output with an expected file. With LLMFLOW_UPDATE_GOLDEN=1 it rewrites the
expected file instead (then review the diff before committing).

  run_golden.py BIN MODE INPUT EXPECTED
MODE: diag (llmflow check, stderr text + exit status), ast | ir | dot
(llmflow compile --emit=MODE, stdout). Runs from the repository root so
paths in the output are relative and stable.
"""
import os
import subprocess
import sys


def main():
    binary, mode, source, expected = sys.argv[1:5]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    rel = os.path.relpath(os.path.abspath(source), root)
    env = dict(os.environ, NO_COLOR="1", LLMFLOW_STDLIB="stdlib")   # relative (cwd = root): stable output
    if mode == "diag":
        cmd = [binary, "check", "--color=never", rel]
    else:
        cmd = [binary, "compile", "--color=never", "--emit=" + mode, rel]
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, errors="backslashreplace", timeout=60)
    if mode == "diag":
        actual = proc.stderr + "exit status: %d\n" % proc.returncode
    else:
        if proc.returncode != 0:
            sys.stderr.write("llmflow failed (%d):\n%s" % (proc.returncode, proc.stderr))
            return 1
        actual = proc.stdout
    if os.environ.get("LLMFLOW_UPDATE_GOLDEN") == "1":
        with open(expected, "w", encoding="utf-8") as f:
            f.write(actual)
        print("updated", expected)
        return 0
    if not os.path.exists(expected):
        sys.stderr.write("missing expected file %s; run with LLMFLOW_UPDATE_GOLDEN=1\n" % expected)
        return 1
    with open(expected, encoding="utf-8") as f:
        want = f.read()
    if want == actual:
        return 0
    import difflib
    sys.stderr.writelines(difflib.unified_diff(
        want.splitlines(True), actual.splitlines(True), expected, "actual"))
    return 1


if __name__ == "__main__":
    sys.exit(main())
