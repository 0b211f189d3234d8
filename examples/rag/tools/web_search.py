#!/usr/bin/env python3
"""web_search: offline stand-in for a web search API.

stdin:  {"query": "irs mileage rate 2024", "num": 3}
argv:   --web PATH  (JSON list of pages {"url", "title", "snippet", "text"})
stdout: a JSON list of WebHit {"url", "title", "snippet"}, best first, at
        most `num`, only pages sharing at least two content words with the
        query (or one, for one-word queries); [] when nothing matches.
"""
import argparse
import json
import sys

sys.dont_write_bytecode = True  # keep the example folder clean
from textutil import tokens


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--web", required=True)
    opts = ap.parse_args()
    try:
        a = json.load(sys.stdin)
        query, num = str(a["query"]), int(a.get("num", 3))
    except (ValueError, KeyError, TypeError) as e:
        print(f"web_search: bad request: {e}", file=sys.stderr)
        return 2
    with open(opts.web, encoding="utf-8") as f:
        pages = json.load(f)
    q = set(tokens(query))
    need = 1 if len(q) <= 1 else 2
    scored = []
    for i, p in enumerate(pages):
        title = set(tokens(p["title"]))
        body = set(tokens(p["snippet"] + " " + p["text"]))
        s = 2 * len(q & title) + len(q & body)
        if len(q & (title | body)) >= need:
            scored.append((-s, i, p))
    scored.sort(key=lambda t: (t[0], t[1]))
    print(json.dumps([{"url": p["url"], "title": p["title"], "snippet": p["snippet"]}
                      for _, _, p in scored[:num]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
