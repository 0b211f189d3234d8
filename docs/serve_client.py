#!/usr/bin/env python3
"""An example client of `llmflow serve` (docs/serve.md), standard library only: calls an application
through the OpenAI-compatible facade with the request the `openai` Python package sends
(`client.chat.completions.create(model=APP, messages=[...])`), once whole and once streamed, and
prints the answers. With a token file, the token goes in `Authorization: Bearer`, as the package's
`api_key` does.

usage: serve_client.py URL APP MESSAGE [--token-file FILE]"""
import argparse
import json
import sys
import urllib.error
import urllib.request


def chat(url, token, app, message, stream):
    body = {"messages": [{"role": "user", "content": message}], "model": app}
    if stream:
        body["stream"] = True
    req = urllib.request.Request(url + "/v1/chat/completions", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Accept": "application/json",
                                          "Authorization": "Bearer " + token, "User-Agent": "OpenAI/Python 1.0",
                                          "X-Stainless-Lang": "python"})
    with urllib.request.urlopen(req, timeout=120) as r:
        if not stream:
            return json.load(r)["choices"][0]["message"]["content"]
        text = ""
        for line in r:
            line = line.decode().strip()
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if "error" in chunk:
                raise RuntimeError(chunk["error"]["message"])
            text += chunk["choices"][0]["delta"].get("content") or ""
        return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("app")
    ap.add_argument("message")
    ap.add_argument("--token-file")
    a = ap.parse_args()
    token = open(a.token_file).readline().strip() if a.token_file else "none"
    try:
        print("answer:", chat(a.url, token, a.app, a.message, stream=False))
        print("streamed:", chat(a.url, token, a.app, a.message, stream=True))
    except urllib.error.HTTPError as e:
        sys.exit("%s: %s" % (e.code, json.load(e)["error"]["message"]))


if __name__ == "__main__":
    main()
