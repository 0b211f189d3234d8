#!/usr/bin/env python3
"""llmflow report writes one self-contained HTML page that a browser renders without errors: a
batch (with a failing run appended to the same log) and a simulator comparison become a report;
the page fetches nothing (no external src/href/url()), holds every section, and headless Chromium
(Debian's chromium) loads it with no console error, runs its script (the page marks <body
data-report-ready="1">) and takes a screenshot. usage: report_test.py LLMFLOW_BINARY OUT_DIR"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from harness import check, failures  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN, OUT = sys.argv[1], os.path.abspath(sys.argv[2])
ENV = dict(os.environ, NO_COLOR="1")
CHROMIUM = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def run(*args, **kw):
    return subprocess.run(list(args), env=ENV, capture_output=True, text=True, timeout=300, **kw)


def chromium(tmp, page, *extra):
    profile = tempfile.mkdtemp(dir=tmp, prefix="chromium-profile-")
    return run(shutil.which("chromium") or "chromium", *CHROMIUM, "--user-data-dir=" + profile,
               "--enable-logging=stderr", "--v=0", *extra, "file://" + page)


def main():
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        events, sim, page = (os.path.join(tmp, n) for n in ("events.jsonl", "sim.json", "report.html"))
        p = run(BIN, "batch", os.path.join(ROOT, "examples/rag"), "--time-scale", "100", "--jobs", "12",
                "--arrival-rate", "4", "--events", events)
        check("a batch writes an event log", p.returncode == 0, p.stderr)
        faults = os.path.join(ROOT, "tests/e2e/apps/faults.llmflow")
        p = run(BIN, "run", faults, "--app", "bad_tool", "--backend", "http://127.0.0.1:9", "--events", events)
        check("a failing run is appended to the same log", p.returncode == 1, p.stderr)
        p = run(BIN, "simulate", os.path.join(ROOT, "examples/workloads/uniform.toml"), "--jobs", "40",
                "--scheduler", "fcfs,sjf", "--json", sim)
        check("a simulation writes its comparison", p.returncode == 0, p.stderr)
        p = run(BIN, "report", events, "--program", os.path.join(ROOT, "examples/rag"), "--simulation", sim, "-o", page)
        check("llmflow report exits 0", p.returncode == 0, p.stderr)
        html = open(page, encoding="utf-8").read() if os.path.exists(page) else ""
        external = re.findall(r'(?:src|href)\s*=\s*["\'](?!#)[^"\']+|url\(\s*["\']?(?!#)[a-z]+:', html)
        check("self-contained: no external src, href or url()", not external, external[:5])
        check("no <link> or remote script", "<link" not in html and "<script src" not in html)
        for section in ("id=\"dag\"", "id=\"timeline\"", "id=\"jct\"", "id=\"stages\"", "id=\"failures\"",
                        "id=\"schedulers\""):
            check("section %s" % section, section in html)
        check("the DAG draws the program's stages", "grade" in html and "rerank" in html and "class=\"dag\"" in html)
        check("runs appended to one log are kept apart", "run 2 job 1" in html and "run 1 job 12" in html)
        check("the failure and its reason are listed", "exited with status" in html or "invalid JSON" in html,
              re.findall(r"failures.{0,400}", html)[:1])
        check("the schedulers are compared", ">fcfs<" in html and ">sjf<" in html)

        if not shutil.which("chromium"):
            check("chromium is installed (tools/install-deps.sh)", False)
            return 1
        p = chromium(tmp, page, "--dump-dom")
        console = [l for l in p.stderr.splitlines() if "CONSOLE" in l]
        errors = [l for l in console if "Uncaught" in l or "Error" in l or ":ERROR:" in l]
        check("Chromium loads the page", p.returncode == 0, p.stderr[-2000:])
        check("the page's script ran (data-report-ready)", 'data-report-ready="1"' in p.stdout, p.stdout[:300])
        check("no console errors", not errors, errors)
        shot = os.path.join(OUT, "report.png")
        if os.path.exists(shot):
            os.unlink(shot)
        p = chromium(tmp, page, "--window-size=1300,3000", "--screenshot=" + shot)
        size = os.path.getsize(shot) if os.path.exists(shot) else 0
        with open(shot, "rb") as f:
            magic = f.read(8) if size else b""
        check("a screenshot (%s, %d bytes)" % (shot, size), magic == b"\x89PNG\r\n\x1a\n" and size > 20000, p.stderr[-1000:])
        shutil.copy(page, os.path.join(OUT, "report.html"))

        # A page that throws must be caught by the same check: the test can fail.
        broken = os.path.join(tmp, "broken.html")
        open(broken, "w").write(html.replace("document.body.setAttribute", "document.body.setAttributeX"))
        p = chromium(tmp, broken, "--dump-dom")
        check("a script error would be seen", any("Uncaught" in l for l in p.stderr.splitlines()) and
              'data-report-ready="1"' not in p.stdout, p.stderr[-1000:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
