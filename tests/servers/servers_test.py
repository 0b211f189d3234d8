#!/usr/bin/env python3
"""docs/servers.md and docs/config.md work as written: each server's configuration from the page runs
an example against the loopback server in that server's flavour (fake_openai.py --flavour), which
refuses the request shapes the real server refuses, and every request llmflow sent is checked: the
served model id, the response_format form, the extra fields, the headers and the key. A wrong
configuration must fail the same way. Also: https with a private CA (ca_bundle), Retry-After as an
HTTP date, and config.md's example as copied. usage: servers_test.py LLMFLOW_BINARY"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "servers"))
from loopback import fake_openai  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from harness import check, failures  # noqa: E402

BIN = sys.argv[1]
KEY = "sk-test-key-0123"
ENV = dict(os.environ, NO_COLOR="1", OPENAI_API_KEY=KEY, GATEWAY_KEY=KEY, BACKUP_API_KEY=KEY)
CODEGEN = os.path.join(ROOT, "examples", "codegen")
LLMCOMPILER = os.path.join(ROOT, "examples", "llmcompiler")
SECTIONS = {"vLLM": "vllm", "SGLang": "sglang", "llama.cpp's llama-server": "llama-server", "Ollama": "ollama",
            "OpenAI": "openai", "A gateway with its own CA and headers": None}


def toml_blocks(doc):
    """{section title: the TOML block under it} for a Markdown page."""
    out, title = {}, None
    text = open(os.path.join(ROOT, "docs", doc), encoding="utf-8").read()
    for m in re.finditer(r"^## ([^\n]+)$|^```toml\n(.*?)^```", text, re.S | re.M):
        if m.group(1):
            title = m.group(1).strip()
        elif title not in out:
            out[title] = m.group(2)
    return out


def point_at(toml, url, **files):
    toml = re.sub(r'^url = "[^"]*"', 'url = "%s"' % url, toml, flags=re.M)
    for key, path in files.items():
        toml = re.sub(r'^%s = "[^"]*"' % key, '%s = "%s"' % (key, path), toml, flags=re.M)
    return toml


def requests_seen(url, ca=None):
    import ssl
    ctx = ssl.create_default_context(cafile=ca) if ca else None
    with urllib.request.urlopen(url + "/requests", context=ctx, timeout=10) as r:
        return json.load(r)


def run(*args, env=ENV):
    return subprocess.run([BIN] + list(args), env=env, capture_output=True, text=True, timeout=120)


def expected_id(cfg, model):
    ep = cfg["endpoints"][0]
    ids = ep.get("model_ids", {})
    m = cfg.get("models", {}).get(model, {})
    return ids.get(model) or m.get("id") or ids.get("*") or model


def check_requests(label, cfg, reqs, model):
    ep = cfg["endpoints"][0]
    m = cfg.get("models", {}).get(model, {})
    want_extra = dict(m.get("extra", {}), **ep.get("extra", {}))
    form = ep.get("response_format", "json_schema")
    mine = [r for r in reqs if r["body"]["model"] == expected_id(cfg, model)]   # others: another model's pass
    check("%s: requests sent as model id %r" % (label, expected_id(cfg, model)), len(mine) > 0,
          [r["body"]["model"] for r in reqs])
    field = m.get("max_tokens_field", "max_tokens")
    props = {"extra fields %s" % want_extra: lambda b, h: all(b.get(k) == v for k, v in want_extra.items()),
             "output length as %s" % field: lambda b, h: field in b,
             "response_format as %s" % form: lambda b, h: "response_format" not in b or (
                 b["response_format"].get("type") == form and
                 ("schema" in b["response_format"] if form == "json_object"
                  else "schema" in b["response_format"].get("json_schema", {}))),
             "headers %s" % ep.get("headers", {}): lambda b, h: all(h.get(k.lower()) == v
                                                                    for k, v in ep.get("headers", {}).items())}
    if ep.get("api_key_env"):
        props["the key as a bearer token"] = lambda b, h: h.get("authorization") == "Bearer " + KEY
    for name, ok in props.items():
        bad = [r for r in mine if not ok(r["body"], r["headers"])]
        check("%s: %d request(s), every one with %s" % (label, len(mine), name), not bad, bad[:1])
    if form != "none":
        check("%s: structured stages sent a schema" % label, any("response_format" in r["body"] for r in mine))


def server_sections(tmp):
    blocks = toml_blocks("servers.md")
    for title, flavour in SECTIONS.items():
        check("servers.md has a configuration for %s" % title, title in blocks, sorted(blocks))
        if title not in blocks or flavour is None:
            continue
        cfg = tomllib.loads(blocks[title])
        programs = [("coder", CODEGEN)] + ([("planner-8b", LLMCOMPILER)] if flavour == "openai" else [])
        served = sorted({expected_id(cfg, model) for model, _ in programs} |
                        ({expected_id(cfg, "chat-8b")} if flavour == "openai" else set()))
        extra = ["--flavour", flavour] + [a for s in served for a in ("--served-model", s)]
        if cfg["endpoints"][0].get("api_key_env"):
            extra += ["--api-key", KEY]
        for model, app in programs:
            with fake_openai(*extra) as url:
                path = os.path.join(tmp, flavour + ".toml")
                open(path, "w").write(point_at(blocks[title], url))
                p = run("run", app, "--config", path)
                check("%s: %s runs with the documented configuration" % (title, os.path.basename(app)),
                      p.returncode == 0, p.stderr)
                check_requests("%s/%s" % (title, model), cfg, requests_seen(url), model)
        # The flavour bites: the same server refuses a configuration that is wrong for it.
        wrong = {"vllm": ("model_ids", "the served id missing"), "ollama": ("model_ids", "the served id missing"),
                 "openai": ("max_tokens_field", "max_tokens for a reasoning model")}
        if flavour in wrong:
            key, why = wrong[flavour]
            bad = "\n".join(l for l in blocks[title].split("\n") if not l.startswith(key))
            app = LLMCOMPILER if flavour == "openai" else CODEGEN
            with fake_openai(*extra) as url:
                path = os.path.join(tmp, flavour + "-wrong.toml")
                open(path, "w").write(point_at(bad, url))
                p = run("run", app, "--config", path)
                check("%s: refused with %s (exit 1, the server's reason)" % (title, why),
                      p.returncode == 1 and ("does not exist" in p.stderr or "not found" in p.stderr or
                                             "max_completion_tokens" in p.stderr), p.stderr)


def gateway(tmp):
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    p = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                       capture_output=True, text=True)
    check("a self-signed certificate for the gateway", p.returncode == 0, p.stderr)
    title = "A gateway with its own CA and headers"
    block = toml_blocks("servers.md")[title]
    with fake_openai("--tls-cert", cert, "--tls-key", key, "--api-key", KEY) as url:
        check("the gateway serves https", url.startswith("https://"), url)
        path = os.path.join(tmp, "gateway.toml")
        open(path, "w").write(point_at(block, url, ca_bundle=cert))
        p = run("run", CODEGEN, "--config", path)
        check("gateway: https verified with ca_bundle", p.returncode == 0, p.stderr)
        check_requests("gateway", tomllib.loads(block), requests_seen(url, ca=cert), "coder")
        open(path, "w").write(point_at("\n".join(l for l in block.split("\n") if not l.startswith("ca_bundle")), url))
        p = run("run", CODEGEN, "--config", path)
        check("gateway: without ca_bundle the certificate is refused", p.returncode == 1 and
              "certificate" in p.stderr.lower(), p.stderr)


def retry_after_date():
    faults = os.path.join(ROOT, "tests/e2e/apps/faults.llmflow")
    with fake_openai() as url:
        t0 = time.monotonic()
        p = run("run", faults, "--app", "echo", "--input", "q=hi [[fault:429datex1:2]]", "--backend", url)
        took = time.monotonic() - t0
        check("Retry-After as an HTTP date is honoured (%.1f s)" % took, p.returncode == 0 and took >= 1.0, p.stderr)


def config_example(tmp):
    block = toml_blocks("config.md")[None]
    path = os.path.join(tmp, "config.toml")
    open(path, "w").write(block)
    p = run("run", CODEGEN, "--config", path, "--backend", "sim", "--time-scale", "200")
    check("config.md's example as copied (simulated backend)", p.returncode == 0, p.stderr)
    with fake_openai() as url:
        open(path, "w").write(point_at(block, url))
        p = run("run", CODEGEN, "--config", path)
        check("config.md's example against the loopback server", p.returncode == 0, p.stderr)
        reqs = requests_seen(url)
        check("config.md: coder's extra fields and the '*' id were sent",
              reqs and all(r["body"].get("top_p") == 0.9 and r["body"]["model"] == "qwen2.5-7b" for r in reqs), reqs[:1])


def main():
    with tempfile.TemporaryDirectory() as tmp:
        server_sections(tmp)
        gateway(tmp)
        retry_after_date()
        config_example(tmp)
    print("%d failure(s)" % len(failures) if failures else "all ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
