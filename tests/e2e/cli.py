#!/usr/bin/env python3
"""The command line as a new user meets it: first commands on an example folder, help, and the
documented exit codes (0 ok, 1 program errors or a failed job, 2 usage, 3 unreadable input or
unwritable output). usage: cli.py LLMFLOW_BINARY GROUP, one CTest test per group."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = sys.argv[1]
ENV = dict(os.environ, NO_COLOR="1")
ENV.pop("LLMFLOW_STDLIB", None)
EX = os.path.join(ROOT, "examples")
failures = []


def llmflow(*args, cwd=None, timeout=120):
    return subprocess.run([BIN] + list(args), env=ENV, capture_output=True, text=True, timeout=timeout, cwd=cwd)


def check(name, cond, p=None):
    if cond:
        print("ok  ", name)
        return
    detail = "" if p is None else "exit %d\nstdout: %s\nstderr: %s" % (p.returncode, p.stdout[-1500:], p.stderr[-1500:])
    failures.append(name)
    print("FAIL", name, detail)


def expect(name, code, *args, **kw):
    p = llmflow(*args, **kw)
    check("%s -> exit %d" % (name, code), p.returncode == code, p)
    return p


def first_commands(tmp):
    rag = os.path.join(EX, "rag")
    p = expect("run a folder without inputs", 0, "run", rag, "--time-scale", "100")
    check("run says which inputs it used", "line 1 of" in p.stderr and "inputs.jsonl" in p.stderr, p)
    first = json.loads(open(os.path.join(rag, "inputs.jsonl")).readline())
    check("the result is JSON", p.returncode == 0 and isinstance(json.loads(p.stdout), dict), p)
    p = expect("run --line 2", 0, "run", rag, "--line", "2", "--time-scale", "100")
    check("--line is reported", "line 2 of" in p.stderr, p)
    p = expect("run --inputs FILE.jsonl (several lines)", 0, "run", rag, "--inputs",
               os.path.join(rag, "inputs.jsonl"), "--time-scale", "100")
    check("JSON Lines inputs: the first line, said so", "line 1 of" in p.stderr and "Text after end" not in p.stderr, p)
    one = os.path.join(tmp, "one.json")
    with open(one, "w") as f:
        json.dump(first, f, indent=2)           # a pretty-printed object spans lines: still one object
    p = expect("run --inputs one pretty-printed object", 0, "run", rag, "--inputs", one, "--time-scale", "100")
    check("one object: nothing said about lines", "line" not in p.stderr.split("\n")[0], p)
    expect("run --line past the end", 2, "run", rag, "--line", "99")
    expect("check a folder", 0, "check", rag)
    expect("compile a folder", 0, "compile", rag, "--emit=summary")


def help_text(tmp):
    p = expect("--help", 0, "--help")
    for line in p.stdout.splitlines():
        check("usage line is whole: %r" % line[:40], len(line) <= 80, p)
    for cmd in ("check", "compile", "run", "batch", "profile", "bn", "estimate", "simulate"):
        a, b = llmflow("help", cmd), llmflow(cmd, "--help")
        check("help %s = %s --help" % (cmd, cmd), a.returncode == 0 and a.stdout == b.stdout and a.stdout, a)
    expect("help of an unknown command", 2, "help", "frobnicate")


GROUPS = {"first-commands": first_commands, "help": help_text}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        GROUPS[sys.argv[2]](tmp)
    if failures:
        print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
