"""Starting the loopback OpenAI-compatible server (fake_openai.py) from a test: start() or a context
manager that yields its base URL and stops it afterwards (it also exits on its own if the test dies,
through --watch-stdin)."""
import contextlib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def start(*extra_args):
    """Starts the server; returns (process, base URL). Closing its stdin stops it."""
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_openai.py"), "--port", "0", "--watch-stdin",
                             "--max-seconds", "600"] + list(extra_args),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().split()
    if not line or line[0] != "PORT":
        proc.kill()
        raise RuntimeError("fake_openai.py did not start: %r" % line)
    return proc, "%s://127.0.0.1:%s" % ("https" if "--tls-cert" in extra_args else "http", line[1])


@contextlib.contextmanager
def fake_openai(*extra_args):
    proc, url = start(*extra_args)
    try:
        yield url
    finally:
        proc.terminate()   # quiet: SIGTERM is a normal end
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdin.close()
