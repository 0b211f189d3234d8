#!/usr/bin/env python3
"""retrieve: brute-force vector search over a small local index.

stdin:  {"embedding": [floats], "collection": "handbook", "k": 20}
argv:   --index PATH  (JSONL of {"collection", "id", "title", "text"}; passages
        are embedded on the fly with the same hashed embedding as embed.py,
        with the dimension taken from the query vector)
stdout: a JSON list of Passage {"id", "title", "text", "score"} of the given
        collection, best cosine first (ties by id), at most k. An unknown
        collection gives []. Exit 2 on a malformed request.
"""
import argparse
import json
import sys

sys.dont_write_bytecode = True  # keep the example folder clean
from textutil import cosine, embed


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    opts = ap.parse_args()
    try:
        a = json.load(sys.stdin)
        q = [float(x) for x in a["embedding"]]
        coll = str(a["collection"])
        k = int(a.get("k", 20))
    except (ValueError, KeyError, TypeError) as e:
        print(f"retrieve: bad request: {e}", file=sys.stderr)
        return 2
    if not q:
        print("retrieve: empty embedding", file=sys.stderr)
        return 2
    hits = []
    with open(opts.index, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            p = json.loads(line)
            if p["collection"] != coll:
                continue
            s = cosine(q, embed(p["title"] + " " + p["text"], len(q)))
            hits.append({"id": p["id"], "title": p["title"], "text": p["text"], "score": round(s, 4)})
    hits.sort(key=lambda h: (-h["score"], h["id"]))
    print(json.dumps(hits[:k]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
