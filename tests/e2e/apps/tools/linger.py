"""Starts a grandchild in its own process group, records both pids in a file
under the directory given in its JSON arguments, then sleeps for `seconds`.
The end-to-end tests check that neither outlives the run."""
import json
import os
import subprocess
import sys
import time

args = json.load(sys.stdin)
child = subprocess.Popen(["sleep", str(args["seconds"])])
path = os.path.join(args["dir"], "pids-%d" % os.getpid())
with open(path + ".tmp", "w") as f:
    f.write("%d %d\n" % (os.getpid(), child.pid))
os.rename(path + ".tmp", path)
time.sleep(float(args["seconds"]))
print("awake")
