"""Sleeps for the number of seconds in its JSON arguments, then prints 'awake'."""
import json
import sys
import time

time.sleep(float(json.load(sys.stdin)["seconds"]))
print("awake")
