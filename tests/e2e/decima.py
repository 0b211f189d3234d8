#!/usr/bin/env python3
"""End to end: `llmflow decima train` on a tiny workload (a few episodes),
determinism (the same seed gives the same policy whatever the threads, and
the same simulation), the policy in simulate (by --policy and by the
workload's [decima] policy), run and batch, the clear errors of a missing,
corrupt or foreign policy, and the commands docs/decima.md shows (with fewer
episodes and jobs), including each shipped policy against its workload."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = os.path.join(ROOT, "tests", "e2e", "workloads", "decima-tiny.toml")
WORKLOADS = os.path.join(ROOT, "examples", "workloads")


def run(binary, *args, code=0, timeout=600):
    env = dict(os.environ, NO_COLOR="1", LLMFLOW_STDLIB=os.path.join(ROOT, "stdlib"))
    p = subprocess.run([binary, *args], env=env, capture_output=True, text=True, timeout=timeout)
    if p.returncode != code:
        sys.stderr.write("llmflow %s: exit %d, expected %d\n%s%s" % (" ".join(args), p.returncode, code, p.stdout,
                                                                      p.stderr))
        sys.exit(1)
    return p


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        pol = os.path.join(tmp, "tiny.policy.json")
        p = run(binary, "decima", "train", TINY, "-o", pol, "--episodes", "8", "--per-iteration", "4", "--seed", "3")
        assert "validation average JCT" in p.stdout, p.stdout
        assert "episodes" in p.stderr, p.stderr
        with open(os.path.join(tmp, "tiny.policy.curve.csv"), encoding="utf-8") as f:
            rows = f.read().splitlines()
        assert rows[0].startswith("iteration,episodes,jobs_per_episode,train_avg_jct,validation_avg_jct"), rows[0]
        assert len(rows) == 3, rows
        assert open(os.path.join(tmp, "tiny.policy.curve.svg"), encoding="utf-8").read().startswith("<svg")
        doc = json.load(open(pol, encoding="utf-8"))
        assert sorted(doc["apps"]) == ["mapreduce", "react", "summarize_chunk"] or sorted(doc["apps"]) == [
            "mapreduce", "react"], sorted(doc["apps"])

        # Determinism: the same seed, the same policy, whatever the threads.
        again = os.path.join(tmp, "again.json")
        run(binary, "decima", "train", TINY, "-o", again, "--episodes", "8", "--per-iteration", "4", "--seed", "3",
            "--threads", "2")
        assert open(pol, "rb").read() == open(again, "rb").read(), "same seed, different policy"
        other = os.path.join(tmp, "other.json")
        run(binary, "decima", "train", TINY, "-o", other, "--episodes", "8", "--per-iteration", "4", "--seed", "4")
        assert open(pol, "rb").read() != open(other, "rb").read(), "the seed makes no difference"

        # Simulate with it, twice: the same results.
        outs = []
        for k in range(2):
            out = os.path.join(tmp, "sim%d.json" % k)
            p = run(binary, "simulate", TINY, "--policy", pol, "--json", out)
            assert "\ndecima " in p.stdout, p.stdout
            outs.append([(r["scheduler"], r["jct"], r["decisions"]) for r in json.load(open(out))["results"]])
        assert outs[0] == outs[1]

        # The workload may name the policy ([decima] policy, relative to the workload file).
        named = os.path.join(tmp, "named.toml")
        text = open(TINY, encoding="utf-8").read().replace("../../../examples", os.path.join(ROOT, "examples"))
        with open(named, "w", encoding="utf-8") as f:
            f.write(text + '\n[decima]\npolicy = "tiny.policy.json"\n')
        run(binary, "simulate", named, "--scheduler", "decima")

        # Bad input: a missing policy names what is needed (usage), a corrupt
        # file or one trained for other applications is refused (exit 3).
        p = run(binary, "simulate", TINY, "--scheduler", "decima", code=2)
        assert "--policy" in p.stderr and "decima train" in p.stderr, p.stderr
        corrupt = os.path.join(tmp, "corrupt.json")
        with open(corrupt, "w") as f:
            f.write('{"format": "llmflow-decima-policy", "version": 1, "weights": ')
        p = run(binary, "simulate", TINY, "--scheduler", "decima", "--policy", corrupt, code=3)
        assert "corrupt.json" in p.stderr, p.stderr
        foreign = os.path.join(tmp, "foreign.json")
        doc["apps"]["other_app"] = doc["apps"].pop("react")
        with open(foreign, "w") as f:
            json.dump(doc, f)
        p = run(binary, "simulate", TINY, "--scheduler", "decima", "--policy", foreign, code=3)
        assert "not for 'react'" in p.stderr, p.stderr
        p = run(binary, "batch", os.path.join(ROOT, "examples", "rag"), "--scheduler", "decima", "--policy", pol,
                "--time-scale", "500", "--jobs", "1", code=3)
        assert "not for 'rag'" in p.stderr, p.stderr

        # run and batch on the engine.
        inputs = os.path.join(tmp, "in.json")
        with open(os.path.join(ROOT, "examples", "react", "inputs.jsonl"), encoding="utf-8") as f:
            first = f.readline()
        with open(inputs, "w", encoding="utf-8") as f:
            f.write(first)
        p = run(binary, "run", os.path.join(ROOT, "examples", "react"), "--inputs", inputs, "--scheduler", "decima",
                "--policy", pol, "--time-scale", "500")
        json.loads(p.stdout)
        run(binary, "batch", os.path.join(ROOT, "examples", "mapreduce"), "--scheduler", "decima", "--policy", pol,
            "--time-scale", "500", "--jobs", "4", "--arrival-rate", "2")

        # docs/decima.md's commands, with fewer episodes and jobs.
        run(binary, "decima", "train", os.path.join(WORKLOADS, "uniform.toml"), "-o",
            os.path.join(tmp, "uniform.policy.json"), "--episodes", "2", "--per-iteration", "2", "--jobs", "8")
        for w in ("uniform", "llm-heavy", "structure-heavy", "tool-heavy"):
            shipped = os.path.join(WORKLOADS, w + ".policy.json")
            run(binary, "simulate", os.path.join(WORKLOADS, w + ".toml"), "--scheduler", "fcfs,decima", "--policy",
                shipped, "--jobs", "10")
    return 0


if __name__ == "__main__":
    sys.exit(main())
