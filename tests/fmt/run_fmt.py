#!/usr/bin/env python3
"""Tests of `llmflow fmt` with the real binary.

  run_fmt.py BIN case NAME   cases/NAME.llmflow formats to cases/NAME.formatted (LLMFLOW_UPDATE_GOLDEN=1
                             rewrites it); the expected text is a fixed point; both compile alike
  run_fmt.py BIN corpus      every program in the repository that parses: fmt is idempotent and never
                             changes meaning (same IR, or the same errors); examples are formatted already
  run_fmt.py BIN cli         --check, --stdout, '-', in-place rewriting, refusal of syntax errors, exit codes

"The same IR" ignores source locations (the "loc" objects and "source"): formatting moves lines.
"""
import glob
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = os.path.join(ROOT, "tests", "fmt", "cases")
ENV = dict(os.environ, NO_COLOR="1", LLMFLOW_STDLIB=os.path.join(ROOT, "stdlib"))
BIN = None
failures = []


def run(*args, stdin=None, cwd=ROOT):
    return subprocess.run([BIN] + list(args), cwd=cwd, env=ENV, input=stdin, capture_output=True,
                          text=True, errors="backslashreplace", timeout=60)


def fail(msg):
    failures.append(msg)
    sys.stderr.write("FAIL: " + msg + "\n")


def fmt_text(path):
    p = run("fmt", "--stdout", path)
    return p.returncode, p.stdout, p.stderr


def strip_locations(node):
    if isinstance(node, dict):
        return {k: strip_locations(v) for k, v in node.items() if k not in ("loc", "source")}
    if isinstance(node, list):
        return [strip_locations(v) for v in node]
    return node


def ir_of(path):
    p = run("compile", "--emit=ir", path)
    return strip_locations(json.loads(p.stdout)) if p.returncode == 0 else None


def diagnostics(paths, rename=lambda f: f):
    """Per file, what `check` reports, independent of layout: (severity, code, message) with numbers
    blanked (messages may cite lines), sorted. One check run for all the files."""
    p = run("check", "--diagnostics-format=json", "--error-limit=0", *paths)
    per_file = {}
    for d in json.loads(p.stdout or "[]"):
        key = (d.get("severity", ""), d.get("code", ""), re.sub(r"\d+", "N", d.get("message", "")))
        per_file.setdefault(rename(d.get("file", "")), []).append(key)
    return {f: sorted(v) for f, v in per_file.items()}


class Copies:
    """Each program's folder copied once, so that a formatted program sits where the original
    does relative to the files it imports."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="llmflow-fmt-")
        self.folders = {}

    def place(self, original, text):
        folder = os.path.dirname(os.path.join(ROOT, original))
        if folder not in self.folders:
            self.folders[folder] = os.path.join(self.tmp, str(len(self.folders)))
            shutil.copytree(folder, self.folders[folder], symlinks=True)
        target = os.path.join(self.folders[folder], os.path.basename(original))
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
        return target

    def original(self, path):
        """The original of a path in a copy (for diagnostics, which name files)."""
        for folder, copy in self.folders.items():
            if path.startswith(copy + os.sep):
                return os.path.relpath(os.path.join(folder, path[len(copy) + 1:]), ROOT)
        return path

    def remove(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def same_meaning(pairs, copies):
    """Each formatted copy means what its original means: `check` reports the same diagnostics and,
    when the original compiles, the IR is the same. `pairs` maps originals (relative) to copies.
    Returns how many compiled."""
    before = diagnostics(list(pairs))
    after = diagnostics(list(pairs.values()), copies.original)
    for f in sorted(set(before) | set(after)):
        if before.get(f) != after.get(f):
            fail("%s: formatting changed the diagnostics:\n  before %s\n  after  %s" % (f, before.get(f), after.get(f)))
    compiled = 0
    for original, copy in pairs.items():
        if any(d[0] == "error" for d in before.get(original, [])):
            continue
        ir = ir_of(original)
        if ir is None:
            continue  # errors in an imported file: the diagnostics were compared above
        if ir != ir_of(copy):
            fail("%s: formatting changed the IR" % original)
        compiled += 1
    return compiled


def test_case(name):
    src = os.path.relpath(os.path.join(CASES, name + ".llmflow"), ROOT)
    expected = os.path.join(CASES, name + ".formatted")
    code, out, err = fmt_text(src)
    if code != 0:
        fail("%s: fmt exited %d: %s" % (name, code, err))
        return
    if os.environ.get("LLMFLOW_UPDATE_GOLDEN") == "1":
        with open(expected, "w", encoding="utf-8") as f:
            f.write(out)
        print("updated", expected)
    want = open(expected, encoding="utf-8").read()
    if out != want:
        import difflib
        sys.stderr.writelines(difflib.unified_diff(want.splitlines(True), out.splitlines(True), expected, "actual"))
        fail("%s: output differs from %s" % (name, os.path.basename(expected)))
    again = run("fmt", "-", stdin=want)
    if again.returncode != 0 or again.stdout != want:
        fail("%s: the expected output is not a fixed point of fmt" % name)
    copies = Copies()
    try:
        compiled = same_meaning({src: copies.place(src, out)}, copies)
    finally:
        copies.remove()
    print("%s: formatted as expected; %s" % (name, "same IR" if compiled else "same diagnostics"))


def programs():
    found = []
    for pattern in ("examples/**/*.llmflow", "stdlib/**/*.llmflow", "tests/**/*.llmflow", "bench/**/*.llmflow"):
        found += [p for p in glob.glob(os.path.join(ROOT, pattern), recursive=True) if os.path.isfile(p)]
    return sorted(set(os.path.relpath(p, ROOT) for p in found))


def test_corpus():
    copies = Copies()
    pairs, refused = {}, 0
    try:
        for rel in programs():
            code, once, err = fmt_text(rel)
            if code == 1:
                # Refused: a file with syntax errors, reported as check reports them.
                check = run("check", rel)
                if check.returncode != 1 or not err or err not in check.stderr:
                    fail("%s: fmt refused it, but check does not report the same errors" % rel)
                refused += 1
            elif code != 0:
                fail("%s: fmt exited %d: %s" % (rel, code, err))
            else:
                pairs[rel] = copies.place(rel, once)
        # Idempotence: every formatted copy is formatted already.
        p = run("fmt", "--check", *pairs.values())
        if p.returncode != 0:
            fail("fmt is not idempotent on: %s %s" % (", ".join(copies.original(f) for f in p.stdout.split()), p.stderr))
        compiled = same_meaning(pairs, copies)
    finally:
        copies.remove()
    examples = sorted(glob.glob(os.path.join(ROOT, "examples", "*", "app.llmflow")))
    p = run("fmt", "--check", *[os.path.relpath(e, ROOT) for e in examples])
    if p.returncode != 0 or p.stdout:
        fail("examples are not formatted (run llmflow fmt on them):\n" + p.stdout + p.stderr)
    print("%d programs: %d formatted (%d compile to the same IR, the others report the same diagnostics), "
          "%d refused (syntax errors)" % (len(pairs) + refused, len(pairs), compiled, refused))
    if compiled < len(examples):
        fail("fewer programs compiled than there are examples: the corpus was not found")


def expect(p, code, what):
    if p.returncode != code:
        fail("%s: exit %d, expected %d\nstdout: %s\nstderr: %s" % (what, p.returncode, code, p.stdout, p.stderr))


def test_cli():
    messy = "app a(x: string) -> string {return x;}\n"
    tidy = "app a(x: string) -> string {\n  return x;\n}\n"
    broken = "app a(x: string) -> string {\n  return x\n}\n"
    with tempfile.TemporaryDirectory(prefix="llmflow-fmt-cli-") as tmp:
        def write(name, text, mode=0o644):
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(path, mode)
            return path

        def read(path):
            return open(path, encoding="utf-8").read()

        m, t, b = write("messy.llmflow", messy, 0o640), write("tidy.llmflow", tidy), write("broken.llmflow", broken)
        # --check: lists the files that would change, changes nothing.
        p = run("fmt", "--check", t)
        expect(p, 0, "--check on a formatted file")
        if p.stdout:
            fail("--check on a formatted file printed %r" % p.stdout)
        p = run("fmt", "--check", t, m)
        expect(p, 1, "--check with a file to change")
        if p.stdout != m + "\n" or read(m) != messy:
            fail("--check: expected only %s listed and the file untouched, got %r" % (m, p.stdout))
        # --stdout and '-': print, change nothing.
        p = run("fmt", "--stdout", m)
        expect(p, 0, "--stdout")
        if p.stdout != tidy or read(m) != messy:
            fail("--stdout: wrong output or the file was changed")
        p = run("fmt", "-", stdin=messy)
        expect(p, 0, "fmt -")
        if p.stdout != tidy:
            fail("fmt -: got %r" % p.stdout)
        # In place: rewritten, permissions kept, no temporary file left; a second run changes nothing.
        p = run("fmt", m, t)
        expect(p, 0, "fmt in place")
        if read(m) != tidy or stat.S_IMODE(os.stat(m).st_mode) != 0o640:
            fail("fmt in place: content or permissions wrong")
        if sorted(os.listdir(tmp)) != ["broken.llmflow", "messy.llmflow", "tidy.llmflow"]:
            fail("fmt in place left files behind: %s" % os.listdir(tmp))
        expect(run("fmt", "--check", m), 0, "--check after fmt")
        # Syntax errors: the diagnostics check prints, exit 1, file untouched (in every mode).
        check = run("check", b)
        for args in (["fmt", b], ["fmt", "--check", b], ["fmt", "--stdout", b]):
            p = run(*args)
            expect(p, 1, " ".join(args[:-1]) + " on a syntax error")
            if p.stderr != check.stderr or p.stdout or read(b) != broken:
                fail("%s on a syntax error: stderr %r (check says %r), stdout %r" % (args, p.stderr, check.stderr, p.stdout))
        p = run("fmt", "--diagnostics-format=json", b)
        expect(p, 1, "fmt --diagnostics-format=json on a syntax error")
        if json.loads(p.stdout) != json.loads(run("check", "--diagnostics-format=json", b).stdout):
            fail("fmt --diagnostics-format=json differs from check's")
        # A syntax error in one file does not stop the others.
        write("messy2.llmflow", messy)
        p = run("fmt", b, os.path.join(tmp, "messy2.llmflow"))
        expect(p, 1, "fmt of a broken and a messy file")
        if read(os.path.join(tmp, "messy2.llmflow")) != tidy:
            fail("fmt stopped at the file with syntax errors")
        # Unreadable input: 3; usage errors: 2.
        expect(run("fmt", os.path.join(tmp, "missing.llmflow")), 3, "fmt of a missing file")
        expect(run("fmt", tmp), 3, "fmt of a folder without app.llmflow")
        expect(run("fmt"), 2, "fmt without files")
        expect(run("fmt", "--check", "--stdout", t), 2, "fmt --check --stdout")
        expect(run("fmt", "--bogus", t), 2, "fmt --bogus")
        # An example folder stands for its app.llmflow.
        expect(run("fmt", "--check", "examples/react"), 0, "fmt --check of an example folder")


def main():
    global BIN
    BIN = os.path.abspath(sys.argv[1])
    mode = sys.argv[2]
    if mode == "case":
        test_case(sys.argv[3])
    elif mode == "corpus":
        test_corpus()
    elif mode == "cli":
        test_cli()
    else:
        sys.stderr.write("unknown mode %s\n" % mode)
        return 2
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
