#!/usr/bin/env python3
"""The PostgreSQL journal (`--journal postgresql://...`), end to end against a throwaway server
(tests/lib/pg.py) and the loopback model server: a batch journals every admission, stage and end
(read back with psql); a resume after a job's end and one stage result are deleted from the database
replays every other journaled stage (the model server sees exactly the one missing request) and gives
the same results; then the errors: a run already there without --resume, nothing to resume, another
schema version, a dead server, a wrong password, a missing database, --journal-sync (SQLite's), each a
clear message naming the server (never its password) and exit status 3 (2 for usage).
Skips (exit 77) where the PostgreSQL server binaries are missing.

Usage: pg_journal.py LLMFLOW"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import pg  # noqa: E402
from harness import ENV, check, finish, requests_of, start_fake_openai, stop  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = sys.argv[1]
APP = os.path.join(ROOT, "tests/e2e/apps/resume.llmflow")


def main():
    with pg.cluster() as c, tempfile.TemporaryDirectory() as tmp:
        server, url = start_fake_openai()
        try:
            run_tests(c, url, tmp)
        finally:
            stop(server)
    return finish()


def run_tests(c, url, tmp):
    inputs = os.path.join(tmp, "inputs.jsonl")
    with open(inputs, "w") as f:
        for i in range(1, 4):
            f.write(json.dumps({"topic": "t%d" % i, "parts": ["p%d%s" % (i, x) for x in "ab"[: 1 + i % 2]]}) + "\n")
    uri = c.uri("batch")

    def batch(journal, out, *extra):
        return subprocess.run([BIN, "batch", APP, "--backend", url, "--inputs", inputs, "--scheduler", "fcfs",
                               "--journal", journal, "--output", out] + list(extra),
                              env=ENV, capture_output=True, text=True, timeout=120)

    first = os.path.join(tmp, "first.jsonl")
    p = batch(uri, first)
    check("a batch journals into PostgreSQL", p.returncode == 0, p)
    results = {r["id"]: r["result"] for r in map(json.loads, open(first))}
    check("it has three results", len(results) == 3, results)
    check("the schema is version 1", c.sql("batch", "SELECT version FROM llmflow_schema").strip() == "1")
    jobs = c.sql("batch", "SELECT job, app, ended FROM llmflow_jobs ORDER BY job").split()
    check("every admission is journaled and ended", jobs == ["1|resume|t", "2|resume|t", "3|resume|t"], jobs)
    ends = c.sql("batch", "SELECT job, ok, result FROM llmflow_job_ends ORDER BY job").splitlines()
    ends = [l.split("|", 2) for l in ends]
    check("every end is journaled with its result",
          [(int(j), ok, json.loads(r)) for j, ok, r in ends] == [(j, "t", results[j]) for j in (1, 2, 3)], ends)
    stages = c.sql("batch", "SELECT count(*), count(*) FILTER (WHERE done AND starts = 1) FROM llmflow_stages")
    n, done = map(int, stages.strip().split("|"))
    check("every stage result is journaled once", n > 10 and n == done, stages)

    # Undo job 2's end and its final stage: a resume runs job 2 again, replaying every other stage.
    sent = len(requests_of(url))
    c.sql("batch", "DELETE FROM llmflow_job_ends WHERE job = 2; UPDATE llmflow_jobs SET ended = false WHERE job = 2;"
                   "DELETE FROM llmflow_stages WHERE job = 2 AND instance = 'resume/final'")
    again = os.path.join(tmp, "again.jsonl")
    p = batch(uri, again, "--resume")
    check("the resume succeeds", p.returncode == 0 and "2 jobs had ended in an earlier run" in p.stderr, p)
    new = requests_of(url)[sent:]
    prompts = [m["content"] for r in new for m in r["body"]["messages"] if m.get("role") == "user"]
    check("the resume requests only job 2's unjournaled stage", len(new) == 1 and prompts[0].startswith("t2 final"),
          prompts)
    resumed = {r["id"]: r["result"] for r in map(json.loads, open(again))}
    check("results equal the first run's", resumed == results, (resumed, results))
    check("job 2 ended once", c.sql("batch", "SELECT count(*) FROM llmflow_job_ends WHERE job = 2").strip() == "1")

    def expect(name, p, code, words):
        ok = p.returncode == code and all(w in p.stderr for w in words) and pg.PASSWORD not in p.stderr
        check(name, ok and "Traceback" not in p.stderr, p)

    out = os.path.join(tmp, "x.jsonl")
    expect("a database that holds a run needs --resume", batch(uri, out), 3, ["already holds a run", "--resume"])
    expect("resuming an empty database", batch(c.uri("empty"), out, "--resume"), 3,
           ["/empty", "nothing to resume"])
    c.sql("batch", "UPDATE llmflow_schema SET version = 99")
    expect("another schema version", batch(uri, out, "--resume"), 3,
           ["127.0.0.1:%d/batch" % c.port, "schema version 99, but this llmflow reads version 1"])
    dead = "postgresql://llmflow:%s@127.0.0.1:%d/batch" % (pg.PASSWORD, pg.free_port())
    expect("a dead server", batch(dead, out), 3, ["cannot connect", "Connection refused"])
    expect("a wrong password", batch(uri.replace(pg.PASSWORD, "wrong"), out), 3,
           ["password authentication failed", "check the user and password"])
    expect("a missing database", batch(uri.replace("/batch", "/nosuch"), out), 3,
           ['database "nosuch" does not exist'])
    expect("--journal-sync is SQLite's", batch(c.uri("sync"), out, "--journal-sync", "full"), 2,
           ["--journal-sync is for an SQLite journal"])


if __name__ == "__main__":
    sys.exit(main())
