#!/usr/bin/env python3
"""The command line as a new user meets it: first commands on an example folder, help, and the
documented exit codes (0 ok, 1 program errors or a failed job, 2 usage, 3 unreadable input or
unwritable output). usage: cli.py LLMFLOW_BINARY GROUP, one CTest test per group."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from harness import check, failures  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = sys.argv[1]
ENV = dict(os.environ, NO_COLOR="1")
ENV.pop("LLMFLOW_STDLIB", None)
EX = os.path.join(ROOT, "examples")


def llmflow(*args, cwd=None, timeout=120):
    return subprocess.run([BIN] + list(args), env=ENV, capture_output=True, text=True, timeout=timeout, cwd=cwd)


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
    for cmd in ("check", "compile", "fmt", "run", "batch", "profile", "bn", "estimate", "simulate"):
        a, b = llmflow("help", cmd), llmflow(cmd, "--help")
        check("help %s = %s --help" % (cmd, cmd), a.returncode == 0 and a.stdout == b.stdout and a.stdout, a)
    expect("help of an unknown command", 2, "help", "frobnicate")


FAILING_TOOL = """app fails(x: string) -> json {
  tool t = exec_false(x: x)
  return t;
}
tool exec_false(x: string) -> json {
  exec = ["false"];
  timeout = 5s;
}
"""

BROKEN = "app broken(x: string) -> string {\n  return nosuch;\n}\n"


def exit_0(tmp):
    rag = os.path.join(EX, "rag")
    expect("check", 0, "check", rag)
    expect("compile -o FILE", 0, "compile", rag, "-o", os.path.join(tmp, "rag.json"))
    expect("compile an IR file", 0, "compile", os.path.join(tmp, "rag.json"), "--emit=summary")
    expect("run", 0, "run", rag, "--time-scale", "200")
    expect("batch", 0, "batch", rag, "--time-scale", "200", "--jobs", "3")
    expect("simulate", 0, "simulate", os.path.join(EX, "workloads/uniform.toml"), "--jobs", "10", "--scheduler", "fcfs")
    expect("--version", 0, "--version")


def exit_1(tmp):
    broken = os.path.join(tmp, "broken.llmflow")
    open(broken, "w").write(BROKEN)
    expect("check a program with errors", 1, "check", broken)
    expect("compile a program with errors", 1, "compile", broken)
    expect("run a program with errors", 1, "run", broken, "--input", "x=1")
    fails = os.path.join(tmp, "fails.llmflow")
    open(fails, "w").write(FAILING_TOOL)
    # A real backend so the tool really runs (the program has no LLM stage; the URL is never called).
    p = expect("run a job that fails", 1, "run", fails, "--input", "x=1", "--backend", "http://127.0.0.1:9")
    check("the failure says why", "exited with status 1" in p.stderr, p)
    lines = os.path.join(tmp, "fails.jsonl")
    open(lines, "w").write('{"x": "a"}\n{"x": "b"}\n')
    expect("batch with failed jobs", 1, "batch", fails, "--inputs", lines, "--backend", "http://127.0.0.1:9")


def exit_2(tmp):
    rag = os.path.join(EX, "rag")
    expect("no command", 2)
    expect("unknown command", 2, "frobnicate")
    expect("unknown option", 2, "check", "--frobnicate", rag)
    expect("option without its value", 2, "run", rag, "--time-scale")
    expect("missing argument", 2, "run")
    expect("bad number", 2, "run", rag, "--time-scale", "abc")
    expect("number out of range", 2, "batch", rag, "--arrival-rate", "-1")
    expect("bad integer", 2, "batch", rag, "--jobs", "x")
    expect("bad choice", 2, "compile", rag, "--emit=xx")
    expect("bad --color", 2, "check", "--color=sometimes", rag)
    expect("unknown scheduler", 2, "run", rag, "--scheduler", "nope")
    expect("unknown input name", 2, "run", rag, "--input", "nope=1")
    expect("--line past the end", 2, "run", rag, "--line", "99")
    expect("bad --backend", 2, "run", rag, "--backend", "ftp://x")
    expect("simulate: bad --jobs", 2, "simulate", os.path.join(EX, "workloads/uniform.toml"), "--jobs", "0")


def exit_3(tmp):
    rag = os.path.join(EX, "rag")
    missing = os.path.join(tmp, "nope")
    for cmd in ("check", "compile", "fmt", "run", "batch", "profile"):
        p = expect("%s: missing program" % cmd, 3, cmd, missing + ".llmflow")
        check("%s: the message names the file" % cmd, "nope.llmflow" in p.stderr, p)
    expect("run: missing --inputs", 3, "run", rag, "--inputs", missing + ".json")
    expect("batch: missing --inputs", 3, "batch", rag, "--inputs", missing + ".jsonl")
    bad = os.path.join(tmp, "bad.json")
    open(bad, "w").write('{"question": "x"')
    p = expect("run: malformed --inputs", 3, "run", rag, "--inputs", bad)
    check("malformed --inputs: says what --inputs takes", "JSON Lines" in p.stderr, p)
    expect("run: missing --config", 3, "run", rag, "--config", missing + ".toml")
    cfg = os.path.join(tmp, "bad.toml")
    open(cfg, "w").write("[engine]\nfrobnicate = 1\n")
    expect("run: invalid --config", 3, "run", rag, "--config", cfg)
    expect("compile: unwritable -o", 3, "compile", rag, "-o", os.path.join(missing, "x.json"))
    expect("run: unwritable --events", 3, "run", rag, "--events", os.path.join(missing, "e.jsonl"))
    expect("simulate: missing workload", 3, "simulate", missing + ".toml")
    expect("estimate: missing network", 3, "estimate", rag, "--bn", missing + ".json")
    expect("bn show: missing network", 3, "bn", "show", missing + ".json")


def progress(tmp):
    """On a terminal the status line is redrawn while jobs run, not only when one ends."""
    import pty
    import time
    master, slave = pty.openpty()
    t0 = time.monotonic()
    p = subprocess.Popen([BIN, "batch", os.path.join(EX, "react"), "--time-scale", "2", "--jobs", "3"],
                         stdout=subprocess.DEVNULL, stderr=slave, env=ENV)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=120)
    took = time.monotonic() - t0
    text = out.decode(errors="replace")
    draws = [d for d in text.split("\r") if "in flight" in d]
    check("batch under a terminal exits 0", p.returncode == 0)
    check("the line shows done/failed, tasks in flight, elapsed and ETA",
          any("0 failed" in d and "in flight" in d and "elapsed" in d and "ETA" in d for d in draws), None)
    # Redrawn every 0.25 s: a run of `took` seconds has far more draws than its 3 job ends.
    check("redrawn at least every 0.5 s (%d draws in %.1f s)" % (len(draws), took), len(draws) >= took / 0.5 - 1)
    check("the last line is final", draws and "3/3 jobs" in draws[-1] and "done" in draws[-1])
    p = llmflow("batch", os.path.join(EX, "react"), "--time-scale", "200", "--jobs", "3")
    check("not a terminal: plain progress lines, no redraws", "progress: 3/3 jobs" in p.stderr and "\r" not in p.stderr, p)


SHORT_DOC = """[[test]]
name = "short"
[test.inputs]
title = "T"
document = "one two three"
[test.replies]
notes = { summary = "s", key_points = [], entities = [] }
reduce = { title = "T", summary = "s", key_points = [], open_questions = [] }
[test.expect]
result = { title = "T" }
"""


def test_command(tmp):
    """llmflow test: failures name the stage, expected and actual; exit codes 0/1/2/3."""
    mr = os.path.join(EX, "mapreduce")

    def suite(name, text):
        path = os.path.join(tmp, name + ".tests.toml")
        open(path, "w").write(text)
        return path
    expect("test: a passing case", 0, "test", mr, "--tests", suite("pass", SHORT_DOC))
    bad = SHORT_DOC.replace('result = { title = "T" }', 'result = { title = "U" }\nstages = { "chunks.0" = "one" }')
    p = expect("test: a failed expectation", 1, "test", mr, "--tests", suite("fail", bad))
    check("the failure names the place, the expected and the actual value",
          'result .title: expected "U", got "T"' in p.stdout and
          "stage 'mapreduce/chunks' .0: expected \"one\", got \"one two three\"" in p.stdout, p)
    p = expect("test: a missing reply fails the case", 1, "test", mr, "--tests",
               suite("noreply", SHORT_DOC.replace('reduce = {', 'reduce_ = {').replace("reduce_ = ", "# ")))
    check("the case says which reply is missing", "no canned reply for stage 'mapreduce/reduce' call 1" in p.stdout, p)
    p = expect("test: an unknown stage", 3, "test", mr, "--tests", suite("unknown", SHORT_DOC.replace("notes =", "nots =")))
    check("the error lists the stages", "no stage 'nots'" in p.stderr and "summarize_chunk/notes" in p.stderr, p)
    p = expect("test: a reply of the wrong type", 3, "test", mr, "--tests",
               suite("type", SHORT_DOC.replace('reduce = { title = "T",', 'reduce = { title = 3,')))
    check("the error names the stage and the type", "replies.reduce: not a Summary" in p.stderr, p)
    expect("test: no test file", 3, "test", mr, "--tests", os.path.join(tmp, "none.toml"))
    expect("test: --filter matches nothing", 2, "test", mr, "--tests", suite("pass2", SHORT_DOC), "--filter", "zzz")


GROUPS = {"test-command": test_command, "first-commands": first_commands, "help": help_text, "exit-0": exit_0, "exit-1": exit_1,
          "exit-2": exit_2, "exit-3": exit_3, "progress": progress}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        GROUPS[sys.argv[2]](tmp)
    if failures:
        print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
