#!/usr/bin/env python3
"""The repository stands alone: no tracked file cites a path of the machine it was written on or a
document outside the repository (cite the published source itself). usage: standalone.py"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Spelled in pieces so that this file does not match itself.
FORBIDDEN = ["/" + "work/", "../" + "shared", "behaviour" + "-data.md", "/" + "home/"]


def tracked():
    try:
        out = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"], capture_output=True, check=True).stdout
        return [p for p in out.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):   # not a git checkout (a source tarball)
        return [os.path.relpath(os.path.join(d, f), ROOT) for d, _, fs in os.walk(ROOT)
                if "/build" not in d and "/.git" not in d for f in fs]


def main():
    bad = []
    for rel in tracked():
        try:
            text = open(os.path.join(ROOT, rel), encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        for n, line in enumerate(text.split("\n"), 1):
            for word in FORBIDDEN:
                if word in line:
                    bad.append("%s:%d: cites '%s': %s" % (rel, n, word, line.strip()[:160]))
    print("\n".join(bad) if bad else "no tracked file cites a machine path or an outside document")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
