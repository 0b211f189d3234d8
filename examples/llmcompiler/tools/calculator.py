#!/usr/bin/env python3
"""calculator: evaluate an arithmetic expression safely (no eval of names or calls).

stdin:  {"expression": "(828 - 330) / 330"}
stdout: the value as a JSON number, e.g. 1.509090909090909
Accepts numbers (thousands separators like 8,849 are tolerated), + - * / // %
** and parentheses. Exit 1 with a message on stderr for anything else or a
division by zero: the planner sees a failed task.
"""
import ast
import json
import operator
import re
import sys

BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
       ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
UN = {ast.UAdd: operator.pos, ast.USub: operator.neg}


def ev(node):
    if isinstance(node, ast.Expression):
        return ev(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in BIN:
        left, right = ev(node.left), ev(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 100:
            raise ValueError("exponent too large")
        return BIN[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in UN:
        return UN[type(node.op)](ev(node.operand))
    raise ValueError(f"unsupported syntax: {ast.dump(node)[:60]}")


def main() -> int:
    try:
        expr = str(json.load(sys.stdin)["expression"])
    except (ValueError, KeyError, TypeError) as e:
        print(f"calculator: bad request: {e}", file=sys.stderr)
        return 2
    cleaned = re.sub(r"(?<=\d),(?=\d{3}\b)", "", expr).replace("^", "**").replace("×", "*")
    try:
        value = ev(ast.parse(cleaned, mode="eval"))
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError) as e:
        print(f"calculator: cannot evaluate {expr!r}: {e}", file=sys.stderr)
        return 1
    print(json.dumps(float(value)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
