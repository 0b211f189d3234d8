"""Starts a grandchild (in the same process group), records both pids in a
file under the directory given in its JSON arguments, then sleeps for
`seconds`; with `ignore_term` both ignore SIGTERM. The end-to-end tests
check that neither outlives the run."""
import json
import os
import signal
import subprocess
import sys
import time

args = json.load(sys.stdin)
if args.get("ignore_term"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # inherited by the grandchild
child = subprocess.Popen(["sleep", str(args["seconds"])])
path = os.path.join(args["dir"], "pids-%d" % os.getpid())
with open(path + ".tmp", "w") as f:
    f.write("%d %d\n" % (os.getpid(), child.pid))
os.rename(path + ".tmp", path)
time.sleep(float(args["seconds"]))
print("awake")
