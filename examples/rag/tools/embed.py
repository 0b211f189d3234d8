#!/usr/bin/env python3
"""embed: deterministic offline text embedding (hashed bag of words + bigrams).

stdin:  {"text": "..."}
argv:   [--dim N] (default 64)
stdout: a JSON list of N floats, L2-normalised.
"""
import argparse
import json
import sys

sys.dont_write_bytecode = True  # keep the example folder clean
from textutil import embed


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dim", type=int, default=64)
    opts = ap.parse_args()
    try:
        text = str(json.load(sys.stdin)["text"])
    except (ValueError, KeyError, TypeError) as e:
        print(f"embed: bad request: {e}", file=sys.stderr)
        return 2
    print(json.dumps(embed(text, opts.dim)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
