"""Shared helpers for the RAG example tools: tokenising and a hashed embedding.

Not a tool itself. The embedding is a deterministic bag of words and word
bigrams hashed into `dim` buckets (signed feature hashing), L2-normalised: a
cheap, offline stand-in for a sentence-embedding model that still ranks
passages sharing words with the query first.
"""
import hashlib
import math
import re

STOP = {"the", "a", "an", "of", "in", "on", "and", "or", "to", "is", "are", "was", "what", "which", "how",
        "do", "does", "i", "my", "me", "we", "can", "for", "with", "it", "its", "be", "at", "by", "from",
        "that", "this", "up", "if", "will", "much", "many", "there", "when", "who", "our", "your"}


def stem(w: str) -> str:
    for suf in ("ing", "ed", "es", "s"):
        if len(w) > len(suf) + 3 and w.endswith(suf):
            return w[: -len(suf)]
    return w


def tokens(text: str) -> list:
    return [stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP]


def _bucket(feature: str, dim: int):
    d = hashlib.md5(feature.encode()).digest()
    return int.from_bytes(d[:4], "little") % dim, (1.0 if d[4] & 1 else -1.0)


def embed(text: str, dim: int) -> list:
    v = [0.0] * dim
    toks = tokens(text)
    feats = toks + [a + "_" + b for a, b in zip(toks, toks[1:])]
    for f in feats:
        i, sign = _bucket(f, dim)
        v[i] += sign * (0.5 if "_" in f else 1.0)
    n = math.sqrt(sum(x * x for x in v)) or 1.0
    return [round(x / n, 6) for x in v]


def cosine(a, b) -> float:
    return sum(x * y for x, y in zip(a, b))
