#!/usr/bin/env python3
"""Profiling -> training -> estimates on one example with the simulated
backend: the learned network must beat independent stages on held-out
log-likelihood, its p90 must cover about 90% of held-out jobs, and its BIF
and XMLBIF exports must parse. Prints the figures (used in the notes)."""
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(binary, *args):
    env = dict(os.environ, NO_COLOR="1", LLMFLOW_STDLIB=os.path.join(ROOT, "stdlib"))
    p = subprocess.run([binary] + list(args), env=env, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise SystemExit("%s failed (%d):\n%s" % (" ".join(args[:2]), p.returncode, p.stderr))
    return p


def main():
    binary, example = sys.argv[1], sys.argv[2]
    folder = os.path.join(ROOT, "examples", example)
    with tempfile.TemporaryDirectory() as tmp:
        train = os.path.join(tmp, "train.jsonl")
        held = os.path.join(tmp, "held.jsonl")
        model = os.path.join(tmp, "m.bn.json")
        run(binary, "profile", folder, "--jobs", "300", "--seed", "1000", "--time-scale", "5000", "-o", train)
        run(binary, "profile", folder, "--jobs", "150", "--seed", "2000", "--time-scale", "5000", "-o", held)
        p = run(binary, "bn", "train", train, "--program", folder, "-o", model)
        m = re.search(r"network (-?[\d.]+), independent stages (-?[\d.]+)", p.stderr)
        assert m, p.stderr
        net, indep = float(m.group(1)), float(m.group(2))
        e = run(binary, "estimate", folder, "--bn", model, "--check", held)
        c = re.search(r"([\d.]+)% finished within the predicted p50, ([\d.]+)% within p90", e.stdout)
        assert c, e.stdout
        p50, p90 = float(c.group(1)), float(c.group(2))
        bif = run(binary, "bn", "export", model, "--format=bif").stdout
        xml = run(binary, "bn", "export", model, "--format=xmlbif").stdout
        assert bif.count("variable ") >= 2, bif[:500]
        root = ET.fromstring(xml)
        xml_vars = root.findall(".//VARIABLE")
        assert len(xml_vars) == bif.count("variable "), (len(xml_vars), bif.count("variable "))
        print("%s: held-out log-likelihood per job %.3f (network) vs %.3f (independent); "
              "held-out jobs within p50 %.1f%%, within p90 %.1f%%; %d variables exported" %
              (example, net, indep, p50, p90, len(xml_vars)))
        ok = net > indep and 75.0 <= p90 <= 99.5
        if not ok:
            print("FAIL: the network must beat independent stages and p90 must cover 75-99.5% of held-out jobs")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
