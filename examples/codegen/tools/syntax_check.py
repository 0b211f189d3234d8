#!/usr/bin/env python3
"""syntax_check: compile (never run) the candidate Python code.

stdin:  {"code": "..."}
stdout: plain text (the tool's result type is string): "ok", or the syntax
        error with its line number. Always exits 0 on a readable request, so a
        syntax error is data for the repair prompt, not a tool failure.
"""
import json
import sys


def main() -> int:
    try:
        args = json.load(sys.stdin)
        code = args["code"]
    except (ValueError, KeyError, TypeError) as e:
        print(f"syntax_check: bad request: {e}", file=sys.stderr)
        return 2
    try:
        compile(code, "<candidate>", "exec")
    except SyntaxError as e:
        line = (e.text or "").rstrip()
        print(f"SyntaxError at line {e.lineno}: {e.msg}" + (f"\n    {line}" if line else ""))
        return 0
    except ValueError as e:  # e.g. null bytes in the source
        print(f"invalid source: {e}")
        return 0
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
