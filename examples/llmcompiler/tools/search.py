#!/usr/bin/env python3
"""search: keyword search over a small local fact corpus (no network).

stdin:  {"query": "height of the Burj Khalifa"}
argv:   --corpus PATH (JSON list of {"id", "title", "text"}) [--top N]
stdout: plain text (result type string): the N best passages as
        "[title] text" lines, best first, or "No results for: <query>".
Scoring: word overlap with the title (weight 2) and the text, ignoring case,
punctuation and stop words; ties broken by id, so results are deterministic.
"""
import argparse
import json
import re
import sys

STOP = {"the", "a", "an", "of", "in", "on", "and", "or", "to", "is", "was", "what", "which", "how",
        "many", "much", "does", "do", "it", "its", "by", "for", "with", "than", "as", "at", "be"}


def words(s: str) -> set:
    ws = re.findall(r"[a-z0-9]+", s.lower())
    out = set()
    for w in ws:
        if w in STOP:
            continue
        out.add(w)
        if len(w) > 3 and w.endswith("s"):
            out.add(w[:-1])  # crude plural folding: "moons" ~ "moon"
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--top", type=int, default=2)
    opts = ap.parse_args()
    try:
        query = str(json.load(sys.stdin)["query"])
    except (ValueError, KeyError, TypeError) as e:
        print(f"search: bad request: {e}", file=sys.stderr)
        return 2
    with open(opts.corpus, encoding="utf-8") as f:
        docs = json.load(f)
    q = words(query)
    scored = []
    for d in docs:
        s = 2 * len(q & words(d["title"])) + len(q & words(d["text"]))
        if s > 0:
            scored.append((-s, d["id"], d))
    scored.sort(key=lambda t: (t[0], t[1]))
    if not scored:
        print(f"No results for: {query}")
        return 0
    print("\n".join(f"[{d['title']}] {d['text']}" for _, _, d in scored[:opts.top]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
