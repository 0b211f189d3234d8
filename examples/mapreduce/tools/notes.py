#!/usr/bin/env python3
"""notes: render the map step's chunk notes as text for the reduce step.

usage:  python3 tools/notes.py group    stdin {"notes": [ChunkNotes...], "size": 4}
        stdout: a JSON list of strings, one per group of `size` consecutive
        notes (the input of the collapse level).
        python3 tools/notes.py format   stdin {"notes": [ChunkNotes...]}
        stdout: plain text (result type string), all notes in order.
Each note renders as
        Part N: <summary>
          - key point ...
          Entities: a, b, c
Deterministic; exit 2 on a malformed request.
"""
import json
import sys


def render(i: int, n: dict) -> str:
    lines = [f"Part {i}: {' '.join(str(n.get('summary', '')).split())}"]
    lines += [f"  - {p}" for p in n.get("key_points", []) if str(p).strip()]
    ents = [str(e) for e in n.get("entities", []) if str(e).strip()]
    if ents:
        lines.append("  Entities: " + ", ".join(ents))
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) != 2 or sys.argv[1] not in ("group", "format"):
        print("usage: notes.py group|format", file=sys.stderr)
        return 2
    try:
        a = json.load(sys.stdin)
        notes = list(a["notes"])
        size = int(a.get("size", 4))
        if size <= 0:
            raise ValueError("size must be positive")
    except (ValueError, KeyError, TypeError) as e:
        print(f"notes: bad request: {e}", file=sys.stderr)
        return 2
    rendered = [render(i + 1, n if isinstance(n, dict) else {"summary": n}) for i, n in enumerate(notes)]
    if sys.argv[1] == "format":
        print("\n\n".join(rendered) if rendered else "(no notes)")
    else:
        print(json.dumps(["\n\n".join(rendered[i:i + size]) for i in range(0, len(rendered), size)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
