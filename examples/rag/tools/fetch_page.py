#!/usr/bin/env python3
"""fetch_page: offline stand-in for fetching a web page and extracting its text.

stdin:  {"url": "https://..."}
argv:   --web PATH (JSON list of pages {"url", "title", "snippet", "text"})
        [--max-words N] (default 400)
stdout: plain text (result type string): the page title and main text, cut
        to N words. Exit 1 ("404 not found") for a URL that is not in the file,
        as a real fetch of a dead link would fail.
"""
import argparse
import json
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--web", required=True)
    ap.add_argument("--max-words", type=int, default=400)
    opts = ap.parse_args()
    try:
        url = str(json.load(sys.stdin)["url"])
    except (ValueError, KeyError, TypeError) as e:
        print(f"fetch_page: bad request: {e}", file=sys.stderr)
        return 2
    with open(opts.web, encoding="utf-8") as f:
        pages = {p["url"].rstrip("/"): p for p in json.load(f)}
    p = pages.get(url.rstrip("/"))
    if p is None:
        print(f"fetch_page: 404 not found: {url}", file=sys.stderr)
        return 1
    words = p["text"].split()
    text = " ".join(words[:opts.max_words]) + (" ..." if len(words) > opts.max_words else "")
    print(f"{p['title']}\n\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
