#!/usr/bin/env python3
"""run_tests: run candidate code against assert-style tests in a subprocess.

stdin:  {"code": "...", "tests": "assert f(1) == 2\\nassert ...", "entry_point": "f"}
argv:   [--timeout SECONDS]   wall-clock limit for the whole test run (default 5)
stdout: JSON TestReport {"passed": bool, "total": int, "failed": int, "output": str}

Top-level statements of `tests` run in order; each one that contains an
`assert` is one test and runs on its own, so one failure does not hide the
others; other statements (imports, object setup) are setup. The candidate
runs in `python3 -I` in a temporary directory and needs no network; a hang is
cut by the timeout and reported as a failed run. Exit code 0 whenever a report was
produced (a failing candidate is a result, not a tool error).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HARNESS = r'''
import json, sys, traceback, io, contextlib
payload = json.load(open(sys.argv[1]))
ns = {"__name__": "candidate"}
results = {"total": 0, "failed": 0, "lines": []}
def out():
    print("@@REPORT@@" + json.dumps(results))
try:
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(payload["code"], "<candidate>", "exec"), ns)
except BaseException as e:
    results["total"] = max(1, len(payload["tests"]))
    results["failed"] = results["total"]
    results["lines"].append("candidate failed to load: " + "".join(traceback.format_exception_only(type(e), e)).strip())
    out(); sys.exit(0)
if payload["entry_point"] and payload["entry_point"] not in ns:
    results["total"] = max(1, len(payload["tests"]))
    results["failed"] = results["total"]
    results["lines"].append("function '%s' is not defined" % payload["entry_point"])
    out(); sys.exit(0)
for is_test, t in payload["stmts"]:
    if is_test:
        results["total"] += 1
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(t, "<test>", "exec"), ns)
    except AssertionError:
        results["failed"] += 1
        first = t.strip().splitlines()[0]
        detail = ""
        expr = first[len("assert"):].strip() if first.startswith("assert") else ""
        lhs = expr.split("==")[0].strip() if "==" in expr else ""
        if lhs:
            try:
                detail = " (got %r)" % (eval(lhs, ns),)
            except BaseException:
                pass
        results["lines"].append("FAILED: " + t.strip() + detail)
    except BaseException as e:
        if not is_test:
            results["total"] += 1
        results["failed"] += 1
        results["lines"].append("ERROR: " + t.strip() + " -> " + "".join(traceback.format_exception_only(type(e), e)).strip())
out()
'''


def split_tests(tests: str):
    """Top-level statements of the test text, in order, as (is_test, source).

    A statement that contains an `assert` anywhere (a bare assert, or a
    try/except checking that an exception is raised) is one test; any other
    statement (imports, object setup, method calls) is setup and runs in order.
    """
    import ast
    try:
        tree = ast.parse(tests)
    except SyntaxError:
        return [(True, line) for line in tests.splitlines() if line.strip().startswith("assert")]
    lines = tests.splitlines()
    stmts = []
    for node in tree.body:
        src = "\n".join(lines[node.lineno - 1:node.end_lineno])
        is_test = any(isinstance(n, ast.Assert) for n in ast.walk(node))
        stmts.append((is_test, src))
    return stmts


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=5.0)
    opts = ap.parse_args()
    try:
        args = json.load(sys.stdin)
        code, tests = args["code"], args["tests"]
        entry = args.get("entry_point", "")
    except (ValueError, KeyError, TypeError) as e:
        print(f"run_tests: bad request: {e}", file=sys.stderr)
        return 2

    stmts = split_tests(tests)
    n_tests = max(1, sum(1 for is_test, _ in stmts if is_test))
    with tempfile.TemporaryDirectory(prefix="llmflow-tests-") as tmp:
        payload_path = os.path.join(tmp, "payload.json")
        with open(payload_path, "w") as f:
            json.dump({"code": code, "stmts": stmts, "tests": [s for t, s in stmts if t], "entry_point": entry}, f)
        harness_path = os.path.join(tmp, "harness.py")
        with open(harness_path, "w") as f:
            f.write(HARNESS)
        try:
            proc = subprocess.run([sys.executable, "-I", harness_path, payload_path],
                                  cwd=tmp, capture_output=True, text=True, timeout=opts.timeout)
        except subprocess.TimeoutExpired:
            report = {"passed": False, "total": n_tests, "failed": n_tests,
                      "output": f"timed out after {opts.timeout:g}s (infinite loop or too slow)"}
            print(json.dumps(report))
            return 0

    marker = "@@REPORT@@"
    lines = [l for l in proc.stdout.splitlines() if l.startswith(marker)]
    if not lines:
        err = proc.stderr.strip().splitlines()[-5:]
        report = {"passed": False, "total": n_tests, "failed": n_tests,
                  "output": "test harness crashed: " + " | ".join(err)}
    else:
        r = json.loads(lines[-1][len(marker):])
        out = "\n".join(r["lines"][:10])
        if len(r["lines"]) > 10:
            out += f"\n... and {len(r['lines']) - 10} more"
        report = {"passed": r["failed"] == 0 and r["total"] > 0, "total": r["total"],
                  "failed": r["failed"], "output": out or "all tests passed"}
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
