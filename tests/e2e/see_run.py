#!/usr/bin/env python3
"""Everything a run did is visible: --log-content records each task's rendered request (prompts,
tool argv and stdin), raw response and value in the event log, and never an API key or a header
value; without it the log holds no content; `run -v` streams stages as they start and end with
their outputs; `batch --output` writes one line per job; `run --json` writes the job's record.
Over real HTTP (the loopback server) and real tool processes. usage: see_run.py LLMFLOW_BINARY"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "servers"))
from loopback import fake_openai  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from harness import check, failures  # noqa: E402

BIN = sys.argv[1]
SECRET = "sk-test-SECRET-7f3a9c"
ENV = dict(os.environ, NO_COLOR="1", OPENAI_API_KEY=SECRET)
CODEGEN = os.path.join(ROOT, "examples", "codegen")


def llmflow(*args):
    return subprocess.run([BIN] + list(args), env=ENV, capture_output=True, text=True, timeout=120)


def events(path):
    return [json.loads(l) for l in open(path, encoding="utf-8")]


def main():
    first = json.loads(open(os.path.join(CODEGEN, "inputs.jsonl")).readline())
    with tempfile.TemporaryDirectory() as tmp, fake_openai() as url:
        log = os.path.join(tmp, "content.jsonl")
        p = llmflow("run", CODEGEN, "--backend", url, "--log-content", "--events", log)
        check("run over HTTP with --log-content", p.returncode == 0, p.stderr)
        evs = events(log)
        ends = [e for e in evs if e["type"] in ("task_finished", "task_failed")]
        check("every task end carries content", ends and all("content" in e for e in ends), ends[:1])
        llm = [e for e in ends if e.get("executor") == "llm"]
        tools = [e for e in ends if e.get("executor") == "regular"]
        gen = next((e for e in llm if e["node"] == "codegen/gen"), None)
        check("an LLM task's request holds the rendered prompt",
              gen and any(first["problem"] in m["content"] for m in gen["content"]["request"]["messages"]), gen)
        check("an LLM task's request is the chat body (model, response_format)",
              gen and gen["content"]["request"]["model"] and "response_format" in gen["content"]["request"], gen)
        check("an LLM task's raw response and value", gen and gen["content"]["response"] and
              isinstance(gen["content"].get("value"), dict), gen)
        proc = next((e for e in tools if "argv" in e["content"].get("request", {})), None)
        check("a tool task's argv, stdin, stdout", proc and proc["content"]["request"]["argv"][0] == "python3" and
              proc["content"]["request"]["stdin"] and proc["content"]["response"], proc)
        text = open(log, encoding="utf-8").read()
        check("the API key is never written", SECRET not in text)
        check("no header is written", "Authorization" not in text and "Bearer" not in text)

        plain = os.path.join(tmp, "plain.jsonl")
        p = llmflow("run", CODEGEN, "--backend", url, "--events", plain)
        check("without --log-content, no content", p.returncode == 0 and
              not any("content" in e for e in events(plain)), p.stderr)

        p = llmflow("run", CODEGEN, "-v", "--backend", url, "--events", plain)
        lines = p.stderr.splitlines()
        check("run -v: a start line per stage", any("start" in l and "codegen/gen (llm)" in l for l in lines), p.stderr)
        check("run -v: an end line with the output", any("done" in l and "codegen/gen" in l and '"code"' in l
                                                          for l in lines), p.stderr)
        check("run -v does not put content into the event log", not any("content" in e for e in events(plain)))

        rec = os.path.join(tmp, "rec.json")
        p = llmflow("run", CODEGEN, "--backend", url, "--json", rec)
        r = json.load(open(rec)) if p.returncode == 0 else {}
        check("run --json: the job's record", r.get("status") == "ok" and r.get("inputs") == first and
              "result" in r and r.get("jct", 0) > 0, r)

    # The simulated backend records what a real server would have been asked.
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "sim.jsonl")
        p = llmflow("run", CODEGEN, "--time-scale", "200", "--log-content", "--events", log)
        gen = next((e for e in events(log) if e.get("node") == "codegen/gen" and e["type"] == "task_finished"), None)
        check("sim backend: content recorded too", p.returncode == 0 and gen and gen["content"]["request"]["messages"], gen)

        out = os.path.join(tmp, "results.jsonl")
        p = llmflow("batch", CODEGEN, "--time-scale", "200", "--jobs", "25", "--output", out)
        rows = [json.loads(l) for l in open(out)] if os.path.exists(out) else []
        inputs = [json.loads(l) for l in open(os.path.join(CODEGEN, "inputs.jsonl")) if l.strip()]
        check("batch --output: one line per job", p.returncode == 0 and sorted(r["id"] for r in rows) == list(range(1, 26)),
              p.stderr)
        check("batch --output: id, inputs, status, result, JCT",
              rows and all(r["inputs"] == inputs[(r["id"] - 1) % len(inputs)] and r["status"] == "ok" and "result" in r
                           and r["jct"] > 0 for r in rows), rows[:1])
        p = llmflow("batch", CODEGEN, "--output", os.path.join(tmp, "no", "such", "dir.jsonl"))
        check("batch --output unwritable: exit 3", p.returncode == 3, p.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
