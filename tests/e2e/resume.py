#!/usr/bin/env python3
"""The journal and --resume, end to end: a batch over real tool processes and the loopback model
server (tests/servers/fake_openai.py) is killed with SIGKILL at random (seeded) points, at least 20
times, and resumed each time. Checked after every segment and at the end: no stage whose result was
journaled is requested from the server again (the server's request log against the journal, read
with Python's own sqlite3), the journal never loses a result it had, every job finishes exactly once
(one job_finished event over all segments, one line in the final --output), and the results equal
an uninterrupted run's. Then the bad journals: locked, not a database, another program's database,
another schema version, an existing run without --resume, a resume over other inputs, and a
missing file are each a clear error with the documented exit status, never a crash. Last, a job whose
end was journaled but never logged (the kill fell between the two) gets its end logged by the resume.

Usage: resume.py LLMFLOW [SEED]"""
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from harness import ENV, check, failures, last_user, requests_of, start_fake_openai  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = sys.argv[1]
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 13
APP = os.path.join(ROOT, "tests/e2e/apps/resume.llmflow")
KILLS = 20


def requests_total(url):
    with urllib.request.urlopen(url + "/metrics", timeout=30) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("fake_openai:requests_total "):
                return int(line.split()[1])
    raise AssertionError("no requests_total in /metrics")


def segment(args, url, rng):
    """Runs one segment; kills it with SIGKILL after a random number (1-6) of new model requests plus a
    random delay (0-50 ms, so the kill lands in LLM stages, tool stages and commits alike). Returns
    (exit status or None when killed, stderr); a machine under load slows the run but does not move the kill points."""
    start, target = requests_total(url), rng.randint(1, 6)
    extra = rng.uniform(0, 0.05)
    p = subprocess.Popen(args, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while p.poll() is None and requests_total(url) < start + target and time.monotonic() < deadline:
        time.sleep(0.005)
    if p.poll() is None:
        time.sleep(extra)
    killed = p.poll() is None
    if killed:
        p.kill()
    _, stderr = p.communicate()
    return (None if killed else p.returncode), stderr


def batch_args(url, inputs, db, events, out, resume):
    args = [BIN, "batch", APP, "--backend", url, "--inputs", inputs, "--llm-slots", "2", "--regular-slots", "2",
            "--scheduler", "fcfs", "--journal", db, "--events", events, "--output", out]
    return args + (["--resume"] if resume else [])


def done_stages(db):
    c = sqlite3.connect(db)
    try:
        return {(j, i, s) for j, i, s in c.execute("SELECT job, instance, seq FROM stages WHERE done = 1")}
    except sqlite3.OperationalError:
        return set()   # killed before the schema was committed
    finally:
        c.close()


def kill_and_resume(url, inputs, tmp, prompts, reference, rng):
    """Runs batches, each with a fresh journal, killing and resuming until KILLS kills are done."""
    kills, rounds, replayed, segments = 0, 0, 0, 0
    give_up = time.monotonic() + 240
    seen = len(requests_of(url))
    while kills < KILLS:
        rounds += 1
        db, events, out = (os.path.join(tmp, "r%d.%s" % (rounds, ext)) for ext in ("db", "events.jsonl", "out.jsonl"))
        before = set()   # stages journaled as done when the segment started
        while True:
            if time.monotonic() > give_up:
                check("the kill-and-resume rounds end in time", False, "%d kills" % kills)
                return
            status, stderr = segment(batch_args(url, inputs, db, events, out, os.path.exists(db)), url, rng)
            finished = status is not None
            kills += not finished
            new = requests_of(url)[seen:]
            seen += len(new)
            again = [prompts.get(last_user(r), ("unknown prompt", last_user(r), 0)) for r in new]
            again = [k for k in again if k in before or k[0] == "unknown prompt"]
            check("round %d segment: no journaled stage requested again" % rounds, not again, again, quiet=True)
            segments += 1
            if os.path.exists(db):
                after = done_stages(db)
                check("round %d segment: the journal keeps every result it had" % rounds, before <= after,
                      sorted(before - after), quiet=True)
                before = after
            if finished:
                check("round %d: the resumed batch ends with status 0" % rounds, status == 0, stderr)
                if "stages replayed" in stderr:
                    replayed += 1
                break
        ends = {}
        for e in map(json.loads, open(events)):
            if e["type"] in ("job_finished", "job_failed"):
                ends[e["job"]] = ends.get(e["job"], 0) + 1
        check("round %d: every job ended exactly once over all segments" % rounds,
              sorted(ends) == sorted(reference) and set(ends.values()) == {1}, ends)
        lines = [json.loads(l) for l in open(out)]
        results = {r["id"]: r.get("result") for r in lines}
        check("round %d: --output has every job once" % rounds, len(lines) == len(reference), len(lines))
        check("round %d: results equal the uninterrupted run's" % rounds, results == reference,
              (results, reference))
    check("%d SIGKILLs over %d rounds (at least %d); in each of the %d segments no journaled stage was "
          "requested again and the journal lost nothing" % (kills, rounds, KILLS, segments), kills >= KILLS)
    check("some resumed runs replayed journaled stages", replayed > 0 or kills == 0, replayed)


def bad_journals(tmp):
    app = os.path.join(ROOT, "examples/rag")
    base = [BIN, "batch", app, "--time-scale", "1000", "--jobs", "2"]

    def run(*extra):
        return subprocess.run(base + list(extra), env=ENV, capture_output=True, text=True, timeout=120)

    def expect(name, p, code, words):
        ok = p.returncode == code and all(w in p.stderr for w in words) and "Traceback" not in p.stderr
        check(name, ok and p.returncode < 128, "status %d: %s" % (p.returncode, p.stderr))

    good = os.path.join(tmp, "good.db")
    expect("a fresh journal", run("--journal", good), 0, [])
    expect("a journal that holds a run needs --resume", run("--journal", good), 3, ["already holds a run", "--resume"])
    expect("resuming a finished run runs nothing again", run("--journal", good, "--resume"), 0,
           ["2 jobs had ended in an earlier run"])
    expect("resuming over other inputs", run("--journal", good, "--resume", "--jobs", "1"), 2, ["holds job 2"])
    expect("--resume needs --journal", run("--resume"), 2, ["needs --journal"])
    expect("resuming a missing journal", run("--journal", os.path.join(tmp, "none.db"), "--resume"), 3,
           ["none.db", "nothing to resume"])
    garbage = os.path.join(tmp, "garbage.db")
    with open(garbage, "wb") as f:
        f.write(b"this is not a database at all, " * 200)
    expect("not a database", run("--journal", garbage), 3, ["garbage.db", "not an SQLite database"])
    other = os.path.join(tmp, "other.db")
    c = sqlite3.connect(other)
    c.execute("CREATE TABLE customers (id INTEGER)")
    c.commit()
    c.close()
    expect("another program's database", run("--journal", other), 3, ["other.db", "not an llmflow journal"])
    future = os.path.join(tmp, "future.db")
    c = sqlite3.connect(future)
    c.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    c.execute("INSERT INTO schema_version VALUES (99)")
    c.commit()
    c.close()
    expect("another schema version", run("--journal", future, "--resume"), 3, ["schema version 99"])
    locked = os.path.join(tmp, "locked.db")
    holder = sqlite3.connect(locked, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("BEGIN IMMEDIATE")
    expect("a journal locked by another process", run("--journal", locked), 3, ["locked.db", "another process"])
    holder.close()
    if os.geteuid() == 0:
        print("skip read-only journal: running as root, for whom no file is read-only")
    else:
        ro = os.path.join(tmp, "ro.db")
        run("--journal", ro)
        os.chmod(ro, 0o444)
        expect("a read-only journal", run("--journal", ro, "--resume"), 3, ["ro.db", "read-only"])


def lost_ends(tmp):
    """A run killed after a job's end was committed and before it was logged: simulated by cutting the ends
    of jobs 2 and 3 out of a finished run's log. The resume logs exactly those ends (marked restored), so
    the log has every job's end once."""
    app = os.path.join(ROOT, "examples/rag")
    db, events = os.path.join(tmp, "lost.db"), os.path.join(tmp, "lost.events.jsonl")
    base = [BIN, "batch", app, "--time-scale", "1000", "--jobs", "4", "--journal", db, "--events", events]
    p = subprocess.run(base, env=ENV, capture_output=True, text=True, timeout=120)
    check("lost ends: the first run", p.returncode == 0, p.stderr)
    lines = open(events).read().splitlines()
    ends = lambda ls: sorted(e["job"] for e in map(json.loads, ls) if e["type"] in ("job_finished", "job_failed"))
    check("lost ends: the first run logs every end", ends(lines) == [1, 2, 3, 4], ends(lines))
    kept = [l for l in lines if not (json.loads(l)["type"] in ("job_finished", "job_failed")
                                    and json.loads(l)["job"] in (2, 3))]
    with open(events, "w") as f:
        f.write("\n".join(kept) + "\n" + '{"t": 1.5, "type": "job_fin')   # and a line cut short
    p = subprocess.run(base + ["--resume"], env=ENV, capture_output=True, text=True, timeout=120)
    check("lost ends: the resume", p.returncode == 0 and "4 jobs had ended" in p.stderr, p.stderr)
    after = open(events).read().splitlines()
    restored = [json.loads(l) for l in after[len(kept) + 1:]]
    restored = [e for e in restored if e["type"] in ("job_finished", "job_failed")]
    check("lost ends: the resume logs exactly the two lost ends, marked restored",
          sorted(e["job"] for e in restored) == [2, 3] and all(e.get("restored") is True for e in restored)
          and all("result" in e or "error" in e for e in restored), restored)
    p = subprocess.run(base + ["--resume"], env=ENV, capture_output=True, text=True, timeout=120)
    check("lost ends: a second resume logs no end again", p.returncode == 0 and
          len(open(events).read().splitlines()) == len(after) + 1, p.stderr)


def main():
    rng = random.Random(SEED)
    server, url = start_fake_openai("--ttft", "0.02")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            inputs = os.path.join(tmp, "inputs.jsonl")
            with open(inputs, "w") as f:
                for i in range(1, 7):
                    f.write(json.dumps({"topic": "t%d" % i, "parts": ["p%d%s" % (i, c) for c in "abc"[: 1 + i % 3]]})
                            + "\n")
            # The uninterrupted run: its results, and which stage sent which prompt.
            ref_events, ref_out = os.path.join(tmp, "ref.events.jsonl"), os.path.join(tmp, "ref.out.jsonl")
            t0 = time.monotonic()
            p = subprocess.run([BIN, "batch", APP, "--backend", url, "--inputs", inputs, "--llm-slots", "2",
                                "--regular-slots", "2", "--scheduler", "fcfs", "--log-content", "--events",
                                ref_events, "--output", ref_out], env=ENV, capture_output=True, text=True,
                               timeout=120)
            check("the uninterrupted run", p.returncode == 0, p.stderr)
            print("uninterrupted run: %.2f s" % (time.monotonic() - t0))
            reference = {r["id"]: r["result"] for r in map(json.loads, open(ref_out))}
            prompts = {}
            for e in map(json.loads, open(ref_events)):
                if e["type"] == "task_finished" and e.get("executor") == "llm":
                    messages = e["content"]["request"]["messages"]
                    text = next(m["content"] for m in reversed(messages) if m["role"] == "user")
                    key = (e["job"], e.get("instance", e["node"]), 1)
                    check("prompts name their stage", prompts.get(text, key) == key, text, quiet=True)
                    prompts[text] = key
            kill_and_resume(url, inputs, tmp, prompts, reference, rng)
            bad_journals(tmp)
            lost_ends(tmp)
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
