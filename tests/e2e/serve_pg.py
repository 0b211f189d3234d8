#!/usr/bin/env python3
"""Two `llmflow serve` processes sharing one PostgreSQL database (a throwaway server, tests/lib/pg.py)
over the loopback model server, with a short lease (4 s): jobs submitted to either process, GET and
idempotency keys answered across processes (events and DELETE of a job another process holds: 409
naming it), then one process killed with SIGKILL while it runs jobs.
Checked: the other takes over the dead one's jobs once their leases run out and finishes every job;
every job ended exactly once (one end in the database) and succeeded with the result an uninterrupted
batch gives; no stage whose result the dead process had journaled was requested from the model
server again (the server's request log against the database's stages at the kill), and neither
process requested a stage twice; the queue's metrics (claims, takeovers of the dead one's jobs);
SIGTERM then gives back nothing and exits 0. Then the OpenAI facade on a shared queue (the process the
request came to runs the job), a service that goes on after the database restarts (its failed calls
counted), --max-claimed counting the facade's jobs (503 at the limit), DELETE of a queued job, and
two processes serving different apps on one database: each runs only its own apps' jobs (one left
waiting in the queue while the other process has room), GET works on both, and DELETEs racing the
claims of waiting jobs: each job either cancelled before any stage ran or run to its end.
Skips (exit 77) where the PostgreSQL server binaries are missing.

Usage: serve_pg.py LLMFLOW"""
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import pg  # noqa: E402
from harness import ENV, check, finish, last_user, requests_of, start_fake_openai, stop, wait_for  # noqa: E402
from served import Server  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = sys.argv[1]
APP = os.path.join(ROOT, "tests/e2e/apps/resume.llmflow")
JOBS = 8
LEASE = 4


def inputs_of(i):
    return {"topic": "t%d" % i, "parts": ["p%d%s" % (i, x) for x in "abc"[: 1 + i % 3]]}


QUEUE_METRICS = ("llmflow_queue_claims_total", "llmflow_queue_takeovers_total", "llmflow_queue_leases_lost_total",
                 "llmflow_queue_errors_total", "llmflow_queue_claimed")


def metrics(s):
    """The samples of a process's /metrics, by name (labels included)."""
    st, text, _ = s.request("GET", "/metrics")
    check("GET /metrics", st == 200, (st, text), quiet=True)
    return {l.rsplit(" ", 1)[0]: float(l.rsplit(" ", 1)[1]) for l in text.splitlines() if l and l[0] != "#"}


def reference(url, tmp):
    """An uninterrupted batch: results by topic, and which stage (topic, instance) sent which prompt."""
    inputs, events, out = (os.path.join(tmp, n) for n in ("in.jsonl", "ref.events.jsonl", "ref.out.jsonl"))
    with open(inputs, "w") as f:
        for i in range(1, JOBS + 1):
            f.write(json.dumps(inputs_of(i)) + "\n")
    p = subprocess.run([BIN, "batch", APP, "--backend", url, "--inputs", inputs, "--scheduler", "fcfs",
                        "--log-content", "--events", events, "--output", out], env=ENV, capture_output=True,
                       text=True, timeout=120)
    check("the uninterrupted batch", p.returncode == 0, p)
    results = {"t%d" % r["id"]: r["result"] for r in map(json.loads, open(out))}
    prompts = {}
    for e in map(json.loads, open(events)):
        if e["type"] == "task_finished" and e.get("executor") == "llm":
            messages = e["content"]["request"]["messages"]
            text = next(m["content"] for m in reversed(messages) if m["role"] == "user")
            prompts[text] = ("t%d" % e["job"], e.get("instance", e["node"]))
    return results, prompts


def main():
    with pg.cluster() as c, tempfile.TemporaryDirectory() as tmp:
        server, url = start_fake_openai("--ttft", "0.15")
        try:
            run_test(c, url, tmp)
            facade(c)
            limit(c)
            apps(c)
            cancel_race(c)
        finally:
            stop(server)
    return finish()


def run_test(c, url, tmp):
    results, prompts = reference(url, tmp)
    seen = len(requests_of(url))
    uri = c.uri("queue")
    args = [APP, "--backend", url, "--journal", uri, "--lease", str(LEASE), "--max-claimed", "2",
            "--scheduler", "fcfs"]
    a, b = Server(BIN, args), Server(BIN, args)
    check("serve says it shares the queue", "shared as" in a.stderr() and pg.PASSWORD not in a.stderr(), a.stderr())
    try:
        ids = {}
        for i in range(1, JOBS + 1):
            s = a if i % 2 else b
            st, body, _ = s.request("POST", "/v1/jobs", {"app": "resume", "inputs": inputs_of(i),
                                                         "idempotency_key": "k%d" % i})
            check("POST job %d" % i, st == 201, (st, body), quiet=True)
            ids["t%d" % i] = body["id"]
        check("jobs are numbered by the database", sorted(ids.values()) == list(range(1, JOBS + 1)), ids)
        st, body, _ = b.request("POST", "/v1/jobs", {"app": "resume", "inputs": inputs_of(1), "idempotency_key": "k1"})
        check("an idempotency key admits once across processes", st == 200 and body["id"] == ids["t1"], (st, body))

        def owned_by(proc):
            rows = c.sql("queue", "SELECT job FROM llmflow_jobs WHERE NOT ended AND owner LIKE '%%:%d'" % proc.pid)
            return [int(x) for x in rows.split()]

        # Kill A once it holds a job that has journaled stages but not ended.
        def a_mid_job():
            held = owned_by(a.proc)
            if not held:
                return None
            done = c.sql("queue", "SELECT count(*) FROM llmflow_stages WHERE done AND job IN (%s)" %
                         ",".join(map(str, held)))
            return held if int(done) > 0 else None
        running = wait_for(a_mid_job, 60, 0.02)
        check("process A runs jobs with journaled stages", running, c.sql("queue", "SELECT * FROM llmflow_jobs"))
        other = next((n for n in ids.values() if n not in (running or [])), None)
        st, body, _ = a.request("GET", "/v1/jobs/%d" % other)
        check("GET answers on any process", st == 200 and body["id"] == other and
              body["status"] in ("queued", "running", "succeeded"), (st, body))
        m = metrics(a)
        check("A's queue metrics while it runs jobs (it holds 1 or 2 of --max-claimed 2, claimed them)",
              all(n in m for n in QUEUE_METRICS) and 1 <= m["llmflow_queue_claimed"] <= 2 and
              m["llmflow_queue_claims_total"] >= m["llmflow_queue_claimed"] and m["llmflow_queue_errors_total"] == 0,
              m)
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait(10)
        # What A left, read at once (B takes nothing over before the lease runs out): the stages done
        # first, then the requests so far, so that B's own work in between counts as done after the kill.
        done_at_kill = {tuple(r.split("|")) for r in c.sql(
            "queue", "SELECT j.inputs::json->>'topic', s.instance FROM llmflow_stages s JOIN llmflow_jobs j "
                     "USING (job) WHERE s.done").split()}
        killed_at = len(requests_of(url))
        held = owned_by(a.proc)
        check("A held unfinished jobs when it was killed", held)
        if held:  # still A's until the lease runs out: B reads them, but their events and DELETE are A's
            st, body, _ = b.request("GET", "/v1/jobs/%d" % held[0])
            check("GET on B of a job A holds: running (or queued, once the lease ran out)",
                  st == 200 and body["status"] in ("running", "queued") and body["calls"]["llm"] == 0, (st, body))
            for method, path in (("GET", "/v1/jobs/%d/events"), ("DELETE", "/v1/jobs/%d")):
                st, body, _ = b.request(method, path % held[0])
                check("%s %s on B of a job A holds: 409 naming A" % (method, path), st == 409 and
                      ":%d, which shares the queue" % a.proc.pid in body["error"]["message"], (st, body))

        def all_ended():
            out = {}
            for topic, n in ids.items():
                st, body, _ = b.request("GET", "/v1/jobs/%d" % n)
                if st != 200 or body["status"] not in ("succeeded", "failed", "cancelled"):
                    return None
                out[topic] = body
            return out
        ended = wait_for(all_ended, 90, 0.1)
        check("B finishes every job, A's included, after their leases run out", ended,
              c.sql("queue", "SELECT job, owner, lease_until, ended FROM llmflow_jobs"))
        ended = ended or {}
        got = {t: j.get("result") for t, j in ended.items()}
        check("every job succeeded with the uninterrupted run's result",
              all(j["status"] == "succeeded" for j in ended.values()) and got == results, (got, results))
        check("each job ended exactly once (one end in the database)",
              c.sql("queue", "SELECT count(*), count(DISTINCT job) FROM llmflow_job_ends").strip() ==
              "%d|%d" % (JOBS, JOBS))
        taken = c.sql("queue", "SELECT job FROM llmflow_jobs WHERE claims >= 2").split()
        check("A's unfinished jobs were taken over", held and set(held) <= set(map(int, taken)),
              (taken, held))
        m = wait_for(lambda: (lambda m: m if m["llmflow_queue_claimed"] == 0 else None)(metrics(b)), 10, 0.05) or {}
        check("B's queue metrics: it claimed the jobs it ran, took over each of A's unfinished ones, lost no "
              "lease, no database call failed, holds none now",
              m.get("llmflow_queue_claims_total") == m.get('llmflow_jobs{state="succeeded"}') and
              held and m.get("llmflow_queue_takeovers_total") == len(held) and
              m.get("llmflow_queue_leases_lost_total") == 0 and m.get("llmflow_queue_errors_total") == 0, (m, held))
        after = requests_of(url)[killed_at:]
        stages = [prompts.get(last_user(r), ("unknown prompt", last_user(r))) for r in after]
        again = [s for s in stages if s in done_at_kill or s[0] == "unknown prompt"]
        check("no stage journaled at the kill was requested again (%d requests after it)" % len(after), not again,
              again)
        # Before the kill and after it, each stage once at most: a stage A had started (its start not
        # necessarily committed: --journal-window) and not finished runs again on B, nothing else.
        before, after_kill = {}, {}
        for i, r in enumerate(requests_of(url)[seen:]):
            s = prompts.get(last_user(r), ("unknown prompt", last_user(r)))
            counts = before if seen + i < killed_at else after_kill
            counts[s] = counts.get(s, 0) + 1
        twice = {s: n for s, n in list(before.items()) + list(after_kill.items()) if n > 1}
        check("no stage was requested twice before the kill, nor twice after it", not twice,
              (twice, a.stderr(), b.stderr(), c.sql("queue", "SELECT job, owner, claims FROM llmflow_jobs")))
        requested = set(before) | set(after_kill)
        check("every stage was requested", requested == set(prompts.values()), set(prompts.values()) - requested)
        b.proc.send_signal(signal.SIGTERM)
        try:
            code, sessions = b.proc.wait(30), ""
        except subprocess.TimeoutExpired:  # what it waits for, if it is the database
            code, sessions = None, c.sql("queue", "SELECT pid, state, wait_event_type, wait_event, left(query, 120) "
                                                  "FROM pg_stat_activity WHERE datname = 'queue'")
        check("SIGTERM stops B with status 0, nothing left to give back",
              code == 0 and "0 unfinished job(s) given back" in b.stderr(), (code, b.stderr(), sessions))
    finally:
        for s in (a, b):
            if s.proc.poll() is None:
                s.proc.kill()


def facade(c):
    """The OpenAI facade on a shared queue (the process the request came to runs the job); the database
    restarting under the service."""
    s = Server(BIN, [os.path.join(ROOT, "examples/react"), "--time-scale", "1000", "--journal", c.uri("facade")])
    try:
        st, body, _ = s.request("POST", "/v1/chat/completions",
                                {"model": "react", "messages": [{"role": "user", "content": "Why?"}]})
        check("the chat facade answers on a shared queue", st == 200 and body["choices"][0]["message"]["content"],
              (st, body))
        check("its job is in the database, ended", c.sql("facade", "SELECT job, ended FROM llmflow_jobs").split() ==
              ["1|t"])
        # The database restarts: the service connects again and goes on. The first request after it
        # may meet the lost connection (503); a client retries with its idempotency key.
        c.stop()
        c.start_server()

        def post():
            st, body, _ = s.request("POST", "/v1/jobs", {"app": "react", "inputs": {"question": "After?"},
                                                         "idempotency_key": "after"})
            return body if st in (200, 201) else None
        body = wait_for(post, 30, 0.2) or {}
        check("after the database restarted, a job is admitted", body.get("id"), s.stderr())
        job = wait_for(lambda: (lambda r: r[1] if r[1].get("status") == "succeeded" else None)(
            s.request("GET", "/v1/jobs/%d" % body.get("id", 0))), 30, 0.05)
        check("and runs", job, s.stderr())
        m = metrics(s)
        check("metrics: the queue's calls that failed while the database was down are counted",
              m["llmflow_queue_errors_total"] >= 1 and m["llmflow_queue_claims_total"] == 2, (m, s.stderr()))
        check("and stops with status 0", s.stop() == 0, s.stderr())
    finally:
        if s.proc.poll() is None:
            s.proc.kill()


def limit(c):
    """--max-claimed counts the chat facade's jobs (run where the request came): at the limit a chat request
    is answered 503 (Retry-After), and a job the facade runs keeps the queue's jobs from being claimed;
    meanwhile DELETE of a queued job nobody holds cancels it in the database."""
    s = Server(BIN, [os.path.join(ROOT, "examples/react"), "--time-scale", "1", "--journal", c.uri("capped"),
                     "--max-claimed", "1"])
    # Each job takes about 1.4 s (simulated at time-scale 1): the checks made while one runs take far less.
    chat = {"model": "react", "messages": [{"role": "user", "content": "Why?"}]}
    try:
        st, body, _ = s.request("POST", "/v1/jobs", {"app": "react", "inputs": {"question": "Why?"}})
        check("a job is admitted", st == 201, (st, body))
        held = wait_for(lambda: metrics(s)["llmflow_queue_claimed"] == 1, 10, 0.01)
        check("and claimed", held, s.stderr())
        st, body, r = s.request("POST", "/v1/chat/completions", chat)
        check("a chat request at --max-claimed: 503 with a JSON error, Retry-After", st == 503 and
              "--max-claimed" in body["error"]["message"] and r.getheader("Retry-After") == "1", (st, body))
        check("nothing was admitted for it", c.sql("capped", "SELECT count(*) FROM llmflow_jobs").strip() == "1")
        first = wait_for(lambda: s.request("GET", "/v1/jobs/1")[1]["status"] == "succeeded" and
                         metrics(s)["llmflow_queue_claimed"] == 0, 60, 0.05)
        check("the job runs to its end, its claim freed", first, s.stderr())
        # A streamed chat request holds the process's one claim while it runs: a job posted meanwhile waits.
        conn = http.client.HTTPConnection(s.host, s.port, timeout=60)
        conn.request("POST", "/v1/chat/completions", json.dumps(dict(chat, stream=True)),
                     {"Content-Type": "application/json"})
        stream = conn.getresponse()
        check("a chat request under the limit is run here", stream.status == 200, stream.status)
        st, body, _ = s.request("POST", "/v1/jobs", {"app": "react", "inputs": {"question": "Why?"}})
        waiting = c.sql("capped", "SELECT owner IS NULL, ended FROM llmflow_jobs WHERE job = %d" % body["id"]).strip()
        m = metrics(s)
        check("a job posted while it runs is not claimed (claimed 1 of 1)",
              st == 201 and waiting == "t|f" and m["llmflow_queue_claimed"] == 1, (st, body, waiting, m))
        # DELETE of a job nobody holds: cancelled in the database.
        gone = s.request("POST", "/v1/jobs", {"app": "react", "inputs": {"question": "Why?"}})[1]["id"]
        st, dbody, _ = s.request("DELETE", "/v1/jobs/%d" % gone)
        check("DELETE of a queued job nobody holds: cancelled", st == 200 and dbody["status"] == "cancelled" and
              dbody["error"].startswith("cancelled by the client"), (st, dbody))
        st, gbody, _ = s.request("GET", "/v1/jobs/%d" % gone)
        check("GET says cancelled", st == 200 and gbody["status"] == "cancelled", (st, gbody))
        check("its end is in the database", c.sql("capped", "SELECT j.ended, e.ok FROM llmflow_jobs j JOIN "
                                                           "llmflow_job_ends e USING (job) WHERE job = %d" % gone
                                                  ).strip() == "t|f")
        st, again, _ = s.request("DELETE", "/v1/jobs/%d" % gone)
        check("a second DELETE: 409, it has ended", st == 409 and "already ended (cancelled)" in
              again["error"]["message"], (st, again))
        text = stream.read().decode()
        conn.close()
        check("the streamed chat answer ends", "data: [DONE]" in text and '"finish_reason":"stop"' in text, text)
        third = wait_for(lambda: s.request("GET", "/v1/jobs/%d" % body["id"])[1]["status"] == "succeeded", 60, 0.05)
        check("then the posted job is claimed and runs, the cancelled one never",
              third and s.request("GET", "/v1/jobs/%d" % gone)[1]["status"] == "cancelled" and
              c.sql("capped", "SELECT claims FROM llmflow_jobs WHERE job = %d" % gone).strip() == "0", s.stderr())
        m = wait_for(lambda: (lambda m: m if m["llmflow_queue_claimed"] == 0 else None)(metrics(s)), 10, 0.05) or {}
        check("metrics: 3 claims (the chat job's included), none taken over",
              m.get("llmflow_queue_claims_total") == 3 and m.get("llmflow_queue_takeovers_total") == 0, m)
        check("stops with status 0", s.stop() == 0, s.stderr())
    finally:
        if s.proc.poll() is None:
            s.proc.kill()


def react_and_rag(uri):
    """A serves react and runs one job at a time, slowly; B serves rag and has room."""
    return (Server(BIN, [os.path.join(ROOT, "examples/react"), "--time-scale", "20", "--journal", uri,
                         "--max-claimed", "1"]),
            Server(BIN, [os.path.join(ROOT, "examples/rag"), "--time-scale", "1000", "--journal", uri]))


def apps(c):
    """Processes serving different apps on one database: A serves react and runs one job at a time,
    slowly; B serves rag and has room. B never claims the react jobs waiting for A."""
    a, b = react_and_rag(c.uri("apps"))
    try:
        react = [a.request("POST", "/v1/jobs", {"app": "react", "inputs": {"question": "r%d" % i}})[1]["id"]
                 for i in range(3)]
        rag = [b.request("POST", "/v1/jobs", {"app": "rag", "inputs": {"question": "g%d" % i}})[1]["id"]
               for i in range(2)]
        waiting = wait_for(lambda: c.sql("apps", "SELECT count(*) FROM llmflow_jobs WHERE app = 'react' AND "
                                                 "owner IS NULL AND NOT ended").strip() not in ("", "0"), 10, 0.02)
        check("react jobs wait in the queue for A", waiting, c.sql("apps", "SELECT * FROM llmflow_jobs"))

        def ended(s, ids):
            got = [s.request("GET", "/v1/jobs/%d" % i)[1] for i in ids]
            return got if all(j.get("status") == "succeeded" for j in got) else None
        on_b = wait_for(lambda: ended(b, react), 60, 0.1)
        on_a = wait_for(lambda: ended(a, rag), 30, 0.1)
        check("every job succeeds; GET of the other process's jobs works on both",
              on_a and on_b and [j["app"] for j in on_b] == ["react"] * 3 and [j["app"] for j in on_a] == ["rag"] * 2,
              (on_a, on_b, a.stderr(), b.stderr()))

        def succeeded(s):
            text = s.request("GET", "/metrics")[1]
            return [l for l in text.splitlines() if l.startswith('llmflow_jobs{state="succeeded"}')]
        check("A ran the react jobs and B the rag jobs, none of the other's",
              succeeded(a) == ['llmflow_jobs{state="succeeded"} 3'] and
              succeeded(b) == ['llmflow_jobs{state="succeeded"} 2'], (succeeded(a), succeeded(b)))
        check("both stop with status 0", a.stop() == 0 and b.stop() == 0, a.stderr() + b.stderr())
    finally:
        for s in (a, b):
            if s.proc.poll() is None:
                s.proc.kill()


def cancel_race(c):
    """DELETEs on B racing A's claims of the jobs they name: each job either cancelled (200) before any
    process claimed it, or claimed and run to its end (409): never both, one end each."""
    a, b = react_and_rag(c.uri("race"))
    try:
        ids = [a.request("POST", "/v1/jobs", {"app": "react", "inputs": {"question": "x%d" % i}})[1]["id"]
               for i in range(24)]
        answers = {}

        def delete(n):
            st, body, _ = b.request("DELETE", "/v1/jobs/%d" % n)
            answers[n] = (st, body)
        threads = [threading.Thread(target=delete, args=(n,)) for n in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        final = wait_for(lambda: (lambda got: got if all(j.get("status") in ("succeeded", "cancelled")
                                                             for j in got.values()) else None)(
            {n: b.request("GET", "/v1/jobs/%d" % n)[1] for n in ids}), 60, 0.1) or {}
        rows = {int(r.split("|")[0]): r.split("|")[1:] for r in c.sql(
            "race", "SELECT j.job, j.claims, (SELECT count(*) FROM llmflow_stages s WHERE s.job = j.job), "
                    "(SELECT count(*) FROM llmflow_job_ends e WHERE e.job = j.job) FROM llmflow_jobs j").split()}
        cancelled = [n for n in ids if answers.get(n, (0,))[0] == 200]
        wrong = [(n, answers.get(n), final.get(n, {}).get("status"), rows.get(n)) for n in ids
                 if not (n in cancelled and final.get(n, {}).get("status") == "cancelled" and rows[n] == ["0", "0", "1"]
                         or answers.get(n, (0,))[0] == 409 and final.get(n, {}).get("status") == "succeeded" and
                         rows[n][0] == "1" and rows[n][2] == "1")]
        check("%d DELETEs racing claims: %d cancelled unclaimed, %d run to their end (409), none both" %
              (len(ids), len(cancelled), len(ids) - len(cancelled)), final and not wrong, (wrong, a.stderr()))
        check("both stop with status 0", a.stop() == 0 and b.stop() == 0, a.stderr() + b.stderr())
    finally:
        for s in (a, b):
            if s.proc.poll() is None:
                s.proc.kill()


if __name__ == "__main__":
    sys.exit(main())
