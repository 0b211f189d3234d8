#!/usr/bin/env python3
"""llmflow installs like a real tool: `cmake --install` into a scratch prefix and the Debian package
(CPack, unpacked with dpkg -x into a scratch root) both give a binary that finds its standard library
relative to itself and checks and runs the installed examples; a binary copied away from its
standard library says where it looked and how to point it elsewhere; --stdlib and LLMFLOW_STDLIB
override; bash completion offers commands and options. usage: install_test.py BUILD_DIR"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from harness import check, failures  # noqa: E402

BUILD = os.path.abspath(sys.argv[1])
ENV = dict(os.environ, NO_COLOR="1")
ENV.pop("LLMFLOW_STDLIB", None)


def run(args, env=ENV, **kw):
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, **kw)


def tree_works(label, prefix):
    exe = os.path.join(prefix, "bin", "llmflow")
    examples = os.path.join(prefix, "share", "doc", "llmflow", "examples")
    check("%s: stdlib installed" % label, os.path.exists(os.path.join(prefix, "share/llmflow/stdlib/std/text.llmflow")))
    check("%s: docs and license installed" % label,
          all(os.path.exists(os.path.join(prefix, "share/doc/llmflow", f)) for f in ("README.md", "LICENSE", "docs/config.md")))
    p = run([exe, "check", os.path.join(examples, "mapreduce")])   # imports std.text
    check("%s: llmflow check an installed example (imports the stdlib)" % label, p.returncode == 0, p)
    with tempfile.TemporaryDirectory() as cwd:   # anywhere, not in a checkout
        p = run([exe, "run", os.path.join(examples, "codegen"), "--time-scale", "200"], cwd=cwd)
        check("%s: llmflow run an installed example" % label, p.returncode == 0 and p.stdout.startswith("{"), p)
    return exe


def completion(prefix):
    script = os.path.join(prefix, "share/bash-completion/completions/llmflow")
    check("bash completion installed", os.path.exists(script))
    exe = os.path.join(prefix, "bin", "llmflow")

    def complete(*words):
        prog = ('source "%s"; COMP_WORDS=(%s); COMP_CWORD=%d; _llmflow; printf "%%s\\n" "${COMPREPLY[@]}"'
                % (script, " ".join('"%s"' % w for w in (exe,) + words), len(words)))
        return run(["bash", "-c", prog]).stdout.split()

    check("completion: commands", {"check", "fmt", "run", "batch", "simulate"} <= set(complete("")))
    check("completion: options of batch", "--arrival-rate" in complete("batch", "--arr"))
    check("completion: options of fmt", "--check" in complete("fmt", "--ch"))
    check("completion: bn subcommands", set(complete("bn", "")) == {"train", "show", "export"})


def main():
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "prefix")
        p = run(["cmake", "--install", BUILD, "--prefix", prefix])
        check("cmake --install --prefix", p.returncode == 0, p)
        exe = tree_works("cmake --install", prefix)
        completion(prefix)

        # A binary without its standard library: the error names the place and the remedies.
        lone = os.path.join(tmp, "lone", "bin", "llmflow")
        os.makedirs(os.path.dirname(lone))
        shutil.copy(exe, lone)
        app = os.path.join(prefix, "share/doc/llmflow/examples/mapreduce")
        p = run([lone, "check", app])
        searched = os.path.join(tmp, "lone", "share", "llmflow", "stdlib")
        check("missing stdlib: exit 1, names --stdlib, LLMFLOW_STDLIB and the folder searched",
              p.returncode == 1 and "--stdlib" in p.stderr and "LLMFLOW_STDLIB" in p.stderr and searched in p.stderr, p)
        stdlib = os.path.join(prefix, "share/llmflow/stdlib")
        p = run([lone, "check", "--stdlib", stdlib, app])
        check("--stdlib DIR overrides", p.returncode == 0, p)
        p = run([lone, "check", app], env=dict(ENV, LLMFLOW_STDLIB=stdlib))
        check("LLMFLOW_STDLIB overrides", p.returncode == 0, p)

        # The Debian package, unpacked into a scratch root.
        pkgdir = os.path.join(tmp, "pkg")
        p = run(["cpack", "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"), "-B", pkgdir])
        debs = glob.glob(os.path.join(pkgdir, "llmflow_*.deb"))
        check("cpack builds one .deb", p.returncode == 0 and len(debs) == 1, p)
        if debs:
            root = os.path.join(tmp, "root")
            p = run(["dpkg", "-x", debs[0], root])
            check("dpkg -x", p.returncode == 0, p)
            info = run(["dpkg-deb", "--field", debs[0], "Depends"]).stdout
            check("package depends on its shared libraries", "libcurl4" in info and "libantlr4-runtime" in info)
            tree_works("deb", os.path.join(root, "usr"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
