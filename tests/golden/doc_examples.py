#!/usr/bin/env python3
"""Every ```llmflow block in README.md and docs/*.md must check without
errors or warnings, so documentation examples never rot. A block that is a
deliberate fragment is fenced as ```llmflow-fragment instead."""
import glob
import os
import re
import subprocess
import sys
import tempfile


def main():
    binary = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    docs = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs/*.md")))
    env = dict(os.environ, NO_COLOR="1", LLMFLOW_STDLIB=os.path.join(root, "stdlib"))
    failures, count = 0, 0
    for doc in docs:
        with open(doc, encoding="utf-8") as f:
            text = f.read()
        for i, block in enumerate(re.findall(r"```llmflow\n(.*?)```", text, re.S)):
            count += 1
            with tempfile.NamedTemporaryFile("w", suffix=".llmflow", delete=False) as tmp:
                tmp.write(block)
            proc = subprocess.run([binary, "check", "--Werror", tmp.name], env=env,
                                  capture_output=True, text=True, timeout=60)
            os.unlink(tmp.name)
            if proc.returncode != 0:
                failures += 1
                sys.stderr.write("%s block %d:\n%s\n" % (os.path.relpath(doc, root), i + 1, proc.stderr))
    print("%d documentation examples, %d failing" % (count, failures))
    return 1 if failures or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
