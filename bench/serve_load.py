#!/usr/bin/env python3
"""`llmflow serve` under load from a loopback client (a benchmark command that prints figures, not a
test): starts the service on the simulated backend with a fresh journal, then CONNECTIONS client
threads, each on one keep-alive connection, submit JOBS jobs in all (POST /v1/jobs) as fast as the
service answers, or with --rate R at R jobs per second in all (open loop: each connection sends on a
fixed schedule, and a request's latency counts from when it was due, so a service that falls behind
is charged for the wait). Prints submitted jobs per second and the admission latency (request sent, or
due, to 201 read) percentiles; then waits for every job to end and says how many succeeded. Standard
library only.

usage: serve_load.py LLMFLOW [--app DIR] [--jobs N] [--connections C] [--rate R] [--time-scale X]"""
import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("llmflow")
    ap.add_argument("--app", default=os.path.join(ROOT, "examples/react"))
    ap.add_argument("--jobs", type=int, default=5000)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--rate", type=float, default=0, help="jobs per second in all (0: as fast as answered)")
    ap.add_argument("--time-scale", default="1000")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen([a.llmflow, "serve", a.app, "--port", "0", "--time-scale", a.time_scale,
                                 "--journal", os.path.join(tmp, "load.db"), "--keep-jobs", str(a.jobs + 10)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        host = port = None
        for line in proc.stderr:
            m = re.search(r"listening on http://([^:]+):(\d+)", line)
            if m:
                host, port = m.group(1), int(m.group(2))
                break
        if not port:
            sys.exit("serve did not start")
        threading.Thread(target=lambda: proc.stderr.read(), daemon=True).start()
        try:
            return load(a, host, port)
        finally:
            # What the journal (and its write-ahead log) grew to under this load.
            size = sum(os.path.getsize(os.path.join(tmp, "load.db" + ext)) for ext in ("", "-wal")
                       if os.path.exists(os.path.join(tmp, "load.db" + ext)))
            print("journal: %.1f MB" % (size / 1e6))
            proc.terminate()
            proc.wait(60)


def load(a, host, port):
    """Submits the jobs, prints the figures, waits for the jobs; the exit status."""
    question = json.loads(open(os.path.join(a.app, "inputs.jsonl")).readline())
    app = os.path.basename(os.path.normpath(a.app))
    latencies, ids, errors = [], [], []
    lock = threading.Lock()
    per = [a.jobs // a.connections + (i < a.jobs % a.connections) for i in range(a.connections)]

    def client(k, n):
        c = http.client.HTTPConnection(host, port, timeout=60)
        body = json.dumps({"app": app, "inputs": question})
        mine, got = [], []
        start = time.perf_counter()
        for i in range(n):
            t0 = time.perf_counter()
            if a.rate > 0:   # connection k sends its i-th job at start + (i + k/C) * C/R
                due = start + (i + k / a.connections) * a.connections / a.rate
                if due > t0:
                    time.sleep(due - t0)
                t0 = due
            c.request("POST", "/v1/jobs", body=body, headers={"Content-Type": "application/json"})
            r = c.getresponse()
            data = r.read()
            mine.append(time.perf_counter() - t0)
            if r.status != 201:
                errors.append((r.status, data[:200]))
            else:
                got.append(json.loads(data)["id"])
        c.close()
        with lock:
            latencies.extend(mine)
            ids.extend(got)

    threads = [threading.Thread(target=client, args=(k, n)) for k, n in enumerate(per)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    print("serve load: %d jobs over %d connections in %.2f s: %.0f jobs/s submitted (%s)" %
          (a.jobs, a.connections, wall, a.jobs / wall,
           "offered %g jobs/s" % a.rate if a.rate > 0 else "each connection as fast as answered"))
    print("admission latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms" %
          (percentile(latencies, 50) * 1e3, percentile(latencies, 99) * 1e3, latencies[-1] * 1e3))
    if errors:
        print("%d submissions failed, e.g. %s" % (len(errors), errors[0]))
    c = http.client.HTTPConnection(host, port, timeout=60)
    deadline, succeeded = time.monotonic() + 300, 0
    for jid in ids:
        while True:
            c.request("GET", "/v1/jobs/%d" % jid)
            j = json.loads(c.getresponse().read())
            if j["status"] in ("succeeded", "failed", "cancelled") or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        succeeded += j["status"] == "succeeded"
    print("%d of %d jobs succeeded" % (succeeded, len(ids)))
    return 0 if succeeded == a.jobs and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
