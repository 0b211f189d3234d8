#!/usr/bin/env python3
"""End to end against real sockets: the llmflow binary talks to the loopback
OpenAI-compatible server (tests/servers/fake_openai.py) and runs real tool
processes. Every example runs; then injected faults must be retried, fall
back, or fail the job with the reason, never crash or hang."""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from harness import ENV, check, failures, start_fake_openai  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = sys.argv[1]
FAULTS = os.path.join(ROOT, "tests/e2e/apps/faults.llmflow")


def llmflow(*args, timeout=60):
    t0 = time.monotonic()
    p = subprocess.run([BIN] + list(args), env=ENV, capture_output=True, text=True, timeout=timeout)
    return p, time.monotonic() - t0


def run_app(url, app, inputs, extra=(), timeout=60):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(inputs, f)
    try:
        return llmflow("run", FAULTS, "--app", app, "--inputs", f.name, "--backend", url, *extra, timeout=timeout)
    finally:
        os.unlink(f.name)


def main():
    server, url = start_fake_openai()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            # Every example, real HTTP and real tools.
            for ex in sorted(os.listdir(os.path.join(ROOT, "examples"))):
                folder = os.path.join(ROOT, "examples", ex)
                if not os.path.exists(os.path.join(folder, "app.llmflow")):
                    continue
                first = os.path.join(tmp, ex + ".json")
                with open(os.path.join(folder, "inputs.jsonl")) as src, open(first, "w") as dst:
                    dst.write(src.readline())
                p, _ = llmflow("run", folder, "--inputs", first, "--backend", url)
                check("example %s over HTTP" % ex, p.returncode == 0, p.stderr)
                if p.returncode == 0:
                    json.loads(p.stdout)

            events = os.path.join(tmp, "ev.jsonl")
            p, _ = run_app(url, "echo", {"q": "hello [[fault:500x2]]"}, ("--events", events))
            attempts = [e.get("attempts", 0) for e in map(json.loads, open(events)) if e["type"] == "task_finished"]
            check("500 twice, then success", p.returncode == 0 and attempts == [3], p.stderr + str(attempts))

            p, _ = run_app(url, "echo", {"q": "hello [[fault:truncatedx1]]"})
            check("cut stream is retried", p.returncode == 0, p.stderr)

            p, took = run_app(url, "echo", {"q": "hello [[fault:429x1:1]]"})
            check("429 honours Retry-After", p.returncode == 0 and took >= 1.0, "%s took %.2f" % (p.stderr, took))

            p, _ = run_app(url, "echo", {"q": "[[fault:401]]"})
            check("401 is not retried and fails the job", p.returncode == 1 and "auth" in p.stderr, p.stderr)

            p, _ = run_app(url, "echo", {"q": "[[fault:ctx]]"})
            check("context overflow is a clear failure", p.returncode == 1 and "context" in p.stderr.lower(), p.stderr)

            cfg = os.path.join(tmp, "short.toml")
            with open(cfg, "w") as f:
                f.write("[timeouts]\nfirst_token = 0.5\nidle = 0.5\n")
            p, took = run_app(url, "echo", {"q": "[[fault:hang]]"}, ("--config", cfg), timeout=30)
            check("a hung server hits the first-token timeout", p.returncode == 1 and "timeout" in p.stderr.lower()
                  and took < 15, "%s took %.2f" % (p.stderr, took))

            p, _ = run_app(url, "typed", {"q": "[[fault:length]]"})
            check("truncated structured output fails with the reason", p.returncode == 1, p.stderr)

            p, _ = run_app(url, "typed", {"q": "fine"})
            check("structured output parses", p.returncode == 0 and json.loads(p.stdout).get("text") == "x",
                  p.stdout + p.stderr)

            fb = os.path.join(tmp, "fallback.toml")
            with open(fb, "w") as f:
                f.write('[[endpoints]]\nname = "dead"\nurl = "http://127.0.0.1:1"\n\n'
                        '[[endpoints]]\nname = "live"\nurl = "%s"\n\n[models]\ndefault = ["dead", "live"]\n' % url)
            events2 = os.path.join(tmp, "ev2.jsonl")
            with open(os.path.join(tmp, "q.json"), "w") as f:
                json.dump({"q": "hi"}, f)
            p, _ = llmflow("run", FAULTS, "--app", "echo", "--inputs", os.path.join(tmp, "q.json"), "--config", fb,
                           "--events", events2)
            used = [e.get("endpoint") for e in map(json.loads, open(events2)) if e["type"] == "task_finished"]
            check("a dead endpoint falls back to the next", p.returncode == 0 and used == ["live"], p.stderr + str(used))

            p, took = run_app("http://127.0.0.1:1", "echo", {"q": "hi"})
            check("no endpoint at all: a job failure, not a crash", p.returncode == 1 and took < 30, p.stderr)

            jobs = os.path.join(tmp, "jobs.jsonl")
            with open(jobs, "w") as f:
                f.write(json.dumps({"q": "[[fault:403]]"}) + "\n" + json.dumps({"q": "fine"}) + "\n")
            summary = os.path.join(tmp, "s.json")
            p, _ = llmflow("batch", FAULTS, "--app", "echo", "--inputs", jobs, "--backend", url, "--json", summary)
            s = json.load(open(summary)) if os.path.exists(summary) else {}
            check("one failing job does not affect the others", p.returncode == 1 and s.get("done") == 1
                  and s.get("failed") == 1, p.stderr + str(s))

            p, took = run_app(url, "hang_tool", {"s": 30})
            check("a hung tool is killed at its timeout, retried, then fails", p.returncode == 1
                  and "timed out" in p.stderr and took < 10, "%s took %.2f" % (p.stderr, took))

            p, _ = run_app(url, "hang_tool", {"s": 0})
            check("a tool's text output is the result", p.returncode == 0 and json.loads(p.stdout) == "awake",
                  p.stdout + p.stderr)

            p, _ = run_app(url, "bad_tool", {})
            check("a tool printing invalid JSON fails clearly", p.returncode == 1 and "invalid JSON" in p.stderr,
                  p.stderr)

            p, _ = run_app(url, "echo", {"nope": "x"})
            check("an unknown input is a usage error", p.returncode == 2 and "unknown input 'nope'" in p.stderr,
                  p.stderr)
    finally:
        server.stdin.close()
        server.wait(timeout=10)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
