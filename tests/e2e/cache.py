#!/usr/bin/env python3
"""The call cache (--cache), end to end: a batch over the loopback model server
(tests/servers/fake_openai.py, which logs every request) and real tool processes runs twice with
the same cache. The second run sends the server no request for a cached stage (temperature 0, or
cache = "always") and one for every other (temperature above 0, cache = false), gives the same
results, and reports the hits and misses in its summary, its --json and its event log, with the
original calls' tokens and, under --log-content, their transcripts. A model's `cache = false` in
the configuration keeps its calls out. Then the commands of docs/cache.md over the simulated
backend, `llmflow fmt --check` on the test's program, and bad caches: a file that is not a
database, another SQLite database, a folder that cannot be written: each a clear error with exit
status 3, never a crash.

Usage: cache.py LLMFLOW"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from harness import ENV, check, events_of, failures, start_fake_openai  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = sys.argv[1]
APP = os.path.join(ROOT, "tests/e2e/apps/cache.llmflow")
JOBS = 3


def prompts_sent(url):
    with urllib.request.urlopen(url + "/requests", timeout=30) as r:
        return [req["body"]["messages"][-1]["content"] for req in json.load(r)]


def run(args, cwd=None):
    return subprocess.run([BIN] + args, env=ENV, cwd=cwd, capture_output=True, text=True, timeout=120)


def finished(evs):
    """task_finished events by (job, node)."""
    return {(e["job"], e["node"].split("/")[-1]): e for e in evs if e["type"] == "task_finished"}


def results(path):
    with open(path) as f:
        return sorted((j["id"], j["status"], json.dumps(j.get("result"))) for j in map(json.loads, f))


def main():
    server, url = start_fake_openai()
    tmp = tempfile.mkdtemp(prefix="llmflow-cache-")
    inputs = os.path.join(tmp, "inputs.jsonl")
    with open(inputs, "w") as f:
        for i in range(JOBS):
            f.write(json.dumps({"topic": "topic%d" % i}) + "\n")
    db = os.path.join(tmp, "calls.db")

    def batch(tag, *extra):
        p = run(["batch", APP, "--inputs", inputs, "--backend", url, "--cache", db, "--log-content",
                 "--events", os.path.join(tmp, tag + ".events.jsonl"), "--output", os.path.join(tmp, tag + ".jsonl"),
                 "--json", os.path.join(tmp, tag + ".summary.json")] + list(extra))
        check("%s: exit 0" % tag, p.returncode == 0, p.stderr)
        with open(os.path.join(tmp, tag + ".summary.json")) as f:
            return p, json.load(f)

    # 1. A cold cache: every cacheable call misses, runs and is stored.
    before = len(prompts_sent(url))
    p1, s1 = batch("first")
    sent1 = prompts_sent(url)[before:]
    check("first: every LLM stage is sent", len(sent1) == 4 * JOBS, sent1)
    cacheable = 3 * JOBS  # plain, forced, words per job
    check("first: summary counts misses", "cache: 0 hits, %d misses" % cacheable in p1.stderr, p1.stderr)
    check("first: --json counts", (s1.get("cache_hits"), s1.get("cache_misses")) == (0, cacheable), s1)
    ev1 = finished(events_of(os.path.join(tmp, "first.events.jsonl")))
    check("first: misses marked in the event log",
          all(ev1[(j, n)].get("cache") == "miss" for j in range(1, JOBS + 1) for n in ("plain", "forced", "words")),
          ev1)
    check("first: ineligible stages carry no cache field",
          all("cache" not in ev1[(j, n)] for j in range(1, JOBS + 1) for n in ("sampled", "fresh", "again")), ev1)

    # 2. The same batch again: only the stages the cache may not answer reach the server.
    before = len(prompts_sent(url))
    p2, s2 = batch("second")
    sent2 = prompts_sent(url)[before:]
    kinds = sorted(re.sub(r"^topic\d+ ", "", s) for s in sent2)
    check("second: only sampled and cache = false stages are sent",
          kinds == sorted(["fresh", "sampled"] * JOBS), sent2)
    check("second: summary counts hits", "cache: %d hits, 0 misses" % cacheable in p2.stderr, p2.stderr)
    check("second: --json counts", (s2.get("cache_hits"), s2.get("cache_misses")) == (cacheable, 0), s2)
    check("second: same results", results(os.path.join(tmp, "first.jsonl")) == results(os.path.join(tmp, "second.jsonl")))
    check("second: same tokens", (s1["tokens_in"], s1["tokens_out"]) == (s2["tokens_in"], s2["tokens_out"]), (s1, s2))
    ev2 = finished(events_of(os.path.join(tmp, "second.events.jsonl")))
    for j in range(1, JOBS + 1):
        for n in ("plain", "forced", "words"):
            a, b = ev1[(j, n)], ev2[(j, n)]
            check("second: job %d %s is a hit with the original's tokens and transcript" % (j, n),
                  b.get("cache") == "hit" and b.get("endpoint") == "cache" and
                  (a.get("tokens_in"), a.get("tokens_out")) == (b.get("tokens_in"), b.get("tokens_out")) and
                  a["content"]["request"] == b["content"]["request"] and
                  a["content"]["response"] == b["content"]["response"] and
                  a["content"]["value"] == b["content"]["value"], (a, b))

    # 3. The configuration keeps a model's calls out; the stage's "always" still wins.
    cfg = os.path.join(tmp, "nocache.toml")
    with open(cfg, "w") as f:
        f.write('[models.default]\ncache = false\n')
    before = len(prompts_sent(url))
    p3, s3 = batch("model-off", "--config", cfg)
    kinds = sorted(re.sub(r"^topic\d+ ", "", s) for s in prompts_sent(url)[before:])
    check("model cache = false: its temperature-0 stage is sent again, the forced one is not",
          kinds == sorted(["fresh", "sampled", "plain"] * JOBS), kinds)
    check("model cache = false: counts", (s3.get("cache_hits"), s3.get("cache_misses")) == (2 * JOBS, 0), s3)
    with open(cfg, "w") as f:
        f.write('[models.default]\ncache = "maybe"\n')
    p = run(["run", APP, "--input", "topic=x", "--config", cfg, "--cache", db])
    check("model cache: a bad value is refused", p.returncode == 3 and 'expected true, false or "always"' in p.stderr,
          p.stderr)

    # 4. run answers from the same cache; the store is an ordinary SQLite file.
    p = run(["run", APP, "--input", "topic=topic1", "--backend", url, "--cache", db])
    check("run: hits from the batch's entries", p.returncode == 0 and "cache: 3 hits, 0 misses" in p.stderr, p.stderr)
    rows = sqlite3.connect(db).execute("SELECT count(*) FROM calls").fetchone()[0]
    check("store: one row per distinct cacheable call", rows == cacheable, rows)

    # 5. docs/cache.md's commands, over the simulated backend, in a folder of their own.
    docs = os.path.join(tmp, "docs")
    os.mkdir(docs)
    rag = os.path.join(ROOT, "examples/rag")
    a = run(["run", rag, "--cache", "cache.db"], cwd=docs)
    b = run(["run", rag, "--cache", "cache.db"], cwd=docs)
    m = re.search(r"cache: (\d+) hits, (\d+) misses", a.stderr)
    n = re.search(r"cache: (\d+) hits, (\d+) misses", b.stderr)
    check("docs: the first run misses", a.returncode == 0 and m and m.group(1) == "0" and int(m.group(2)) > 0, a.stderr)
    check("docs: the second run hits every call the first stored",
          b.returncode == 0 and n and n.group(1) == m.group(2) and n.group(2) == "0" and a.stdout == b.stdout,
          (a.stderr, b.stderr, a.stdout, b.stdout))
    c = run(["batch", rag, "--jobs", "20", "--time-scale", "100", "--cache", "cache.db", "--json", "summary.json"],
            cwd=docs)
    with open(os.path.join(docs, "summary.json")) as f:
        s = json.load(f)
    check("docs: the batch hits", c.returncode == 0 and s["cache_hits"] > 0, (c.stderr, s))
    q = subprocess.run(["sqlite3", "cache.db", "SELECT node, tokens_in, tokens_out, value FROM calls LIMIT 5"],
                       cwd=docs, capture_output=True, text=True) if shutil.which("sqlite3") else None
    if q is not None:
        check("docs: sqlite3 reads the cache", q.returncode == 0 and "rag/" in q.stdout, q.stderr)
    folder = run(["run", rag, "--cache", docs])
    check("docs: a folder holds llmflow-cache.db",
          folder.returncode == 0 and os.path.exists(os.path.join(docs, "llmflow-cache.db")), folder.stderr)
    fmt = run(["fmt", "--check", APP])
    check("fmt keeps the cache property", fmt.returncode == 0, fmt.stdout + fmt.stderr)

    # 6. Bad caches: clear errors, exit 3.
    junk = os.path.join(tmp, "junk.db")
    with open(junk, "wb") as f:
        f.write(b"not a database" * 1000)
    journal = os.path.join(tmp, "journal.db")
    p = run(["run", APP, "--input", "topic=x", "--journal", journal])
    bad = [(junk, "not an SQLite database, or a damaged one"),
           (journal, "not an llmflow call cache"),
           (os.path.join(tmp, "no", "such", "folder", "c.db"), "cannot open"),
           ("/proc", "cannot open")]
    for path, words in bad:
        p = run(["run", APP, "--input", "topic=x", "--cache", path])
        check("bad cache %s: exit 3 with a clear error" % path,
              p.returncode == 3 and words in p.stderr and "cache '" in p.stderr, (p.returncode, p.stderr))

    server.stdin.close()
    server.wait(timeout=30)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
