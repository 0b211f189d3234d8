#!/usr/bin/env python3
"""append_step: append one ReAct step to the running trace.

stdin:  {"trace": "...", "step": {"thought", "action", "query", "final_answer"},
         "observation": "...", "index": 3}
stdout: plain text (result type string): the trace followed by
        Thought 3: ...
        Action 3: search[query]   or   finish[answer]
        Observation 3: ...        (only for search)
"""
import json
import sys


def main() -> int:
    try:
        a = json.load(sys.stdin)
        trace, step, obs, i = a["trace"], a["step"], a["observation"], int(a["index"])
    except (ValueError, KeyError, TypeError) as e:
        print(f"append_step: bad request: {e}", file=sys.stderr)
        return 2
    lines = [trace.rstrip("\n")] if trace.strip() else []
    lines.append(f"Thought {i}: {step.get('thought', '').strip()}")
    if step.get("action") == "finish":
        lines.append(f"Action {i}: finish[{step.get('final_answer', '')}]")
    else:
        lines.append(f"Action {i}: {step.get('action', 'search')}[{step.get('query', '')}]")
        lines.append(f"Observation {i}: {' '.join(str(obs).split())}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
