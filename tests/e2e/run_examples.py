#!/usr/bin/env python3
"""End to end: the real llmflow binary runs an example application on the
simulated backend, once with `run` (one job, result on stdout) and once with
`batch` (every sample input), and the event log it writes is consistent."""
import json
import os
import subprocess
import sys
import tempfile


def main():
    binary, example = sys.argv[1], sys.argv[2]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    folder = os.path.join(root, "examples", example)
    env = dict(os.environ, NO_COLOR="1", LLMFLOW_STDLIB=os.path.join(root, "stdlib"))
    with open(os.path.join(folder, "inputs.jsonl"), encoding="utf-8") as f:
        first = json.loads(f.readline())
    with tempfile.TemporaryDirectory() as tmp:
        inputs = os.path.join(tmp, "in.json")
        with open(inputs, "w", encoding="utf-8") as f:
            json.dump(first, f)
        events = os.path.join(tmp, "events.jsonl")
        trace = os.path.join(tmp, "trace.json")
        run = subprocess.run([binary, "run", folder, "--inputs", inputs, "--time-scale", "500",
                              "--events", events, "--trace", trace],
                             env=env, capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            sys.stderr.write("run failed (%d):\n%s" % (run.returncode, run.stderr))
            return 1
        json.loads(run.stdout)  # the result is JSON
        lines = [json.loads(l) for l in open(events, encoding="utf-8")]
        types = [e["type"] for e in lines]
        assert types[0] == "run_started", types[:3]
        run_info = lines[0]["run"]
        assert run_info["sources"] == [run_info["source"]] and run_info["source"].endswith("app.llmflow"), run_info
        assert types[-1] == "job_finished", types[-3:]
        # Every dispatched task finished, after it was ready, in time order.
        ready, started = {}, {}
        last = 0.0
        for e in lines:
            if e["type"] != "task_first_token":  # recorded when the task ends
                assert e["t"] >= last - 1e-6, "event times go backwards"
                last = e["t"]
            key = e.get("instance", e.get("node"))
            if e["type"] == "task_ready":
                ready[key] = e["t"]
            elif e["type"] == "task_dispatched":
                assert key in ready, "dispatched before ready: %s" % key
                started[key] = e["t"]
            elif e["type"] in ("task_finished", "task_failed") and key in started:
                assert e["t"] >= started.pop(key)
        assert not started, "tasks never finished: %s" % list(started)
        tr = json.load(open(trace, encoding="utf-8"))
        assert any(ev.get("ph") == "X" for ev in tr["traceEvents"]), "trace has no task spans"

        summary = os.path.join(tmp, "summary.json")
        batch = subprocess.run([binary, "batch", folder, "--time-scale", "500", "--arrival-rate", "2",
                                "--json", summary], env=env, capture_output=True, text=True, timeout=300)
        if batch.returncode != 0:
            sys.stderr.write("batch failed (%d):\n%s" % (batch.returncode, batch.stderr))
            return 1
        s = json.load(open(summary, encoding="utf-8"))
        n = sum(1 for l in open(os.path.join(folder, "inputs.jsonl"), encoding="utf-8") if l.strip())
        assert s["jobs"] == n and s["done"] == n and s["failed"] == 0, s
        assert 0 < s["p50_jct"] <= s["p95_jct"] <= s["p99_jct"], s
        assert s["llm_calls"] >= n, s
    print("example %s: run and batch ok" % example)
    return 0


if __name__ == "__main__":
    sys.exit(main())
