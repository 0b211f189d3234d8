#!/usr/bin/env python3
"""What hung model requests cost a whole batch (a benchmark command that prints figures, not a test).

Runs `llmflow batch` end to end (real HTTP to the loopback server tests/servers/fake_openai.py, the
engine, the scheduler, the event loop) on a one-stage LLM application, JOBS jobs each:
  fault-free    every request answers after --ttft seconds;
  hung          every (100 / PERCENT)-th job's first request hangs without a first token (the
                server's `hangx1` fault, so a second attempt is answered); with hedging on (the
                default, `[hedging] enabled = true`) the hung attempt is hedged after the endpoint's
                p95 of time to first token, otherwise it waits out the first-token timeout.
It prints each run's wall time, jobs done/failed and the server's request count, and the ratio of
the hung run to the fault-free one. Exits 1 when a job failed.

usage: batch_hangs.py LLMFLOW [--jobs N] [--hang-percent P] [--slots N] [--ttft S] [--first-token S]
       [--no-hedge] [--repeats R]"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "servers"))
from loopback import fake_openai  # noqa: E402  (starts and stops the loopback server)
PROGRAM = """// One LLM stage: the request is the whole job.
app echo(q: string) -> string {
  llm a { prompt = "{{q}}"; retries = 1; backoff = 100ms; }
  return a;
}
"""


def metric(url, name):
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return None


def run_batch(a, tmp, url, tag, hang_every):
    cfg = os.path.join(tmp, "config.toml")
    with open(cfg, "w") as f:
        f.write('[[endpoints]]\nname = "a"\nurl = "%s"\nmax_in_flight = %d\n' % (url, a.slots))
        f.write("[timeouts]\nfirst_token = %g\n" % a.first_token)
        f.write("[hedging]\nenabled = %s\n" % ("false" if a.no_hedge else "true"))
    inputs = os.path.join(tmp, tag + ".jsonl")
    with open(inputs, "w") as f:
        for i in range(a.jobs):
            # Every prompt is distinct: the server keys `hangx1` on the message.
            fault = " [[fault:hangx1]]" if hang_every and i % hang_every == hang_every // 2 else ""
            f.write(json.dumps({"q": "%s job %d%s" % (tag, i, fault)}) + "\n")
    summary = os.path.join(tmp, tag + ".json")
    before = metric(url, "fake_openai:requests_total") or 0
    t0 = time.monotonic()
    p = subprocess.run([a.llmflow, "batch", os.path.join(tmp, "echo.llmflow"), "--inputs", inputs,
                        "--config", cfg, "--llm-slots", str(a.slots), "--scheduler", "fcfs", "--json", summary],
                       capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"))
    wall = time.monotonic() - t0
    if p.returncode not in (0, 1):
        sys.stderr.write(p.stderr)
        raise SystemExit("llmflow batch exited %d" % p.returncode)
    with open(summary) as f:
        s = json.load(f)
    requests = (metric(url, "fake_openai:requests_total") or 0) - before
    return wall, s, int(requests)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("llmflow")
    ap.add_argument("--jobs", type=int, default=10000)
    ap.add_argument("--hang-percent", type=float, default=1.0)
    ap.add_argument("--slots", type=int, default=64)
    ap.add_argument("--ttft", type=float, default=0.02, help="the server's seconds to the first token")
    ap.add_argument("--first-token", type=float, default=60, help="the client's first-token timeout")
    ap.add_argument("--no-hedge", action="store_true")
    ap.add_argument("--repeats", type=int, default=1)
    a = ap.parse_args()
    if not 0 <= a.hang_percent <= 50 or a.jobs < 1 or a.repeats < 1 or a.slots < 1:
        ap.error("--hang-percent must be 0-50, --jobs, --repeats and --slots at least 1")
    hang_every = round(100 / a.hang_percent) if a.hang_percent > 0 else 0
    failed = 0
    with fake_openai("--ttft", str(a.ttft)) as url, tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "echo.llmflow"), "w") as f:
            f.write(PROGRAM)
        walls = {"fault-free": [], "hung": []}
        for r in range(a.repeats):
            for tag in walls:
                wall, s, requests = run_batch(a, tmp, url, "%s%d" % (tag, r), hang_every if tag == "hung" else 0)
                walls[tag].append(wall)
                failed += s["failed"]
                print("%-10s %6d jobs: %8.2f s wall, %d done, %d failed, %d requests, p99 JCT %.2f s"
                      % (tag, a.jobs, wall, s["done"], s["failed"], requests, s["p99_jct"]), flush=True)
    free, hung = statistics.median(walls["fault-free"]), statistics.median(walls["hung"])
    print("%g%% hung first attempts, %s, %d slots, first-token timeout %g s: %.2fx the fault-free wall time"
          % (a.hang_percent, "no hedging" if a.no_hedge else "hedging", a.slots, a.first_token, hung / free))
    # Every job must finish: a hung request is answered by a hedge or a retry.
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
