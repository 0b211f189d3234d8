#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, built from files the repository already
has: each target gets inputs of its own format, so libFuzzer starts from
valid documents and mutates them instead of discovering JSON or TOML from
nothing. Targets whose first byte picks an example (fuzz_support.h's Input)
get that byte prefixed. tests/fuzz/seeds/TARGET/ and the target's
regressions are added as they are.

    make_seeds.py OUT_DIR TARGET...     writes OUT_DIR/TARGET/*
"""
import glob
import json
import os
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = sorted(os.path.basename(os.path.dirname(p)) for p in glob.glob(f"{ROOT}/examples/*/app.llmflow"))


def files(pattern):
    return sorted(p for p in glob.glob(os.path.join(ROOT, pattern)) if os.path.isfile(p))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def test_replies():
    """Every canned model reply in the examples' app.tests.toml (by stage)."""
    out = []
    for path in files("examples/*/app.tests.toml"):
        with open(path, "rb") as f:
            for test in tomllib.load(f).get("test", []):
                out += list(test.get("replies", {}).values())
    return out


def reply_seeds():
    """Replies as a server sends them: whole bodies and SSE streams."""
    contents = [r if isinstance(r, str) else json.dumps(r) for r in test_replies()]
    contents += [read(p).decode() for p in files("examples/*/tools/*.json")]
    for i, content in enumerate(contents):
        body = {"id": "c", "object": "chat.completion", "choices": [{"index": 0, "message":
                {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5}}
        schema = 2 if content.lstrip().startswith(("{", "[")) else 0
        yield bytes([schema]) + json.dumps(body).encode()
        events = [{"choices": [{"index": 0, "delta": {"content": content[k:k + 16]}}]}
                  for k in range(0, len(content), 16)]
        events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        events.append({"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5}})
        stream = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + ": keep-alive\r\n\r\ndata: [DONE]\n\n"
        yield bytes([1 | schema | ((i % 32) << 3)]) + stream.encode()


def prefixed(pattern, name_of=lambda p: p.split("/examples/")[1].split("/")[0]):
    for p in files(pattern):
        yield bytes([EXAMPLES.index(name_of(p))]) + read(p)


def toml_blocks(pattern):
    for p in files(pattern):
        text = read(p).decode()
        for block in text.split("```toml\n")[1:]:
            yield block.split("```")[0].encode()


def seeds(target):
    if target == "compile":
        return [read(p) for p in files("examples/*/app.llmflow") + files("tests/golden/diagnostics/*.llmflow")]
    if target == "reply":
        return list(reply_seeds())
    if target == "plan":
        plans = [json.dumps(r).encode() for r in test_replies() if isinstance(r, dict) and "steps" in r]
        return [bytes([k]) + p for p in plans for k in range(8)]
    if target == "tool_output":
        outs = [read(p) for p in files("examples/*/tools/*.json")]
        outs += [line.encode() for p in files("examples/*/inputs.jsonl") for line in read(p).decode().splitlines()]
        return [bytes([i % 64]) + o for i, o in enumerate(outs)]
    if target == "inputs":
        return list(prefixed("examples/*/inputs.jsonl"))
    if target == "config":
        return list(toml_blocks("docs/*.md")) + [read(p) for p in files("tests/e2e/workloads/*.toml")]
    if target == "behaviour":
        return list(prefixed("examples/*/behaviour.toml"))
    if target == "ir":
        return [read(p) for p in files("tests/golden/examples/*.ir.json")]
    if target == "profile":
        return list(prefixed("examples/workloads/traces/*.profile.jsonl",
                             lambda p: os.path.basename(p).split(".")[0]))
    if target == "bif":
        return [read(p) for p in files("tests/unit/bn/data/*.bif")]
    if target == "bn_json":
        return []  # tests/fuzz/seeds/bn_json: `llmflow bn train` of examples/workloads/traces
    sys.exit(f"make_seeds.py: unknown target {target}")


def main():
    out, targets = sys.argv[1], sys.argv[2:]
    for t in targets:
        d = os.path.join(out, t)
        os.makedirs(d, exist_ok=True)
        extra = files(f"tests/fuzz/seeds/{t}/*") + files(f"tests/fuzz/regressions/{t}/*")
        for i, s in enumerate(seeds(t) + [read(p) for p in extra]):
            with open(os.path.join(d, f"seed-{i:04d}"), "wb") as f:
                f.write(s)
        print(f"{t}: {len(os.listdir(d))} inputs in {d}")


if __name__ == "__main__":
    main()
