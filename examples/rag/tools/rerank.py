#!/usr/bin/env python3
"""rerank: a deterministic stand-in for a cross-encoder reranker.

stdin:  {"query": "...", "passages": [Passage...], "top_k": 4}
stdout: a JSON Ranked record:
        {"passages": [top_k Passages, score replaced by the rerank score],
         "context": "[id] title: text" lines, best first,
         "top_score": the best rerank score (0 when there are no passages)}
Score in 0..1: the share of the query's content words (stemmed) found in the
passage, plus a bonus for shared word bigrams, capped at 1.
"""
import json
import sys

sys.dont_write_bytecode = True  # keep the example folder clean
from textutil import tokens


def score(query: str, passage: dict) -> float:
    q = tokens(query)
    if not q:
        return 0.0
    p = tokens(passage["title"] + " " + passage["text"])
    ps = set(p)
    unigram = sum(1 for w in set(q) if w in ps) / len(set(q))
    qb = set(zip(q, q[1:]))
    bigram = len(qb & set(zip(p, p[1:]))) / len(qb) if qb else 0.0
    return round(min(1.0, 0.8 * unigram + 0.4 * bigram), 4)


def main() -> int:
    try:
        a = json.load(sys.stdin)
        query, passages, k = str(a["query"]), list(a["passages"]), int(a["top_k"])
    except (ValueError, KeyError, TypeError) as e:
        print(f"rerank: bad request: {e}", file=sys.stderr)
        return 2
    scored = [dict(p, score=score(query, p)) for p in passages]
    scored.sort(key=lambda p: (-p["score"], p["id"]))
    top = scored[:max(0, k)]
    context = "\n".join(f"[{p['id']}] {p['title']}: {p['text']}" for p in top)
    print(json.dumps({"passages": top, "context": context or "(no passages)",
                      "top_score": top[0]["score"] if top else 0.0}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
