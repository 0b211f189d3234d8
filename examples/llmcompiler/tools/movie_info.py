#!/usr/bin/env python3
"""movie_info: metadata of one film from a local database (no network).

stdin:  {"title": "Inception"}
argv:   --db PATH (JSON list of Movie records)
stdout: a JSON Movie record {"title", "year", "director", "genres",
        "runtime_min", "rating"}. The title matches ignoring case and
        punctuation. Exit 1 ("not found") for unknown titles.
"""
import argparse
import json
import re
import sys


def norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    opts = ap.parse_args()
    try:
        title = str(json.load(sys.stdin)["title"])
    except (ValueError, KeyError, TypeError) as e:
        print(f"movie_info: bad request: {e}", file=sys.stderr)
        return 2
    with open(opts.db, encoding="utf-8") as f:
        movies = json.load(f)
    want = norm(title)
    for m in movies:
        if norm(m["title"]) == want or norm(m["title"]).removeprefix("the ") == want.removeprefix("the "):
            print(json.dumps(m))
            return 0
    print(f"movie_info: not found: {title}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
