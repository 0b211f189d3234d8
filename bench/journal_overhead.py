#!/usr/bin/env python3
"""The journal's cost on a batch's wall time (a benchmark command that prints figures, not a test).

Runs `llmflow batch APP --jobs N --time-scale X` with the simulated backend, alternately without and
with `--journal` (a fresh file each time), REPEATS times each, and prints the median wall times and
the overhead. At a high time scale the simulated stages take little real time, so the batch is
dominated by the engine's own work and the journal's share shows.

usage: journal_overhead.py LLMFLOW [--app DIR] [--jobs N] [--time-scale X] [--repeats R] [--sync normal|full]
       [--window MS]"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("llmflow")
    ap.add_argument("--app", default=os.path.join(ROOT, "examples/rag"))
    ap.add_argument("--jobs", type=int, default=400)
    ap.add_argument("--time-scale", default="1000")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sync", default="normal")
    ap.add_argument("--window", default="10", help="--journal-window MS")
    a = ap.parse_args()
    env = dict(os.environ, NO_COLOR="1")
    base = [a.llmflow, "batch", a.app, "--jobs", str(a.jobs), "--time-scale", a.time_scale, "--scheduler", "fcfs"]
    times = {"without": [], "with": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(a.repeats):
            for kind in ("without", "with"):
                extra = []
                if kind == "with":
                    extra = ["--journal", os.path.join(tmp, "run%d.db" % r), "--journal-sync", a.sync,
                             "--journal-window", a.window]
                t0 = time.monotonic()
                p = subprocess.run(base + extra, env=env, capture_output=True, text=True)
                times[kind].append(time.monotonic() - t0)
                if p.returncode not in (0, 1):   # 1: some job failed, which the simulated backend may draw
                    sys.stderr.write(p.stderr)
                    return 1
        # The journal keeps its write-ahead log beside it (docs/journal.md).
        size = sum(os.path.getsize(os.path.join(tmp, "run0.db" + ext)) for ext in ("", "-wal")
                   if os.path.exists(os.path.join(tmp, "run0.db" + ext)))
    without, with_ = statistics.median(times["without"]), statistics.median(times["with"])
    print("batch %s: %d jobs, time scale %s, %d runs each, synchronous=%s, commit window %s ms"
          % (os.path.basename(a.app.rstrip("/")), a.jobs, a.time_scale, a.repeats, a.sync.upper(), a.window))
    print("without journal: median %.3f s (min %.3f)" % (without, min(times["without"])))
    print("with journal:    median %.3f s (min %.3f); journal file %.0f KiB"
          % (with_, min(times["with"]), size / 1024))
    print("overhead: %+.1f%% of wall time" % ((with_ / without - 1) * 100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
