#!/usr/bin/env python3
"""Runs every shell command a document shows, so the docs cannot drift from the tool.

usage: run_doc_commands.py LLMFLOW_BINARY BUILD_DIR DOC.md

Commands are the lines of fenced code blocks whose language is sh, bash or shell (every line that is
not blank or a comment; a trailing backslash continues a line) and the '$ ' lines of console blocks.
A command whose trailing comment starts with 'untested:' is not run (the comment says why: a real
GPU server, the test suite itself); everything else must exit 0. The commands of one document run in
order, in one scratch directory that looks like a checkout (examples/ copied, everything else
linked, build/ = BUILD_DIR), with 'llmflow' on PATH and HOME in the scratch directory, so a document can build on its earlier
commands (profile, then train, then estimate). A document whose commands use $LLMFLOW_PG gets a
throwaway PostgreSQL server (tests/lib/pg.py) and a fresh database's URI in LLMFLOW_PG; without the
server binaries, the code blocks that use it are skipped with a visible message."""
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import pg  # noqa: E402
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)
UNTESTED = re.compile(r"#\s*untested:")
PG_VAR = "$LLMFLOW_PG"


def commands(text):
    """(line number, command, untested, needs PostgreSQL) for every command of the document."""
    out = []
    for m in FENCE.finditer(text):
        lang, body = m.group(1), m.group(2)
        if lang not in ("sh", "bash", "shell", "console"):
            continue
        needs_pg = PG_VAR in body
        first = text.count("\n", 0, m.start(2)) + 1
        pending, start = "", 0
        for i, line in enumerate(body.split("\n")):
            if lang == "console":
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if not pending:
                start = first + i
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            cmd = pending + line
            pending = ""
            out.append((start, cmd, bool(UNTESTED.search(cmd)), needs_pg))
    return out


def scratch_checkout(tmp, build_dir):
    for name in os.listdir(ROOT):
        if name in (".git", "build") or name.startswith("build-"):
            continue
        src = os.path.join(ROOT, name)
        if name == "examples":
            shutil.copytree(src, os.path.join(tmp, name))
        else:
            os.symlink(src, os.path.join(tmp, name))
    os.symlink(os.path.abspath(build_dir), os.path.join(tmp, "build"))
    bindir = os.path.join(tmp, ".bin")
    os.mkdir(bindir)
    os.symlink(os.path.abspath(sys.argv[1]), os.path.join(bindir, "llmflow"))
    return bindir


def main():
    binary, build_dir, doc = sys.argv[1], sys.argv[2], sys.argv[3]
    cmds = commands(open(os.path.join(ROOT, doc), encoding="utf-8").read())
    if not cmds:
        print("%s: no shell commands found (the test is registered only for documents that show some)" % doc)
        return 1
    with contextlib.ExitStack() as stack:
        pg_uri = None
        if any(needs_pg for *_, needs_pg in cmds):
            if pg.bin_dir():
                pg_uri = stack.enter_context(pg.cluster()).uri("docs")
            else:
                print("SKIP the commands that use %s: no PostgreSQL server binaries (tools/install-deps.sh "
                      "installs them)" % PG_VAR)
        failures = run_all(cmds, doc, build_dir, pg_uri)
    return 1 if failures else 0


def run_all(cmds, doc, build_dir, pg_uri):
    """Runs the commands in a scratch checkout; the number that failed."""
    failures = 0
    with tempfile.TemporaryDirectory(prefix="llmflow-doc-") as tmp:
        bindir = scratch_checkout(tmp, build_dir)
        home = os.path.join(tmp, ".home")          # commands may install into $HOME
        os.mkdir(home)
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""), NO_COLOR="1",
                   BUILD_DIR="build", HOME=home)
        env.pop("LLMFLOW_STDLIB", None)   # the binary must find its own standard library
        if pg_uri:
            env["LLMFLOW_PG"] = pg_uri
        for line, cmd, untested, needs_pg in cmds:
            where = "%s:%d" % (doc, line)
            if untested or (needs_pg and not pg_uri):
                print("skip %s: %s" % (where, cmd.strip()))
                continue
            t0 = time.monotonic()
            p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=tmp, env=env, capture_output=True,
                               text=True, timeout=300 * float(os.environ.get("LLMFLOW_TIMEOUT_SCALE", "1")))
            took = time.monotonic() - t0
            if p.returncode != 0:
                failures += 1
                print("FAIL %s (exit %d, %.1f s): %s\n--- stdout\n%s\n--- stderr\n%s" %
                      (where, p.returncode, took, cmd.strip(), p.stdout[-3000:], p.stderr[-3000:]))
            else:
                print("ok   %s (%.1f s): %s" % (where, took, cmd.strip()))
    return failures


if __name__ == "__main__":
    sys.exit(main())
