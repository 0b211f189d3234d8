"""What the Python end-to-end tests share: named checks that record their failures, the loopback
model server (tests/servers/fake_openai.py) started on a free port, and small file and event-log
helpers. A test imports it with tests/lib on sys.path and ends with `sys.exit(finish())`.
Not for: anything a test checks (each test says what it expects itself)."""
import json
import os
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "servers"))
from loopback import fake_openai, start as start_fake_openai  # noqa: E402,F401  (re-exported)

failures = []

# The environment the llmflow binary runs in: no colour codes, the repository's standard library,
# and no API key from the developer's shell (tests never reach a real provider).
ENV = dict(os.environ, NO_COLOR="1", LLMFLOW_STDLIB=os.path.join(ROOT, "stdlib"))
ENV.pop("OPENAI_API_KEY", None)


def check(name, cond, detail="", quiet=False):
    """Records a failed check; `detail` (a string, or a finished process whose exit status and
    output tell why) is printed only on failure."""
    if cond:
        if not quiet:
            print("ok  ", name)
        return
    if detail is None:
        detail = ""
    elif isinstance(detail, subprocess.CompletedProcess):
        detail = "exit %d\nstdout: %s\nstderr: %s" % (detail.returncode, str(detail.stdout)[-1500:],
                                                      str(detail.stderr)[-1500:])
    failures.append(name)
    print("FAIL", name + (": " + str(detail)[-2500:] if detail != "" else ""), flush=True)


def finish():
    """The exit status: 1 when a check failed (listed again at the end), else 0."""
    if failures:
        print("%d check(s) failed:\n  %s" % (len(failures), "\n  ".join(failures)))
        return 1
    return 0


def stop(proc):
    """Stops a server from start_fake_openai()."""
    proc.stdin.close()
    proc.wait(timeout=10)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def events_of(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def wait_for(cond, limit=30, step=0.05):
    """Polls cond() until it returns something true (returned) or `limit` seconds pass (None)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return None


def requests_of(url):
    """Every chat request the loopback model server at `url` received, oldest first."""
    with urllib.request.urlopen(url + "/requests", timeout=30) as r:
        return json.load(r)


def last_user(req):
    """The last user message of a request from requests_of()."""
    return next(m["content"] for m in reversed(req["body"]["messages"]) if m.get("role") == "user")
