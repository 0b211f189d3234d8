"""A slow stage for the serve tests: records its pid in DIR/started-TAG, sleeps `seconds`, then
appends TAG to DIR/runs.log (one line per completed run, so a test can count how often each stage
ran) and prints TAG."""
import json
import os
import sys
import time

args = json.load(sys.stdin)
d, tag = args["dir"], args["tag"]
with open(os.path.join(d, "started-" + tag + ".tmp"), "w") as f:
    f.write("%d\n" % os.getpid())
os.rename(os.path.join(d, "started-" + tag + ".tmp"), os.path.join(d, "started-" + tag))
time.sleep(float(args["seconds"]))
with open(os.path.join(d, "runs.log"), "a") as f:
    f.write(tag + "\n")
print(tag)
