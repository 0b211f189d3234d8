#!/usr/bin/env python3
"""--otlp writes a run as OpenTelemetry traces in the OTLP/JSON encoding, checked strictly against the
shape of an ExportTraceServiceRequest: a batch of the rag example on the simulated backend gives one
trace per job, a job span with a child span per task, ids of the right hex lengths, times as decimal
strings with every task inside its job, attributes in AnyValue form, and on each LLM span the GenAI
attributes with the event log's model and token counts. `llmflow report LOG --otlp` converts the same
log to the same document; a failing run gives error statuses; an unwritable path exits 3.
usage: otlp_test.py LLMFLOW_BINARY OUT_DIR"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from harness import check, failures  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN, OUT = sys.argv[1], os.path.abspath(sys.argv[2])
ENV = dict(os.environ, NO_COLOR="1")
HEX = re.compile(r"^[0-9a-f]+$")
ANY = {"stringValue": str, "intValue": str, "doubleValue": (int, float), "boolValue": bool}


def run(*args):
    return subprocess.run(list(args), env=ENV, capture_output=True, text=True, timeout=300)


def attrs(span_or_resource):
    """The attribute list as a dict of plain values; raises on a malformed AnyValue."""
    out = {}
    for a in span_or_resource["attributes"]:
        assert set(a) == {"key", "value"}, a
        (kind, v), = a["value"].items()
        assert isinstance(v, ANY[kind]), a
        if kind == "intValue":
            assert re.fullmatch(r"-?\d+", v), a
            v = int(v)
        assert a["key"] not in out, "duplicate attribute " + a["key"]
        out[a["key"]] = v
    return out


def spans_of(doc):
    """Every span of an OTLP/JSON document, after checking the envelope."""
    assert set(doc) == {"resourceSpans"}, list(doc)
    spans = []
    for rs in doc["resourceSpans"]:
        res = attrs(rs["resource"])
        assert res["service.name"] == "llmflow", res
        for ss in rs["scopeSpans"]:
            assert ss["scope"]["name"] == "llmflow", ss["scope"]
            spans += ss["spans"]
    return spans


def check_span(s):
    """One span's required fields and their encodings; returns (start, end) in ns."""
    assert len(s["traceId"]) == 32 and HEX.match(s["traceId"]) and s["traceId"] != "0" * 32, s["traceId"]
    assert len(s["spanId"]) == 16 and HEX.match(s["spanId"]) and s["spanId"] != "0" * 16, s["spanId"]
    if "parentSpanId" in s:
        assert len(s["parentSpanId"]) == 16 and HEX.match(s["parentSpanId"]), s["parentSpanId"]
    assert isinstance(s["name"], str) and s["name"], s
    assert s["kind"] in (1, 3), s["kind"]  # INTERNAL, CLIENT
    start, end = (int(s[k]) for k in ("startTimeUnixNano", "endTimeUnixNano"))
    assert all(isinstance(s[k], str) for k in ("startTimeUnixNano", "endTimeUnixNano")), s
    assert 1.5e18 < start <= end < 4e18, (start, end)  # wall-clock nanoseconds, not engine seconds
    assert s["status"]["code"] in (1, 2), s["status"]
    if s["status"]["code"] == 2:
        assert s["status"]["message"], s["status"]
    attrs(s)
    return start, end


def validate(doc, events):
    """Checks the document against the event log it came from; returns the spans."""
    spans = spans_of(doc)
    for s in spans:
        check_span(s)
    ids = [s["spanId"] for s in spans]
    check("span ids are unique", len(ids) == len(set(ids)))
    jobs = {s["traceId"]: s for s in spans if "parentSpanId" not in s}
    submitted = [e for e in events if e["type"] == "job_submitted"]
    check("one root span (trace) per job", len(jobs) == len(submitted) == len({s["traceId"] for s in spans}),
          (len(jobs), len(submitted)))
    ended = [e for e in events if e["type"] in ("task_finished", "task_failed")]
    dispatched = [e for e in events if e["type"] == "task_dispatched"]
    tasks = [s for s in spans if "parentSpanId" in s]
    check("one child span per task run", len(tasks) == len(dispatched), (len(tasks), len(dispatched)))
    # (the job's own task_failed repeats the executor's, without the details)
    by_key = {(e["job"], e.get("instance", e["node"])): e for e in ended if "executor" in e}
    for s in tasks:
        job = jobs.get(s["traceId"])
        a = attrs(s)
        where = "%s %s" % (s["name"], a.get("llmflow.instance"))
        if not job or s["parentSpanId"] != job["spanId"]:
            check("task span's parent is its job's span: " + where, False, s)
            continue
        (js, je), (ts, te) = check_span(job), check_span(s)
        if not (js <= ts <= te <= je):
            check("task span inside its job span: " + where, False, (js, ts, te, je))
        e = by_key.get((attrs(job)["llmflow.job"], a["llmflow.instance"]))
        if e is None:  # a log cut short: the task never ended
            if s["status"] != {"code": 2, "message": "the run ended before the task"}:
                check("a task span without an end event is an error: " + where, False, s)
            continue
        if e["executor"] == "llm":
            ok = (s["kind"] == 3 and a["gen_ai.operation.name"] == "chat" and a["gen_ai.request.model"] == e["model"]
                  and a["gen_ai.usage.input_tokens"] == e["tokens_in"]
                  and a["gen_ai.usage.output_tokens"] == e["tokens_out"] and a["gen_ai.system"])
            if not ok:
                check("LLM span has the GenAI attributes of its event: " + where, False, (a, e))
        elif not (s["kind"] == 1 and a["gen_ai.operation.name"] == "execute_tool" and a["gen_ai.tool.name"]):
            check("tool span has the execute_tool attributes: " + where, False, a)
        if (s["status"]["code"] == 2) != (e["type"] == "task_failed"):
            check("task span status matches its event: " + where, False, (s["status"], e))
    return spans


def load_events(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        events, otlp, again = (os.path.join(tmp, n) for n in ("events.jsonl", "run.otlp.json", "again.otlp.json"))
        p = run(BIN, "batch", os.path.join(ROOT, "examples/rag"), "--time-scale", "100", "--jobs", "6",
                "--arrival-rate", "4", "--events", events, "--otlp", otlp)
        check("batch --otlp exits 0", p.returncode == 0, p.stderr)
        doc = json.load(open(otlp))
        log = load_events(events)
        spans = validate(doc, log)
        llm = [s for s in spans if attrs(s).get("gen_ai.operation.name") == "chat"]
        tools = [s for s in spans if attrs(s).get("gen_ai.operation.name") == "execute_tool"]
        check("the rag batch has LLM and tool spans", llm and tools, (len(llm), len(tools)))
        tokens = sum(attrs(s)["gen_ai.usage.output_tokens"] for s in llm)
        check("output tokens add up to the log's", tokens == sum(e.get("tokens_out", 0) for e in log
                                                                 if e["type"] == "task_finished"), tokens)
        check("all spans succeeded", all(s["status"]["code"] == 1 for s in spans))
        with open(os.path.join(OUT, "rag.otlp.json"), "w") as f:
            json.dump(doc, f, indent=1)

        p = run(BIN, "report", events, "--otlp", again)
        check("report --otlp exits 0", p.returncode == 0, p.stderr)
        check("report --otlp converts the log to the same document",
              os.path.exists(again) and json.load(open(again)) == doc)

        # A failing run: error statuses with the reason, on the task and on the job.
        flog, fotlp = os.path.join(tmp, "faults.jsonl"), os.path.join(tmp, "faults.otlp.json")
        p = run(BIN, "run", os.path.join(ROOT, "tests/e2e/apps/faults.llmflow"), "--app", "bad_tool",
                "--backend", "http://127.0.0.1:9", "--events", flog, "--otlp", fotlp)
        check("a failing run exits 1 and still writes its traces", p.returncode == 1 and os.path.exists(fotlp),
              p.stderr)
        if os.path.exists(fotlp):
            fspans = validate(json.load(open(fotlp)), load_events(flog))
            check("the failed job's and task's spans have status 2 with a message",
                  len(fspans) == 2 and all(s["status"]["code"] == 2 and s["status"]["message"] for s in fspans),
                  fspans)

        # A log cut short (a crash): tasks and jobs that never ended end with the log, as errors.
        cut = os.path.join(tmp, "cut.jsonl")
        with open(events) as f:
            lines = f.readlines()
        with open(cut, "w") as f:
            f.writelines(lines[:len(lines) // 2])
        p = run(BIN, "report", cut, "--otlp", again)
        check("a log cut short converts", p.returncode == 0, p.stderr)
        if p.returncode == 0:
            cspans = validate(json.load(open(again)), load_events(cut))
            check("... with the unfinished jobs as errors", any(s["status"]["code"] == 2 for s in cspans))

        # A log without run_started's start time (older logs) is anchored at the file's time.
        old = os.path.join(tmp, "old.jsonl")
        with open(old, "w") as f:
            for e in log:
                if e["type"] == "run_started":
                    e["run"].pop("start_unix_ns")
                f.write(json.dumps(e) + "\n")
        p = run(BIN, "report", old, "--otlp", again)
        check("an older log converts too", p.returncode == 0, p.stderr)
        if p.returncode == 0:
            first = min(int(s["startTimeUnixNano"]) for s in spans_of(json.load(open(again))))
            check("... anchored at the file's time", abs(first / 1e9 - os.path.getmtime(old)) < 60, first)

        for cmd in (["batch", os.path.join(ROOT, "examples/rag"), "--time-scale", "100", "--jobs", "1"],
                    ["report", events]):
            p = run(BIN, *cmd, "--otlp", os.path.join(tmp, "no-such-dir", "x.json"))
            check("an unwritable --otlp path exits 3 (%s)" % cmd[0], p.returncode == 3 and "cannot write" in p.stderr,
                  (p.returncode, p.stderr))
        p = run(BIN, "profile", os.path.join(ROOT, "examples/rag"), "--jobs", "1", "--otlp", otlp)
        check("profile on the simulated backend refuses --otlp (no run to trace)", p.returncode == 2, p.stderr)
    if failures:
        print("%d checks failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
