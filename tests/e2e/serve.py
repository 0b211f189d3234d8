#!/usr/bin/env python3
"""`llmflow serve`, end to end over real sockets: the real binary, the simulated backend or the
loopback model server (tests/servers/fake_openai.py), real tool processes.

Groups (each its own ctest test):
  api     submit, poll, idempotency, events, the OpenAI facade, /metrics, /healthz (simulated backend)
  bad     every kind of bad request is a 4xx with a JSON error body and the server stays up:
          wrong content type, broken JSON, 100 MB body, 10,000-deep nesting, unknown app, wrong input
          types, missing and wrong token, unknown route, wrong method, Expect: 100-continue,
          connections over the limit; a non-loopback host without a token file is refused
  cancel  DELETE stops a running job: its tool process is killed, the job is cancelled, 409 after
  resume  SIGTERM while jobs run: their running stages finish, the server exits 0, a restart on the
          same journal finishes every job, and every stage ran exactly once; SIGKILL right after
          the 201s loses no acknowledged job
  apps    one process serving several programs: jobs of each app (simulated backend), one scheduler,
          a restart resuming jobs of both apps, a journal of an app no longer served refused; the
          command line's refusals (the same app twice, --bn or --app with several); real tools of
          two programs, each in its own folder with its own definition (loopback model server)

Usage: serve.py LLMFLOW GROUP"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from harness import ENV, check, failures, start_fake_openai, wait_for  # noqa: E402
from served import Server  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = sys.argv[1]
GROUP = sys.argv[2] if len(sys.argv) > 2 else "api"
APP = os.path.join(ROOT, "tests/e2e/apps/serve.llmflow")
REACT = os.path.join(ROOT, "examples/react")
RAG = os.path.join(ROOT, "examples/rag")
WHERE = os.path.join(ROOT, "tests/e2e/apps/where")


def wait_job(s, jid, headers=None, seconds=30):
    def ended():
        st, j, _ = s.request("GET", "/v1/jobs/%d" % jid, headers=headers)
        return j if st == 200 and j["status"] in ("succeeded", "failed", "cancelled") else None
    return wait_for(ended, seconds, 0.02)


def is_error(status, body, want):
    return status == want and isinstance(body, dict) and isinstance(body.get("error"), dict) and body["error"].get(
        "message")


def sim_server(tmp, extra=()):
    return Server(BIN, [REACT, "--time-scale", "1000", "--journal", os.path.join(tmp, "j.db")] + list(extra))


def group_api(tmp):
    s = sim_server(tmp)
    try:
        st, body, _ = s.request("GET", "/healthz")
        check("healthz", st == 200 and body == {"status": "ok"}, (st, body))
        st, body, r = s.request("POST", "/v1/jobs", {"app": "react", "inputs": {"question": "why is the sky blue?"}})
        check("POST /v1/jobs admits", st == 201 and body["status"] in ("queued", "running") and
              r.getheader("Location") == "/v1/jobs/%d" % body["id"], (st, body))
        jid = body["id"]
        job = wait_job(s, jid)
        check("the job succeeds", job and job["status"] == "succeeded" and isinstance(job["result"], str) and
              job["tokens"]["out"] > 0 and job["timing"]["jct_seconds"] > 0, job)
        st, again, _ = s.request("POST", "/v1/jobs", {"app": "react", "inputs": {"question": "q2"},
                                                      "idempotency_key": "k-1"})
        st2, same, _ = s.request("POST", "/v1/jobs", {"app": "react", "inputs": {"question": "q2"},
                                                      "idempotency_key": "k-1"})
        check("an idempotency key admits once", st == 201 and st2 == 200 and same["id"] == again["id"],
              (st, again, st2, same))
        wait_job(s, again["id"])
        # Events of an ended job are replayed from memory, as the event log has them.
        st, text, r = s.request("GET", "/v1/jobs/%d/events" % jid)
        events = [json.loads(l[6:]) for l in text.split("\n") if l.startswith("data: ")]
        kinds = [e["type"] for e in events]
        check("events: SSE, the job's events from submission to its end",
              st == 200 and r.getheader("Content-Type") == "text/event-stream" and kinds[0] == "job_submitted" and
              kinds[-1] == "job_finished" and "task_finished" in kinds and all(e["job"] == jid for e in events),
              (st, kinds))
        # Events of a running job stream as they happen and end with the job.
        st, body, _ = s.request("POST", "/v1/jobs", {"app": "react", "inputs": {"question": "stream me"}})
        st, text, r = s.request("GET", "/v1/jobs/%d/events" % body["id"])
        kinds = [json.loads(l[6:])["type"] for l in text.split("\n") if l.startswith("data: ")]
        check("events of a running job end with the job", st == 200 and kinds and kinds[-1] == "job_finished", kinds)
        # Many jobs at once: every one ends.
        ids = [s.request("POST", "/v1/jobs", {"app": "react", "inputs": {"question": "q%d" % i}})[1]["id"]
               for i in range(20)]
        done = [wait_job(s, i) for i in ids]
        check("20 jobs all succeed", all(d and d["status"] == "succeeded" for d in done), done)
        facade(s)
        metrics(s, len(ids) + 4)
        check("stops on SIGTERM with status 0", s.stop() == 0, s.stderr())
    finally:
        s.stop(signal.SIGKILL)


def openai_request(s, body, stream=False):
    """The request the `openai` Python package sends for client.chat.completions.create(...)."""
    if stream:
        body = dict(body, stream=True)
    req = urllib.request.Request("http://%s:%d/v1/chat/completions" % (s.host, s.port), method="POST",
                                 data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "Accept": "application/json",
                                          "Authorization": "Bearer none", "User-Agent": "OpenAI/Python 1.54.0",
                                          "X-Stainless-Lang": "python", "X-Stainless-Package-Version": "1.54.0"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.getheader("Content-Type"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


def facade(s):
    st, body, _ = s.request("GET", "/v1/models")
    check("GET /v1/models lists the app", st == 200 and body["object"] == "list" and
          [m["id"] for m in body["data"]] == ["react"], body)
    msgs = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "first question"},
            {"role": "assistant", "content": "ok"}, {"role": "user", "content": "what is 2+2?"}]
    st, ctype, text = openai_request(s, {"messages": msgs, "model": "react"})
    body = json.loads(text)
    msg = body["choices"][0]["message"] if st == 200 else {}
    check("chat completion: the job's result as the assistant message",
          st == 200 and body["object"] == "chat.completion" and body["model"] == "react" and
          msg.get("role") == "assistant" and isinstance(msg.get("content"), str) and msg["content"] and
          body["choices"][0]["finish_reason"] == "stop" and body["usage"]["completion_tokens"] > 0, text)
    jid = int(body["id"].rsplit("-", 1)[1])
    st, job, _ = s.request("GET", "/v1/jobs/%d" % jid)
    check("the chat's job ran on the last user message", job["status"] == "succeeded" and
          job["result"] == msg["content"], job)
    st, ctype, text = openai_request(s, {"messages": msgs, "model": "react"}, stream=True)
    frames = [l[6:] for l in text.split("\n") if l.startswith("data: ")]
    chunks = [json.loads(f) for f in frames[:-1]]
    check("streamed chat: chunks, then [DONE]",
          st == 200 and ctype == "text/event-stream" and frames[-1] == "[DONE]" and
          all(c["object"] == "chat.completion.chunk" for c in chunks) and
          chunks[0]["choices"][0]["delta"]["role"] == "assistant" and
          chunks[-1]["choices"][0]["finish_reason"] == "stop", text)
    jid = int(chunks[0]["id"].rsplit("-", 1)[1])
    st, job, _ = s.request("GET", "/v1/jobs/%d" % jid)
    check("streamed chat: the chunks add up to the job's result",
          "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == job["result"], (job, text))
    st, _, text = openai_request(s, {"messages": msgs, "model": "gpt-4o"})
    check("chat with an unknown model: 404", st == 404 and "gpt-4o" in json.loads(text)["error"]["message"], text)
    st, _, text = openai_request(s, {"messages": [{"role": "system", "content": "x"}], "model": "react"})
    check("chat without a user message: 400", st == 400 and json.loads(text)["error"]["message"], text)
    p = subprocess.run([sys.executable, os.path.join(ROOT, "docs/serve_client.py"), "http://%s:%d" % (s.host, s.port),
                        "react", "hello"], capture_output=True, text=True, timeout=120)
    check("docs/serve_client.py answers", p.returncode == 0 and "answer:" in p.stdout and "streamed:" in p.stdout,
          p.stdout + p.stderr)


def metrics(s, at_least):
    st, text, r = s.request("GET", "/metrics")
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    check("metrics: Prometheus text", st == 200 and r.getheader("Content-Type").startswith("text/plain") and
          all(re.match(r'^[a-z_]+(\{[a-z]+="[^"]*"\})? [0-9.e+-]+$', l) for l in text.splitlines()
              if l and not l.startswith("#")), text)
    succeeded = values.get('llmflow_jobs{state="succeeded"}', 0)
    check("metrics: jobs by state, JCT histogram, tokens, decisions, routes",
          succeeded >= at_least and values['llmflow_job_completion_seconds_count'] == succeeded and
          values['llmflow_job_completion_seconds_bucket{le="+Inf"}'] == succeeded and
          values['llmflow_tokens_total{direction="out"}'] > 0 and values["llmflow_scheduler_decisions_total"] > 0 and
          values['llmflow_http_requests_total{route="/v1/jobs"}'] >= at_least and
          values['llmflow_http_errors_total{route="/v1/chat/completions"}'] >= 2 and
          values['llmflow_http_requests_in_flight{route="/metrics"}'] == 1 and
          values["llmflow_queue_length"] == 0, text)
    check("metrics: no shared queue's lines without one", not any(n.startswith("llmflow_queue_") and
                                                                  n != "llmflow_queue_length" for n in values), text)


def group_bad(tmp):
    token = "t0ken-" + "x" * 20
    tf = os.path.join(tmp, "token")
    with open(tf, "w") as f:
        f.write(token + "\n")
    auth = {"Authorization": "Bearer " + token}
    s = sim_server(tmp, ["--token-file", tf])
    try:
        st, body, _ = s.request("GET", "/healthz")
        check("healthz needs no token", st == 200, (st, body))
        good = {"app": "react", "inputs": {"question": "q"}}
        st, body, r = s.request("POST", "/v1/jobs", good)
        check("missing token: 401", is_error(st, body, 401) and r.getheader("WWW-Authenticate") == "Bearer",
              (st, body))
        st, body, _ = s.request("POST", "/v1/jobs", good, {"Authorization": "Bearer " + "y" * 26})
        check("wrong token: 401", is_error(st, body, 401) and "wrong" in body["error"]["message"], (st, body))
        st, body, _ = s.request("GET", "/v1/jobs/1", headers={"Authorization": "Basic abc"})
        check("not a bearer token: 401", is_error(st, body, 401), (st, body))
        st, body, _ = s.request("POST", "/v1/jobs", json.dumps(good), dict(auth, **{"Content-Type": "text/plain"}))
        check("wrong content type: 415", is_error(st, body, 415), (st, body))
        st, body, _ = s.request("POST", "/v1/jobs", '{"app": "react", "inputs": {', dict(
            auth, **{"Content-Type": "application/json"}))
        check("broken JSON: 400", is_error(st, body, 400) and "JSON" in body["error"]["message"], (st, body))
        deep = "[" * 10000 + "]" * 10000
        st, body, _ = s.request("POST", "/v1/jobs", deep, dict(auth, **{"Content-Type": "application/json"}))
        check("10,000-deep nesting: 400", is_error(st, body, 400) and "deep" in body["error"]["message"].lower(),
              (st, body))
        st, body, _ = s.request("POST", "/v1/jobs", [1, 2], auth)
        check("not an object: 400", is_error(st, body, 400), (st, body))
        st, body, _ = s.request("POST", "/v1/jobs", {"inputs": {}}, auth)
        check("no app: 400 naming the field", is_error(st, body, 400) and "'app'" in body["error"]["message"],
              (st, body))
        st, body, _ = s.request("POST", "/v1/jobs", {"app": "nope", "inputs": {}}, auth)
        check("unknown app: 404", is_error(st, body, 404) and "nope" in body["error"]["message"], (st, body))
        st, body, _ = s.request("POST", "/v1/jobs", {"app": "react", "inputs": {"question": 42}}, auth)
        check("wrong input type: 422 naming the input", is_error(st, body, 422) and
              "'question'" in body["error"]["message"], (st, body))
        st, body, _ = s.request("POST", "/v1/jobs", {"app": "react", "inputs": {"question": "q", "x": 1}}, auth)
        check("unknown input: 422 naming it", is_error(st, body, 422) and "'x'" in body["error"]["message"],
              (st, body))
        st, body, _ = s.request("POST", "/v1/jobs", {"app": "react", "inputs": []}, auth)
        check("inputs not an object: 400", is_error(st, body, 400) and "'inputs'" in body["error"]["message"],
              (st, body))
        st, body, _ = s.request("GET", "/v1/nothing", headers=auth)
        check("unknown route: 404", is_error(st, body, 404), (st, body))
        st, body, _ = s.request("GET", "/v1/jobs/99999", headers=auth)
        check("unknown job: 404", is_error(st, body, 404), (st, body))
        st, body, _ = s.request("DELETE", "/v1/jobs/99999", headers=auth)
        check("cancel an unknown job: 404", is_error(st, body, 404), (st, body))
        st, body, r = s.request("PUT", "/v1/jobs", good, auth)
        check("wrong method: 405 with Allow", is_error(st, body, 405) and r.getheader("Allow") == "POST", (st, body))
        # 100 MB announced: refused from the header, without reading the body.
        sock = socket.create_connection((s.host, s.port), timeout=30)
        sock.sendall(("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: "
                      "application/json\r\nContent-Length: %d\r\n\r\n" % (token, 100 << 20)).encode())
        sent = 0
        try:
            chunk = b"[" * (1 << 16)
            while sent < (4 << 20):  # the server must answer long before 100 MB
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        reply = b""
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                reply += data
        except OSError:
            pass
        sock.close()
        head, _, rest = reply.decode(errors="replace").partition("\r\n\r\n")
        check("100 MB body: 413 with a JSON error", head.startswith("HTTP/1.1 413") and
              json.loads(rest)["error"]["message"], head + rest[:200])
        sock = socket.create_connection((s.host, s.port), timeout=30)
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        reply = sock.recv(65536).decode(errors="replace")
        sock.close()
        check("garbage instead of HTTP: 400", reply.startswith("HTTP/1.1 400") and '"error"' in reply, reply[:200])
        # curl sends a large body only after "100 Continue".
        payload = json.dumps({"app": "react", "inputs": {"question": "x" * 2000}}).encode()
        sock = socket.create_connection((s.host, s.port), timeout=30)
        sock.sendall(("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: "
                      "application/json\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n" %
                      (token, len(payload))).encode())
        interim = sock.recv(65536).decode()
        sock.sendall(payload)
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            data = sock.recv(65536)
            if not data:
                break
            reply += data
        sock.close()
        check("Expect: 100-continue is answered, then the body read", interim.startswith("HTTP/1.1 100") and
              reply.startswith(b"HTTP/1.1 201"), (interim, reply[:200]))
        st, body, _ = s.request("POST", "/v1/jobs", good, auth)
        check("still serving after all that", st == 201, (st, body))
        check("stops with status 0", s.stop() == 0, s.stderr())
    finally:
        s.stop(signal.SIGKILL)
    s = sim_server(tmp, ["--max-connections", "3", "--journal", os.path.join(tmp, "conn.db")])
    try:
        idle = [socket.create_connection((s.host, s.port), timeout=30) for _ in range(3)]
        st, body, _ = s.request("GET", "/healthz")
        check("a connection over --max-connections: 503", is_error(st, body, 503) and
              "too many connections" in body["error"]["message"], (st, body))
        for c in idle:
            c.close()
        check("served again once they close", wait_for(lambda: s.request("GET", "/healthz")[0] == 200, 10))
    finally:
        s.stop(signal.SIGKILL)
    p = subprocess.run([BIN, "serve", REACT, "--host", "0.0.0.0", "--port", "0", "--journal",
                        os.path.join(tmp, "other.db")], env=ENV, capture_output=True, text=True, timeout=60)
    check("a non-loopback host without --token-file is refused", p.returncode == 2 and "--token-file" in p.stderr,
          p.stderr)


def group_cancel(tmp):
    model, url = start_fake_openai()
    s = Server(BIN, [APP, "--backend", url, "--journal", os.path.join(tmp, "j.db")])
    try:
        st, body, _ = s.request("POST", "/v1/jobs", {"app": "slow", "inputs": {"dir": tmp, "tag": "c",
                                                                              "seconds": 60}})
        jid = body["id"]
        started = wait_for(lambda: os.path.exists(os.path.join(tmp, "started-c-1")))
        pid = int(open(os.path.join(tmp, "started-c-1")).read()) if started else 0
        st, body, _ = s.request("GET", "/v1/jobs/%d" % jid)
        check("the job runs", body["status"] == "running", body)
        st, body, _ = s.request("DELETE", "/v1/jobs/%d" % jid)
        check("DELETE cancels: 200", st == 200 and body["status"] == "cancelled", (st, body))

        def gone():
            try:
                os.kill(pid, 0)
                return False
            except ProcessLookupError:
                return True
        check("its tool process is killed", pid and wait_for(gone, 15), pid)
        st, _, text = openai_request(s, {"messages": [{"role": "user", "content": "hi"}], "model": "slow"})
        check("chat with an app of several inputs: 400", st == 400 and "one string input" in text, text)
        st, body, _ = s.request("DELETE", "/v1/jobs/%d" % jid)
        check("cancel again: 409", is_error(st, body, 409), (st, body))
        st, body, _ = s.request("GET", "/v1/jobs/%d" % jid)
        check("GET says cancelled", body["status"] == "cancelled" and "cancelled" in body["error"], body)
        check("stops with status 0", s.stop() == 0, s.stderr())
        # A cancelled job stays cancelled after a restart.
        s = Server(BIN, [APP, "--backend", url, "--journal", os.path.join(tmp, "j.db")])
        st, body, _ = s.request("GET", "/v1/jobs/%d" % jid)
        check("still cancelled after a restart", st == 200 and body["status"] == "cancelled", (st, body))
        check("stops again with status 0", s.stop() == 0, s.stderr())
    finally:
        s.stop(signal.SIGKILL)
        model.stdin.close()
        model.wait(30)


def group_resume(tmp):
    model, url = start_fake_openai()
    journal = os.path.join(tmp, "j.db")
    tags = ["r%d" % i for i in range(4)]
    s = Server(BIN, [APP, "--backend", url, "--journal", journal, "--grace", "20"])
    try:
        ids = {}
        for t in tags:
            st, body, _ = s.request("POST", "/v1/jobs", {"app": "slow", "inputs": {"dir": tmp, "tag": t,
                                                                                  "seconds": 1.5},
                                                        "idempotency_key": "key-" + t})
            ids[t] = body["id"]
        check("all first stages start", wait_for(lambda: all(os.path.exists(os.path.join(tmp, "started-%s-1" % t))
                                                             for t in tags)), os.listdir(tmp))
        s.proc.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        st, body, _ = s.request("POST", "/v1/jobs", {"app": "slow", "inputs": {"dir": tmp, "tag": "late",
                                                                              "seconds": 0}})
        check("stopping: no admission (503)", is_error(st, body, 503), (st, body))
        code = s.stop(sig=None)
        check("SIGTERM: exits 0 after the running stages finish", code == 0, s.stderr())
        runs = open(os.path.join(tmp, "runs.log")).read().split()
        check("the running stages finished within the grace period", sorted(runs) == sorted(t + "-1" for t in tags),
              runs)
        s = Server(BIN, [APP, "--backend", url, "--journal", journal])
        check("the restart resumes the 4 jobs", "4 job(s) resumed" in s.stderr(), s.stderr())
        done = {t: wait_job(s, ids[t]) for t in tags}
        check("every job finishes after the restart", all(d and d["status"] == "succeeded" and d["result"] ==
                                                            t + "-2" for t, d in done.items()), done)
        runs = open(os.path.join(tmp, "runs.log")).read().split()
        check("every stage ran exactly once", sorted(runs) == sorted([t + "-1" for t in tags] +
                                                                      [t + "-2" for t in tags]), runs)
        st, body, _ = s.request("POST", "/v1/jobs", {"app": "slow", "inputs": {"dir": tmp, "tag": "r0",
                                                                              "seconds": 0},
                                                    "idempotency_key": "key-r0"})
        check("idempotency keys survive the restart", st == 200 and body["id"] == ids["r0"], (st, body))
        check("stops with status 0", s.stop() == 0, s.stderr())
        con = __import__("sqlite3").connect(journal)
        ends = con.execute("SELECT job, COUNT(*) FROM job_ends GROUP BY job").fetchall()
        con.close()
        check("the journal has one end per job", sorted(ends) == sorted((i, 1) for i in ids.values()), ends)
        # An acknowledged admission is durable: SIGKILL right after the 201s loses none of them.
        s = Server(BIN, [APP, "--backend", url, "--journal", journal])
        acked = [s.request("POST", "/v1/jobs", {"app": "slow", "inputs": {"dir": tmp, "tag": "k%d" % i,
                                                                         "seconds": 0.2}})[1]["id"]
                 for i in range(3)]
        s.proc.kill()
        s.proc.wait(30)
        s = Server(BIN, [APP, "--backend", url, "--journal", journal])
        done = [wait_job(s, i) for i in acked]
        check("SIGKILL after the 201s: every acknowledged job finishes after a restart",
              all(d and d["status"] == "succeeded" for d in done), (acked, done, s.stderr()))
        check("stops once more with status 0", s.stop() == 0, s.stderr())
    finally:
        s.stop(signal.SIGKILL)
        model.stdin.close()
        model.wait(30)


def group_apps(tmp):
    journal = os.path.join(tmp, "apps.db")
    # Simulated time at real speed, so that the jobs are still running when the service stops.
    s = Server(BIN, [REACT, RAG, "--time-scale", "1", "--journal", journal, "--grace", "0"])
    try:
        check("one scheduler for both apps, FCFS without their networks",
              "(apps react, rag; scheduler fcfs;" in s.stderr() and "no trained network for 'react', 'rag'" in
              s.stderr(), s.stderr())
        st, body, _ = s.request("GET", "/v1/models")
        check("GET /v1/models lists every app", st == 200 and [m["id"] for m in body["data"]] == ["react", "rag"],
              body)
        st, body, _ = s.request("POST", "/v1/jobs", {"app": "nope", "inputs": {}})
        check("an app not served: 404", is_error(st, body, 404) and "nope" in body["error"]["message"], (st, body))
        first = {app: s.request("POST", "/v1/jobs", {"app": app, "inputs": {"question": "slow " + app}})[1]["id"]
                 for app in ("react", "rag")}
        code = s.stop()
        check("SIGTERM with --grace 0 leaves both jobs to the journal",
              code == 0 and "2 unfinished job(s) resume" in s.stderr(), (code, s.stderr()))
        s = Server(BIN, [REACT, RAG, "--time-scale", "1000", "--journal", journal])
        check("the restart resumes the jobs of both apps", "2 job(s) resumed" in s.stderr(), s.stderr())
        for app, jid in first.items():
            job = wait_job(s, jid)
            check("the resumed %s job succeeds as a job of %s" % (app, app),
                  job and job["status"] == "succeeded" and job["app"] == app and job["result"], job)
        more = [(app, s.request("POST", "/v1/jobs", {"app": app, "inputs": {"question": "q%d" % i}})[1]["id"])
                for i, app in enumerate(("react", "rag", "react", "rag"))]
        for app, jid in more:
            job = wait_job(s, jid)
            check("a new %s job succeeds, GET says %s" % (app, app),
                  job and job["status"] == "succeeded" and job["app"] == app, job)
        st, _, text = openai_request(s, {"messages": [{"role": "user", "content": "hi"}], "model": "react"})
        check("the chat facade runs the app its model names", st == 200 and json.loads(text)["model"] == "react" and
              json.loads(text)["choices"][0]["message"]["content"], text)
        st, _, text = openai_request(s, {"messages": [{"role": "user", "content": "hi"}], "model": "rag"})
        check("... and checks that app's inputs (rag has two string inputs: 400)",
              st == 400 and "one string input" in text, text)
        st, text, _ = s.request("GET", "/metrics")
        decisions = [l for l in text.splitlines() if l.startswith("llmflow_scheduler_decisions_total ")]
        check("metrics: one scheduler's decisions, jobs of both apps", len(decisions) == 1 and
              float(decisions[0].split()[1]) > 0 and 'llmflow_jobs{state="succeeded"} 7' in text, text)
        check("stops with status 0", s.stop() == 0, s.stderr())
    finally:
        s.stop(signal.SIGKILL)

    def refused(args, *words):
        if "--journal" not in args:
            args = args + ["--journal", os.path.join(tmp, "refused.db")]
        p = subprocess.run([BIN, "serve", "--port", "0"] + args, env=ENV, capture_output=True, text=True, timeout=60)
        return p.returncode == 2 and all(w in p.stderr for w in words), p.stderr
    check("a journal holding jobs of an app no longer served: exit 2 naming both",
          *refused([REACT, "--journal", journal], "'rag'", journal))
    check("the same app in two programs: exit 2 naming the app and both programs",
          *refused([REACT, os.path.join(REACT, "app.llmflow"), "--journal", os.path.join(tmp, "x.db")], "'react'",
                   "'%s'" % REACT, "'%s'" % os.path.join(REACT, "app.llmflow")))
    check("--bn with two apps served: exit 2", *refused([REACT, RAG, "--bn", "x.bn.json"], "--bn"))
    check("--app with two programs: exit 2", *refused([REACT, RAG, "--app", "react"], "--app"))
    check("--scheduler llmsched without the apps' networks: exit 2 naming them",
          *refused([REACT, RAG, "--scheduler", "llmsched"], "'react', 'rag'"))

    # Real tools: each program's own definition of `stamp`, run in its own folder.
    model, url = start_fake_openai()
    s = Server(BIN, [APP, WHERE, "--backend", url, "--journal", os.path.join(tmp, "tools.db")])
    try:
        st, body, _ = s.request("POST", "/v1/jobs", {"app": "slow", "inputs": {"dir": tmp, "tag": "s",
                                                                              "seconds": 0}})
        slow = wait_job(s, body["id"])
        st, body, _ = s.request("POST", "/v1/jobs", {"app": "where", "inputs": {"text": "hi"}})
        where = wait_job(s, body["id"])
        check("serve.llmflow's stamp ran from its folder", slow and slow["status"] == "succeeded" and
              slow["app"] == "slow" and slow["result"] == "s-2", slow)
        check("where's stamp ran from where/, with its own definition", where and where["status"] == "succeeded"
              and where["app"] == "where" and where["result"] == "hi (in where)", where)
        st, _, text = openai_request(s, {"messages": [{"role": "user", "content": "yo"}], "model": "where"})
        check("the chat facade runs a job of the other program", st == 200 and
              json.loads(text)["choices"][0]["message"]["content"] == "yo (in where)", text)
        check("stops with status 0", s.stop() == 0, s.stderr())
    finally:
        s.stop(signal.SIGKILL)
        model.stdin.close()
        model.wait(30)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        {"api": group_api, "bad": group_bad, "cancel": group_cancel, "resume": group_resume,
         "apps": group_apps}[GROUP](tmp)
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)


main()
