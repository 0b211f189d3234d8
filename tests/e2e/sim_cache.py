#!/usr/bin/env python3
"""End to end: `llmflow simulate`'s cache of training profiles and networks
(docs/simulate.md, "The training cache"). A cached run gives the same
results as a run from scratch (--no-cache); other inputs (another seed) get
their own entry; a truncated, edited or foreign entry is reported, never
trusted, and rewritten; an unwritable cache directory is a warning, not a
failure. Also: the oracle's truth and the burst capacity are measured only
when something needs them."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = os.path.join(ROOT, "tests", "e2e", "workloads", "decima-tiny.toml")
DETERMINISTIC = ("avg_jct", "p50_jct", "p95_jct", "p99_jct", "makespan", "jct", "done", "failed", "tokens_in")


def run(binary, *args, code=0):
    env = dict(os.environ, NO_COLOR="1", LLMFLOW_STDLIB=os.path.join(ROOT, "stdlib"))
    p = subprocess.run([binary, *args], env=env, capture_output=True, text=True, timeout=300)
    if p.returncode != code:
        sys.stderr.write("llmflow %s: exit %d, expected %d\n%s%s" % (" ".join(args), p.returncode, code, p.stdout,
                                                                      p.stderr))
        sys.exit(1)
    return p


def results(path):
    """What must not depend on the cache: every scheduler's JCT figures and job records."""
    doc = json.load(open(path, encoding="utf-8"))
    out = []
    for r in doc["results"]:
        out.append({k: r[k] for k in DETERMINISTIC} | {"scheduler": r["scheduler"],
                                                       "jobs": [(j["id"], j["jct"], j["work"]) for j in r["jobs"]]})
    return doc.get("rate"), out


def entries(cache):
    return sorted(f for f in os.listdir(cache) if f.endswith(".json")) if os.path.isdir(cache) else []


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "cache")
        base = ["simulate", TINY, "--scheduler", "fcfs,llmsched", "--cache-dir", cache]

        def sim(name, *extra, code=0):
            out = os.path.join(tmp, name + ".json")
            p = run(binary, *base, "--json", out, *extra, code=code)
            return p, results(out)

        _, scratch = sim("scratch", "--no-cache")
        assert entries(cache) == [], entries(cache)          # --no-cache writes nothing
        p, first = sim("first")
        assert first == scratch, "a cache-filling run differs from a run from scratch"
        files = entries(cache)
        assert [f.split("-")[0] for f in files] == ["history", "networks"], files
        assert "warning" not in p.stderr, p.stderr
        p, cached = sim("cached")
        assert cached == scratch, "a run from the cache differs from a run from scratch"
        assert "warning" not in p.stderr, p.stderr
        # Another seed is another entry; the first stays.
        sim("seed", "--seed", "6")
        assert len(entries(cache)) == 4, entries(cache)
        for f in entries(cache):
            if f not in files:
                os.remove(os.path.join(cache, f))

        history = os.path.join(cache, files[0])
        good = open(history, encoding="utf-8").read()
        head, body = good.split("\n", 1)
        bad_entries = {
            "truncated": good[: len(good) // 2],
            "edited": head + "\n" + body.replace("1", "2", 1),
            "not a cache entry": "{}\n[]",
            "for other inputs": open(os.path.join(cache, files[1]), encoding="utf-8").read(),
        }
        for what, text in bad_entries.items():
            with open(history, "w", encoding="utf-8") as f:
                f.write(text)
            p, again = sim("bad")
            assert again == scratch, "a run after a %s entry differs" % what
            assert "warning: cache:" in p.stderr and "recomputing" in p.stderr, (what, p.stderr)
            assert open(history, encoding="utf-8").read() == good, "the %s entry was not rewritten" % what
        # An entry whose content hash matches but does not decode (a profile
        # of the wrong shape) is rejected by the decoder, not trusted.
        nets = os.path.join(cache, files[1])
        good_nets = open(nets, encoding="utf-8").read()
        with open(nets, "w", encoding="utf-8") as f:
            body = '{"networks": [], "independents": []}'
            import hashlib
            hdr = json.loads(good_nets.split("\n", 1)[0])
            hdr["content"] = hashlib.sha1(body.encode()).hexdigest()
            f.write(json.dumps(hdr) + "\n" + body)
        p, again = sim("undecodable")
        assert again == scratch and "did not decode" in p.stderr, p.stderr

        # An unwritable cache directory: a warning, the same results.
        blocked = os.path.join(tmp, "blocked")
        open(blocked, "w").close()
        p = run(binary, "simulate", TINY, "--scheduler", "fcfs", "--cache-dir", os.path.join(blocked, "sub"))
        assert "warning: cache: cannot" in p.stderr, p.stderr
        shutil.rmtree(cache)

        # No oracle and no --json: the standalone runs are skipped (queue "-");
        # a given rate: no burst capacity is measured.
        p = run(binary, "simulate", TINY, "--scheduler", "fcfs", "--no-cache")
        row = [l for l in p.stdout.splitlines() if l.startswith("fcfs")][0]
        assert row.split()[3] == "-", row
        assert "burst capacity" in p.stdout.splitlines()[0], p.stdout
        p = run(binary, "simulate", TINY, "--scheduler", "oracle-srtf", "--no-cache", "--arrival-rate", "2")
        row = [l for l in p.stdout.splitlines() if l.startswith("oracle-srtf")][0]
        assert row.split()[3] != "-", row
        assert "burst capacity" not in p.stdout.splitlines()[0], p.stdout
    print("ok")


if __name__ == "__main__":
    main()
