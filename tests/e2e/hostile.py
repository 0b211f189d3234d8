#!/usr/bin/env python3
"""End to end with hostile input: the llmflow binary against the loopback
OpenAI-compatible server (tests/servers/fake_openai.py), a loopback HTTP
server and real tool processes. Every hostile value must fail its task, job
or command with a reason, never the process (no exit >= 128, no hang).

usage: hostile.py LLMFLOW GROUP     (GROUP: json, flags, events, signals)"""
import http.server
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from harness import ENV, check, failures, write, events_of, wait_for, start_fake_openai  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = sys.argv[1]
GROUP = sys.argv[2]
APP = os.path.join(ROOT, "tests/e2e/apps/hostile.llmflow")
DEEP = "[" * 100000 + "]" * 100000
ARG_DEEP = "[" * 60000 + "]" * 60000  # one argv string is at most 128 KiB


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every GET with JSON and records the raw request target."""
    seen = []

    def do_GET(self):
        Recorder.seen.append(self.path)
        body = DEEP.encode() if self.path.endswith("/deep") else json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_http(handler=Recorder):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, "http://127.0.0.1:%d" % srv.server_address[1]


def allow_config(tmp, *hosts):
    """A config whose [network] allow_hosts lets tools reach these loopback hosts."""
    return write(os.path.join(tmp, "allow.toml"), "[network]\nallow_hosts = %s\n" % json.dumps(list(hosts)))


def llmflow(*args, timeout=60):
    t0 = time.monotonic()
    p = subprocess.run([BIN] + list(args), env=ENV, capture_output=True, text=True, timeout=timeout)
    return p, time.monotonic() - t0


def clean_failure(p, code):
    """Exited with `code`, not a crash, and said why."""
    return p.returncode == code and p.stderr.strip() != ""


def group_json(tmp):
    server, url = start_fake_openai()
    web, base = start_http()
    allow = allow_config(tmp, base[len("http://"):])  # tools may reach the loopback server
    try:
        # A 100-job batch with one hostile reply at job 50 loses no other job.
        inputs = write(os.path.join(tmp, "jobs.jsonl"), "".join(
            json.dumps({"q": "job %d%s" % (i, " [[fault:deep]]" if i == 50 else "")}) + "\n" for i in range(1, 101)))
        summary = os.path.join(tmp, "summary.json")
        p, _ = llmflow("batch", APP, "--app", "echo", "--inputs", inputs, "--backend", url, "--json", summary,
                       timeout=120)
        s = json.load(open(summary)) if os.path.exists(summary) else {}
        check("one hostile reply in 100 jobs fails that job only, with the summary",
              p.returncode == 1 and s.get("done") == 99 and s.get("failed") == 1
              and "job 50 failed" in p.stderr and "nested deeper than 256 levels" in p.stderr
              and "JCT" in p.stderr, p.stderr + str(s))
        p, _ = llmflow("run", APP, "--app", "tool_deep", "--backend", url)
        check("a tool printing 100,000 nested brackets fails its job", clean_failure(p, 1)
              and "nested deeper" in p.stderr, p.stderr)

        p, _ = llmflow("run", APP, "--app", "parse", "--input", "text=" + ARG_DEEP, "--backend", url)
        check("json.parse of 60,000 nested brackets fails its job", clean_failure(p, 1)
              and "nested deeper" in p.stderr, p.stderr)

        shallow = write(os.path.join(tmp, "shallow.toml"), "[limits]\njson_depth = 4\n")
        for backend in ("sim", url):
            p, _ = llmflow("run", APP, "--app", "parse", "--input", "text=[[[[[1]]]]]", "--backend", backend,
                           "--config", shallow)
            check("[limits] json_depth bounds json.parse (--backend %s)" % backend, clean_failure(p, 1)
                  and "nested deeper than 4 levels" in p.stderr, p.stderr)

        p, _ = llmflow("run", APP, "--app", "parse", "--input", 'text={"a": 1, "a": 2}', "--backend", url)
        check("json.parse rejects duplicate keys", clean_failure(p, 1) and "duplicate key 'a'" in p.stderr, p.stderr)

        p, _ = llmflow("run", APP, "--app", "fetch_item", "--input", "base=" + base, "--input", "id=deep",
                       "--backend", url, "--config", allow)
        check("an HTTP tool answering 100,000 nested brackets fails its job", clean_failure(p, 1)
              and "nested deeper" in p.stderr, p.stderr)

        # URL template values are data: percent-encoded, never structure.
        for app, arg, value, target in [
                ("fetch_item", "id", "../../../admin/delete?all=1", "/api/v1/items/..%2F..%2F..%2Fadmin%2Fdelete%3Fall%3D1"),
                ("search_items", "q", "x&safe=0#", "/search?q=x%26safe%3D0%23&safe=1")]:
            p, _ = llmflow("run", APP, "--app", app, "--input", "base=" + base, "--input", "%s=%s" % (arg, value),
                           "--backend", url, "--config", allow)
            check("URL template value %r is encoded" % value, p.returncode == 0 and Recorder.seen[-1:] == [target],
                  "%s %s" % (Recorder.seen[-1:], p.stderr))
        for args, reason in [(("--app", "fetch_item", "--input", "base=" + base, "--input", "id=.."),
                              "would leave its path segment"),
                             (("--app", "fetch_item", "--input", "base=file:///etc", "--input", "id=passwd"),
                              "'file:///etc/api/v1/items/passwd' is not an http or https URL"),
                             (("--app", "fetch_any", "--input", "url=file:///etc/passwd"),
                              "'file:///etc/passwd' is not an http or https URL")]:
            seen = len(Recorder.seen)
            p, _ = llmflow("run", APP, *args, "--backend", url, "--config", allow)
            check("a URL is refused: " + reason, clean_failure(p, 1) and reason in p.stderr
                  and len(Recorder.seen) == seen, p.stderr)

        p, _ = llmflow("run", APP, "--app", "count", "--input", "n=1", "--input", "items=" + ARG_DEEP)
        check("--input with 60,000 nested brackets is a usage error", clean_failure(p, 2)
              and "nested deeper" in p.stderr, p.stderr)

        deep_inputs = write(os.path.join(tmp, "deep.json"), '{"n": 1, "items": %s}' % DEEP)
        p, _ = llmflow("run", APP, "--app", "count", "--inputs", deep_inputs)
        check("--inputs with 100,000 nested brackets is a malformed input file (exit 3)", clean_failure(p, 3)
              and "nested deeper" in p.stderr, p.stderr)

        lines = write(os.path.join(tmp, "deep.jsonl"), '{"n": 1}\n{"n": 2, "items": %s}\n' % DEEP)
        p, _ = llmflow("batch", APP, "--app", "count", "--inputs", lines)
        check("a line of inputs.jsonl with 100,000 nested brackets names the line", clean_failure(p, 3)
              and "deep.jsonl:2:" in p.stderr and "nested deeper" in p.stderr, p.stderr)

        dup = write(os.path.join(tmp, "dup.json"), '{"n": 1, "n": 2}')
        p, _ = llmflow("run", APP, "--app", "count", "--inputs", dup)
        check("duplicate input keys are a malformed input file (exit 3)", clean_failure(p, 3) and "duplicate key 'n'" in p.stderr,
              p.stderr)

        ir = write(os.path.join(tmp, "deep_ir.json"), DEEP)
        p, _ = llmflow("compile", ir)
        check("an IR file with 100,000 nested brackets is refused", p.returncode in (1, 3)
              and "nested deeper" in p.stderr, p.stderr)

        prof = write(os.path.join(tmp, "deep_profile.jsonl"), DEEP + "\n")
        p, _ = llmflow("run", APP, "--app", "count", "--input", "n=1", "--profile", prof)
        check("a profile with 100,000 nested brackets is refused", clean_failure(p, 3)
              and "nested deeper" in p.stderr, p.stderr)

        bn = write(os.path.join(tmp, "deep.bn.json"), DEEP)
        p, _ = llmflow("run", APP, "--app", "count", "--input", "n=1", "--bn", bn)
        check("a BN file with 100,000 nested brackets is refused", clean_failure(p, 3)
              and "nested deeper" in p.stderr, p.stderr)

        toml_deep = "x = " + "[" * 10000 + "]" * 10000 + "\n"
        cfg = write(os.path.join(tmp, "deep.toml"), toml_deep)
        p, _ = llmflow("run", APP, "--app", "count", "--input", "n=1", "--config", cfg)
        check("a config nested 10,000 deep is refused", clean_failure(p, 3) and "nested deeper" in p.stderr, p.stderr)

        p, _ = llmflow("run", APP, "--app", "count", "--input", "n=1", "--behaviour", cfg)
        check("a behaviour model nested 10,000 deep is refused", clean_failure(p, 3)
              and "nested deeper" in p.stderr, p.stderr)

        p, _ = llmflow("simulate", cfg)
        check("a workload nested 10,000 deep is refused", p.returncode in (1, 2, 3) and p.returncode < 128
              and "nested deeper" in p.stderr, p.stderr)
    finally:
        server.stdin.close()
        server.wait(timeout=10)
        web.shutdown()


def group_flags(tmp):
    rag = os.path.join(ROOT, "examples", "rag")
    one = ("--input", "question=q")
    for cmd, flag, values in [
            ("run", "--time-scale", ["nan", "inf", "1e308", "0", "-1"]),
            ("run", "--llm-slots", ["nan", "1e12", "99999999999", "0", "2.5"]),
            ("run", "--regular-slots", ["0", "inf"]),
            ("run", "--seed", ["-1", "nan", "1e3"]),
            ("batch", "--arrival-rate", ["nan", "inf", "0", "-2"]),
            ("batch", "--jobs", ["0", "1e3", "nan"]),
            ("estimate", "--llm-slots", ["nan"]),
            ("check", "--error-limit", ["nan", "-1"])]:
        for v in values:
            args = [cmd, rag] if cmd != "check" else [cmd, os.path.join(rag, "app.llmflow")]
            if cmd == "run":
                args += one
            if cmd == "estimate":
                args += ["--bn", os.path.join(tmp, "absent.bn.json")]
            p, took = llmflow(*(args + [flag, v]), timeout=20)
            check("%s %s %s is a usage error naming the flag" % (cmd, flag, v),
                  p.returncode == 2 and flag in p.stderr and took < 10, p.stderr)

    for text, key in [("[timeouts]\nfirst_token = inf\n", "first_token"),
                      ("[timeouts]\nidle = nan\n", "idle"),
                      ("[timeouts]\nstall = nan\n", "stall"),
                      ("[limits]\njson_depth = 0\n", "json_depth"),
                      ("[limits]\nreply_bytes = 1e30\n", "reply_bytes"),
                      ("[hedging]\nquantile = 2\n", "quantile"),
                      ("[hedging]\nenabled = 1\n", "enabled"),
                      ("[engine]\nllm_slots = 1e12\n", "llm_slots"),
                      ("[engine]\nllm_slots = 2.5\n", "llm_slots"),
                      ("[engine]\nregular_slots = 1000000000000\n", "regular_slots"),
                      ("[engine]\ntime_scale = 1e308\n", "time_scale"),
                      ("[[endpoints]]\nname = \"a\"\nurl = \"http://127.0.0.1:1\"\nmax_in_flight = -3\n",
                       "max_in_flight")]:
        cfg = write(os.path.join(tmp, "c.toml"), text)
        p, _ = llmflow("run", rag, *one, "--config", cfg)
        check("config %s is a malformed input file (exit 3) naming the key" % text.strip().replace("\n", " "),
              p.returncode == 3 and key in p.stderr, p.stderr)

    for v in ["1e23", "9223372036854775808", "1.5", "nan"]:
        p, _ = llmflow("run", rag, *one, "--input", "top_k=" + v)
        check("an int input of %s is refused" % v, p.returncode == 2 and "top_k" in p.stderr, p.stderr)

    for flag in ["--json", "--trace", "--events"]:
        p, took = llmflow("batch", rag, "--jobs", "200", "--time-scale", "1", flag, "/nonexistent/dir/out.json",
                          timeout=30)
        check("an unwritable %s is reported before the batch runs" % flag,
              p.returncode == 3 and "cannot write '/nonexistent/dir/out.json'" in p.stderr and "JCT" not in p.stderr
              and took < 10, "%s took %.1f s" % (p.stderr, took))


def pids_in(folder):
    pids = []
    for name in os.listdir(folder):
        if name.startswith("pids-") and not name.endswith(".tmp"):
            pids += [int(x) for x in open(os.path.join(folder, name)).read().split()]
    return pids


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes (its parent has not reaped it yet).
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def group_events(tmp):
    server, url = start_fake_openai()
    try:
        ev = os.path.join(tmp, "ev1.jsonl")
        p, _ = llmflow("run", APP, "--app", "echo", "--input", "q=always [[fault:500]]", "--backend", url,
                       "--events", ev)
        failed = [e for e in events_of(ev) if e["type"] == "task_failed"]
        check("a failed LLM task is one task_failed with the real attempt count",
              p.returncode == 1 and len(failed) == 1 and failed[0].get("attempts") == 2
              and "failed after 2 attempts" in failed[0].get("error", ""), p.stderr + str(failed))

        ev = os.path.join(tmp, "ev2.jsonl")
        p, _ = llmflow("run", APP, "--app", "tool_deep", "--backend", url, "--events", ev)
        failed = [e for e in events_of(ev) if e["type"] == "task_failed"]
        finished = [e for e in events_of(ev) if e["type"] == "task_finished"]
        check("a tool returning a bad value is one task_failed", p.returncode == 1 and len(failed) == 1
              and not finished and "nested deeper" in failed[0].get("error", ""), str(failed))

        ev = os.path.join(tmp, "ev3.jsonl")
        p, _ = llmflow("run", APP, "--app", "typed", "--input", "q=x [[fault:malformed]]", "--backend", url,
                       "--events", ev)
        failed = [e for e in events_of(ev) if e["type"] == "task_failed"]
        check("a malformed typed reply is one task_failed", p.returncode == 1 and len(failed) == 1, str(failed))

        pids_dir = os.path.join(tmp, "siblings")
        os.mkdir(pids_dir)
        ev = os.path.join(tmp, "ev4.jsonl")
        p, took = llmflow("run", APP, "--app", "siblings", "--input", "dir=" + pids_dir, "--backend", url,
                          "--events", ev, timeout=60)
        evs = events_of(ev)
        failed = {e["node"].split("/")[-1]: e for e in evs if e["type"] == "task_failed"}
        time.sleep(0.2)
        survivors = [pid for pid in pids_in(pids_dir) if alive(pid)]
        check("when a job fails its running siblings are cancelled, their processes killed",
              p.returncode == 1 and took < 20 and set(failed) == {"a", "b"}
              and "cancelled: the job failed" in failed["b"].get("error", "") and pids_in(pids_dir)
              and not survivors, "%s took %.1f s; %s; survivors %s" % (p.stderr, took, failed, survivors))
        check("job_failed comes once", len([e for e in evs if e["type"] == "job_failed"]) == 1, str(evs))

        # Hedging from the config: a hung request gets a second attempt once the
        # endpoint has shown its usual time to first token; one answer, 2 attempts.
        cfg = write(os.path.join(tmp, "hedge.toml"), "[[endpoints]]\nname = \"a\"\nurl = \"%s\"\n"
                    "[hedging]\nenabled = true\nmin_samples = 3\n" % url)
        inputs = write(os.path.join(tmp, "hedge.jsonl"), "".join(
            json.dumps({"q": "warm %d" % i}) + "\n" for i in range(8)) + json.dumps({"q": "x [[fault:hangx1]]"}) + "\n")
        ev = os.path.join(tmp, "ev5.jsonl")
        p, _ = llmflow("batch", APP, "--app", "echo", "--inputs", inputs, "--config", cfg, "--arrival-rate", "10",
                          "--events", ev, timeout=60)
        evs = events_of(ev)
        # The hung request is the last input, so the last job submitted. A warm
        # request slowed by a loaded machine may be hedged too, legitimately; what
        # must hold is that the hung one was, and that every task is counted once.
        submitted = sorted((e["t"], e["job"]) for e in evs if e["type"] == "job_submitted")
        job = submitted[-1][1] if submitted else -1
        finished = [e for e in evs if e["type"] == "task_finished"]
        hung = [e for e in finished if e.get("job") == job]
        times = {e["type"]: e["t"] for e in evs if e.get("job") == job}
        # Unhedged, the hung attempt would hold the job for the task's 10 s timeout
        # (8 s leaves room for a loaded machine and still tells the two apart).
        jct = times.get("job_finished", 99) - times.get("job_submitted", 0)
        check("[hedging] answers a hung request by a second attempt, counted once", p.returncode == 0
              and len(submitted) == 9 and len(finished) == 9 and len({e["job"] for e in finished}) == 9
              and len(hung) == 1 and hung[0].get("attempts") == 2 and jct < 8,
              "rc %d, job %d, JCT %.2f s, %s: %s" % (p.returncode, job, jct, finished, p.stderr))

        # --llm-slots sets the concurrency of a --backend URL endpoint (it was fixed at 16).
        # Each request is held 3 s, so all 40 are in flight at once even when a
        # loaded machine is slow to start the last of them.
        inputs = write(os.path.join(tmp, "slots.jsonl"), "".join(
            json.dumps({"q": "job %d [[fault:slow:3]]" % i}) + "\n" for i in range(40)))
        p, _ = llmflow("batch", APP, "--app", "echo", "--inputs", inputs, "--backend", url, "--llm-slots", "40",
                       timeout=60)
        peak = metric(url, "fake_openai:max_running")
        check("--llm-slots 40 with --backend URL sends 40 requests at once", p.returncode == 0 and peak == 40,
              "peak %s: %s" % (peak, p.stderr))
    finally:
        server.stdin.close()
        server.wait(timeout=10)


def metric(url, name):
    import urllib.request
    text = urllib.request.urlopen(url + "/metrics", timeout=5).read().decode()
    for line in text.splitlines():
        if line.startswith(name):
            return float(line.split()[-1])
    return -1


def interrupted_batch(tmp, tag, lines, extra, signals_to_send, wait_ready, server_url=None):
    """Starts a batch, waits until `wait_ready()` holds, sends the signals (0.5 s
    apart), and returns (process, seconds from the first signal to exit,
    summary json, events)."""
    inputs = write(os.path.join(tmp, tag + ".jsonl"), "".join(json.dumps(x) + "\n" for x in lines))
    summary, events, trace = (os.path.join(tmp, tag + x) for x in (".json", ".events.jsonl", ".trace.json"))
    proc = subprocess.Popen([BIN, "batch", APP, "--inputs", inputs, "--json", summary, "--events", events,
                             "--trace", trace] + list(extra), env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    ready = wait_for(wait_ready, 30)
    t0 = time.monotonic()
    for i, sig in enumerate(signals_to_send):
        if i:
            time.sleep(0.5)
        proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    took = time.monotonic() - t0
    proc.stderr_text = ("" if ready else "(never ready) ") + err
    s = json.load(open(summary)) if os.path.exists(summary) and os.path.getsize(summary) else {}
    evs = events_of(events) if os.path.exists(events) else []
    tr = None
    try:
        tr = json.load(open(trace))
    except (OSError, ValueError):
        pass
    return proc, took, s, evs, tr


def group_signals(tmp):
    server, url = start_fake_openai()
    try:
        # SIGINT with 8 tools running: TERM to every group, the summary, --json,
        # trace and event log for what there is, exit 130, no process left.
        d = os.path.join(tmp, "int")
        os.mkdir(d)
        p, took, s, evs, tr = interrupted_batch(
            tmp, "int", [{"dir": d}] * 8, ["--app", "lingering", "--regular-slots", "8", "--backend", url],
            [signal.SIGINT], lambda: len(pids_in(d)) == 16)
        time.sleep(0.2)
        survivors = [x for x in pids_in(d) if alive(x)]
        dispatched = [e for e in evs if e["type"] == "task_dispatched"]
        ended = [e for e in evs if e["type"] in ("task_finished", "task_failed")]
        check("SIGINT: exit 130 with the summary, --json and trace, no process left",
              p.returncode == 130 and "8 interrupted" in p.stderr_text and s.get("interrupted") == 8
              and tr is not None and not survivors and len(pids_in(d)) == 16 and took < 10,
              "rc %s took %.1f: %s %s survivors %s" % (p.returncode, took, p.stderr_text, s, survivors))
        check("SIGINT: every dispatched task ends in the event log as cancelled",
              len(dispatched) == 8 and len(ended) == 8
              and all("cancelled: interrupted by SIGINT" in e.get("error", "") for e in ended), str(ended))

        # SIGTERM with tools that ignore TERM: KILL after the grace period.
        d = os.path.join(tmp, "term")
        os.mkdir(d)
        cfg = write(os.path.join(tmp, "grace.toml"), "[engine]\ntool_grace = 1\n")
        p, took, s, evs, tr = interrupted_batch(
            tmp, "term", [{"dir": d, "ignore_term": True}] * 4,
            ["--app", "lingering", "--backend", url, "--config", cfg], [signal.SIGTERM], lambda: len(pids_in(d)) == 8)
        time.sleep(0.2)
        survivors = [x for x in pids_in(d) if alive(x)]
        check("SIGTERM: tools ignoring TERM are killed after the grace period; exit 143",
              p.returncode == 143 and not survivors and 0.9 < took < 10 and s.get("interrupted") == 4,
              "rc %s took %.1f: %s survivors %s" % (p.returncode, took, p.stderr_text, survivors))

        # A second SIGINT does not wait for the grace period.
        d = os.path.join(tmp, "twice")
        os.mkdir(d)
        cfg = write(os.path.join(tmp, "longgrace.toml"), "[engine]\ntool_grace = 60\n")
        p, took, s, evs, tr = interrupted_batch(
            tmp, "twice", [{"dir": d, "ignore_term": True}] * 4,
            ["--app", "lingering", "--backend", url, "--config", cfg], [signal.SIGINT, signal.SIGINT],
            lambda: len(pids_in(d)) == 8)
        time.sleep(0.2)
        survivors = [x for x in pids_in(d) if alive(x)]
        check("a second SIGINT kills the tools and exits at once", p.returncode == 130 and not survivors
              and took < 5 and s.get("interrupted") == 4,
              "rc %s took %.1f: %s survivors %s" % (p.returncode, took, p.stderr_text, survivors))

        # In-flight LLM requests are cancelled: the server sees its connections close.
        p, took, s, evs, tr = interrupted_batch(
            tmp, "llm", [{"q": "wait [[fault:hang]] %d" % i} for i in range(8)],
            ["--app", "echo", "--backend", url], [signal.SIGINT],
            lambda: metric(url, "vllm:num_requests_running") >= 8)
        drained = wait_for(lambda: metric(url, "vllm:num_requests_running") == 0, 10)
        check("SIGINT cancels in-flight LLM requests", p.returncode == 130 and took < 5 and drained
              and s.get("interrupted") == 8, "rc %s took %.1f: %s" % (p.returncode, took, p.stderr_text))

        # The simulated backend stops as promptly.
        p, took, s, evs, tr = interrupted_batch(
            tmp, "sim", [{"q": "x"}] * 20, ["--app", "echo", "--time-scale", "0.01"], [signal.SIGINT],
            lambda: os.path.exists(os.path.join(tmp, "sim.events.jsonl"))
            and "task_dispatched" in open(os.path.join(tmp, "sim.events.jsonl")).read())
        check("SIGINT stops a simulated run at once", p.returncode == 130 and took < 5 and s.get("jobs") == 20,
              "rc %s took %.1f: %s %s" % (p.returncode, took, p.stderr_text, s))
    finally:
        server.stdin.close()
        server.wait(timeout=10)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        {"json": group_json, "flags": group_flags, "events": group_events, "signals": group_signals}[GROUP](tmp)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
