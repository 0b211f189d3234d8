"""One `llmflow serve` process for a test: started on a free port (its stderr says which), its stderr
collected in the background, JSON requests, and a stop by signal. Not for: anything a test checks."""
import http.client
import json
import re
import signal
import subprocess
import threading

from harness import ENV


class Server:
    """One `llmflow serve` process; its stderr is collected in the background."""

    def __init__(self, binary, args):
        self.proc = subprocess.Popen([binary, "serve", "--port", "0"] + args, env=ENV, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.ready = threading.Event()
        self.url = None
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.ready.wait(60)
        if not self.url:
            self.proc.kill()
            raise AssertionError("serve did not start: " + "".join(self.lines))
        m = re.match(r"http://([^:]+):(\d+)", self.url)
        self.host, self.port = m.group(1), int(m.group(2))

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line)
            m = re.search(r"listening on (http://\S+)", line)
            if m:
                self.url = m.group(1)
                self.ready.set()
        self.ready.set()

    def stderr(self):
        """What it wrote on stderr so far (all of it once it has exited)."""
        if self.proc.poll() is not None:
            self.reader.join(10)   # the last lines may still be in the pipe
        return "".join(self.lines)

    def request(self, method, path, body=None, headers=None, timeout=30):
        """(status, parsed JSON body or raw text, headers)."""
        c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        h = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read().decode()
        c.close()
        try:
            return r.status, json.loads(data), r
        except ValueError:
            return r.status, data, r

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if sig and self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None
