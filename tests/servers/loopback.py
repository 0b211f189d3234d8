"""Starting the loopback OpenAI-compatible server (fake_openai.py) from a test: a context manager
that yields its base URL and stops it afterwards (it also exits on its own if the test dies,
through --watch-stdin)."""
import contextlib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


@contextlib.contextmanager
def fake_openai(*extra_args):
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_openai.py"), "--port", "0", "--watch-stdin",
                             "--max-seconds", "600"] + list(extra_args),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().split()
        assert line and line[0] == "PORT", line
        yield "%s://127.0.0.1:%s" % ("https" if "--tls-cert" in extra_args else "http", line[1])
    finally:
        proc.terminate()   # quiet: SIGTERM is a normal end
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdin.close()
