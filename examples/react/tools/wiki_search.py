#!/usr/bin/env python3
"""wiki_search: the ReAct `search[entity]` action over a small local encyclopedia.

stdin:  {"query": "Gustave Eiffel"}
argv:   --corpus PATH (a JSON object {title: page text}) [--sentences N]
stdout: plain text (the tool's result type is string):
        the first N sentences of the page whose title matches the query
        (exactly, ignoring case, accents, punctuation and a parenthetical
        qualifier, or by a close word overlap), otherwise
        "Could not find [query]. Similar: [t1, t2, ...]." like the original
        ReAct Wikipedia API.
Deterministic, offline, a few milliseconds.
"""
import argparse
import json
import re
import sys
import unicodedata

STOP = {"the", "a", "an", "of", "in", "on", "and", "or", "to", "is", "was", "for", "by", "who", "what",
        "which", "where", "when", "how", "film", "novel", "book"}


FOLD = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "ł": "l", "Ł": "L"})


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.translate(FOLD))
    s = s.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9 ]+", " ", s.lower()).strip()


def words(s: str) -> set:
    return {w for w in norm(s).split() if w not in STOP}


def first_sentences(text: str, n: int) -> str:
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(parts[:n])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--sentences", type=int, default=3)
    opts = ap.parse_args()
    try:
        query = str(json.load(sys.stdin)["query"])
    except (ValueError, KeyError, TypeError) as e:
        print(f"wiki_search: bad request: {e}", file=sys.stderr)
        return 2
    with open(opts.corpus, encoding="utf-8") as f:
        pages = json.load(f)

    q = norm(query)
    for title, text in pages.items():
        bare = re.sub(r"\s*\(.*\)$", "", title)
        if q and q in (norm(title), norm(bare)):
            print(first_sentences(text, opts.sentences))
            return 0

    qw = words(query)
    scored = []
    for title, text in pages.items():
        tw = words(title)
        title_overlap = len(qw & tw) / max(1, len(tw))
        body_overlap = len(qw & words(text)) / max(1, len(qw))
        scored.append((3 * title_overlap + body_overlap, title_overlap, title))
    scored.sort(key=lambda s: (-s[0], s[2]))
    best = scored[0] if scored else None
    if best and best[1] >= 0.99 and len(qw) <= len(words(best[2])) + 1:
        print(first_sentences(pages[best[2]], opts.sentences))
        return 0
    similar = [t for score, _, t in scored[:5] if score > 0]
    print(f"Could not find [{query}]. Similar: [{', '.join(similar)}].")
    return 0


if __name__ == "__main__":
    sys.exit(main())
