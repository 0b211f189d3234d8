#!/usr/bin/env python3
"""No text of the parser generator ever reaches a user: every expected
diagnostic output in tests/golden/ is scanned for ANTLR's own phrases."""
import glob
import os
import sys

ANTLR_PHRASES = ["mismatched input", "expecting {", "extraneous input", "no viable alternative",
                 "missing '", "token recognition error", "<EOF>", "<missing"]


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    bad = 0
    files = sorted(glob.glob(os.path.join(root, "tests/golden/**/*.expected"), recursive=True))
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                if ": error:" not in line and ": note:" not in line and ": warning:" not in line:
                    continue
                for phrase in ANTLR_PHRASES:
                    if phrase in line:
                        bad += 1
                        sys.stderr.write("%s:%d: parser-generator wording '%s': %s" % (
                            os.path.relpath(path, root), n, phrase, line))
    print("%d expected outputs scanned, %d lines in ANTLR's words" % (len(files), bad))
    return 1 if bad or not files else 0


if __name__ == "__main__":
    sys.exit(main())
