#!/usr/bin/env python3
"""Checks that two llmflow binaries simulate the same jobs the same way:
runs `llmflow simulate` on every examples/workloads/*.toml (fixed seed,
default schedulers) with both and compares every scheduler's summary and
every job's arrival, JCT, work and token counts exactly. Speed-ups must
not change results (docs/performance.md).

  tools/sim-compare.py OLD_LLMFLOW NEW_LLMFLOW [--jobs N] [--seed S] [WORKLOAD.toml ...]

Exit status 0 when identical, 1 with the differences listed."""
import argparse, glob, json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMPARED = ["avg_jct", "p50_jct", "p95_jct", "p99_jct", "makespan", "jobs", "failed", "mean_queueing_delay"]
JOB_FIELDS = ["id", "app", "arrival", "jct", "status", "work", "llm_calls", "tool_calls", "tokens_in", "tokens_out"]


def run(binary, workload, args, out):
    cmd = [binary, "simulate", workload, "--json", out] + args
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit("%s failed (%d):\n%s" % (" ".join(cmd), p.returncode, p.stderr))
    with open(out) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("workloads", nargs="*")
    ap.add_argument("--jobs", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--old-args", default="", help="extra arguments for the old binary only")
    ap.add_argument("--new-args", default="", help="extra arguments for the new binary only (e.g. --no-cache)")
    o = ap.parse_intermixed_args()
    workloads = o.workloads or sorted(glob.glob(os.path.join(ROOT, "examples/workloads/*.toml")))
    extra = ["--seed", str(o.seed)] + (["--jobs", str(o.jobs)] if o.jobs else [])
    diffs = []
    with tempfile.TemporaryDirectory() as tmp:
        for w in workloads:
            name = os.path.basename(w)
            a = run(o.old, w, extra + o.old_args.split(), os.path.join(tmp, "old.json"))
            b = run(o.new, w, extra + o.new_args.split(), os.path.join(tmp, "new.json"))
            if a.get("rate") != b.get("rate"):
                diffs.append("%s: arrival rate %r vs %r" % (name, a.get("rate"), b.get("rate")))
            ra = {r["scheduler"]: r for r in a["results"]}
            rb = {r["scheduler"]: r for r in b["results"]}
            if list(ra) != list(rb):
                diffs.append("%s: schedulers %s vs %s" % (name, list(ra), list(rb)))
            checked = 0
            for s in ra:
                if s not in rb:
                    continue
                for k in COMPARED:
                    if ra[s].get(k) != rb[s].get(k):
                        diffs.append("%s %s: %s %r vs %r" % (name, s, k, ra[s].get(k), rb[s].get(k)))
                for ja, jb in zip(ra[s]["jobs"], rb[s]["jobs"]):
                    checked += 1
                    for k in JOB_FIELDS:
                        if ja.get(k) != jb.get(k):
                            diffs.append("%s %s job %s: %s %r vs %r" % (name, s, ja.get("id"), k, ja.get(k), jb.get(k)))
                            break
            print("%-22s %d schedulers, %d job records compared" % (name, len(ra), checked))
    for d in diffs[:40]:
        print("DIFFERENT: " + d)
    if diffs:
        print("%d differences" % len(diffs))
        return 1
    print("identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
