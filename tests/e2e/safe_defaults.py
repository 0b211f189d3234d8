#!/usr/bin/env python3
"""End to end, safe by default: tool HTTP requests (HTTP tools, std.http) reach
only public addresses unless [network] allow_hosts lets them (checked on every
address connected to and every redirect hop); tool processes get a minimal
environment and never the endpoints' API keys. The llmflow binary against the
loopback OpenAI-compatible server, loopback HTTP servers and real processes.

usage: safe_defaults.py LLMFLOW GROUP     (GROUP: network, env)"""
import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile

from hostile import ENV, ROOT, GROUP, allow_config, check, failures, llmflow, start_fake_openai, start_http, write

APP = os.path.join(ROOT, "tests/e2e/apps/safe.llmflow")


def ipv6_works():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


# libcurl resolves no IPv6 literal on a machine without IPv6.
IPV6_TARGETS = [("http://[fd00::1]:9/", "fd00::1", "unique-local")] if ipv6_works() else []


class Target(http.server.BaseHTTPRequestHandler):
    """Counts requests; /go?PORT redirects to 127.0.0.1:PORT, /name?PORT to localhost:PORT."""
    hits = 0

    def do_GET(self):
        Target.hits += 1
        path, _, query = self.path.partition("?")
        if path in ("/go", "/name"):
            host = "127.0.0.1" if path == "/go" else "localhost"
            self.send_response(302)
            self.send_header("Location", "http://%s:%s/landed" % (host, query))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b'"reached"'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def group_network(tmp):
    server, url = start_fake_openai()
    web, base = start_http(Target)
    port = base.rsplit(":", 1)[1]
    try:
        events = os.path.join(tmp, "events.jsonl")

        def fetch(target, *config):
            if os.path.exists(events):
                os.unlink(events)
            hits = Target.hits
            p, _ = llmflow("run", APP, "--app", "fetch_any", "--input", "url=" + target, "--backend", url,
                           "--events", events, *config)
            return p, Target.hits - hits

        def attempts():
            return [e.get("attempts") for e in map(json.loads, open(events)) if e.get("type") == "task_failed"]

        # The model endpoint is on loopback too: it is the operator's and never checked.
        for target, addr, kind in [(base + "/x", "127.0.0.1", "loopback"),
                                   ("http://localhost:%s/x" % port, None, "loopback"),  # a name resolving to loopback
                                   ("http://[::ffff:127.0.0.1]:%s/x" % port, "127.0.0.1", "loopback"),
                                   ("http://2130706433:%s/x" % port, "127.0.0.1", "loopback"),
                                   ("http://0.0.0.0:%s/x" % port, "0.0.0.0", "unspecified"),
                                   ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "link-local"),
                                   ("http://10.0.0.1:9/", "10.0.0.1", "private")] + IPV6_TARGETS:
            p, hits = fetch(target)
            said = "refused to connect to %s" % (addr or "") if addr else "refused to connect to "
            check("http.get %s is refused (%s) without an allow-list, and not retried" % (target, kind),
                  p.returncode == 1 and said in p.stderr and "(%s)" % kind in p.stderr
                  and "allow_hosts in the [network] section" in p.stderr and hits == 0 and attempts() == [1],
                  "%s %s" % (attempts(), p.stderr))

        p, hits = fetch(base + "/x", "--config", allow_config(tmp, "127.0.0.1:" + port))
        check("an allowed address:port is fetched", p.returncode == 0 and "reached" in p.stdout and hits == 1,
              p.stdout + p.stderr)
        p, hits = fetch("http://localhost:%s/x" % port, "--config", allow_config(tmp, "localhost"))
        check("an allowed host name is fetched", p.returncode == 0 and "reached" in p.stdout and hits == 1,
              p.stdout + p.stderr)
        p, hits = fetch(base + "/x", "--config", allow_config(tmp, "127.0.0.0/8"))
        check("an allowed network is fetched", p.returncode == 0 and hits == 1, p.stderr)
        p, hits = fetch(base + "/x", "--config", allow_config(tmp, "127.0.0.1:1"))
        check("another port of an allowed address is refused", p.returncode == 1 and hits == 0
              and 'add "127.0.0.1:%s"' % port in p.stderr, p.stderr)

        # Redirects: each hop is checked on its own.
        other, other_base = start_http(Target)
        other_port = other_base.rsplit(":", 1)[1]
        try:
            p, hits = fetch("http://localhost:%s/go?%s" % (port, other_port), "--config",
                            allow_config(tmp, "localhost:" + port))
            check("a redirect from an allowed host to 127.0.0.1 is refused", p.returncode == 1 and hits == 1
                  and "refused to connect to 127.0.0.1 port %s" % other_port in p.stderr, p.stderr)
            p, hits = fetch(base + "/go?" + other_port, "--config", allow_config(tmp, "127.0.0.1:" + port))
            check("a redirect to another port of an allowed address is refused", p.returncode == 1 and hits == 1
                  and "port %s" % other_port in p.stderr, p.stderr)
            p, hits = fetch(base + "/name?" + other_port, "--config",
                            allow_config(tmp, "127.0.0.1:" + port, "localhost:" + other_port))
            check("a redirect inside the allowed set is followed", p.returncode == 0 and hits == 2
                  and "reached" in p.stdout, p.stdout + p.stderr)
        finally:
            other.shutdown()

        # HTTP tools (not only std.http) are checked the same way.
        hits = Target.hits
        p, _ = llmflow("run", APP, "--app", "fetch_item", "--input", "base=" + base, "--input", "id=1",
                       "--backend", url)
        check("an HTTP tool to loopback is refused", p.returncode == 1 and Target.hits == hits
              and "refused to connect to 127.0.0.1 port %s" % port in p.stderr, p.stderr)

        for entries, says in [('["10.0.0.1/8"]', "host bits are set"), ('["host:99999"]', "port must be a number"),
                              ('["[::1"]', "expected ']'"), ('"localhost"', "expected a list of strings"),
                              ('["http://x"]', "not a URL"), ('[1]', "expected a list of strings")]:
            cfg = write(os.path.join(tmp, "bad.toml"), "[network]\nallow_hosts = %s\n" % entries)
            p, _ = llmflow("run", APP, "--app", "fetch_any", "--input", "url=" + base, "--backend", url, "--config", cfg)
            check("allow_hosts = %s is a malformed config (exit 3)" % entries, p.returncode == 3 and says in p.stderr
                  and "allow_hosts" in p.stderr, p.stderr)
        cfg = write(os.path.join(tmp, "bad.toml"), "[network]\nallow = []\n")
        p, _ = llmflow("run", APP, "--app", "fetch_any", "--input", "url=" + base, "--backend", url, "--config", cfg)
        check("an unknown [network] key is a malformed config", p.returncode == 3 and "unknown key 'allow'" in p.stderr,
              p.stderr)
    finally:
        server.stdin.close()
        server.wait(timeout=10)
        web.shutdown()


def env_of(text):
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def group_env(tmp):
    server, url = start_fake_openai()
    try:
        env = dict(ENV, OPENAI_API_KEY="sk-not-for-tools", DECLARED_VAR="declared", UNDECLARED_SECRET="s3cret",
                   HOME=tmp, LANG="C.UTF-8", TZ="UTC")
        env.pop("LC_ALL", None)
        p = subprocess.run([sys.argv[1], "run", APP, "--app", "environment", "--backend", url, "--json",
                            os.path.join(tmp, "r.json")], env=env, capture_output=True, text=True, timeout=60)
        result = json.load(open(os.path.join(tmp, "r.json"))).get("result", "") if p.returncode == 0 else ""
        declared, _, plain = result.partition("----\n")
        got, got_plain = env_of(declared), env_of(plain)
        check("the run succeeds", p.returncode == 0, p.stderr)
        check("a tool gets PATH, HOME, LANG, TZ and what it declares",
              got.get("PATH") == env["PATH"] and got.get("HOME") == tmp and got.get("LANG") == "C.UTF-8"
              and got.get("TZ") == "UTC" and got.get("DECLARED_VAR") == "declared", declared)
        check("nothing else: no undeclared variable, never the API key even when declared",
              set(got) <= {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "DECLARED_VAR"} and "sk-not-for-tools" not in result
              and "s3cret" not in result, declared)
        check("a tool that declares nothing gets only PATH, HOME, LANG, TZ",
              set(got_plain) == {"PATH", "HOME", "LANG", "TZ"}, plain)
        check("declaring the API key variable is warned about at the start",
              "warning: tool 'show_env' declares env 'OPENAI_API_KEY'" in p.stderr, p.stderr)
    finally:
        server.stdin.close()
        server.wait(timeout=10)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        {"network": group_network, "env": group_env}[GROUP](tmp)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
