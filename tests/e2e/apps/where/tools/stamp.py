"""The `stamp` tool of tests/e2e/apps/where: prints the text and the folder it runs in."""
import json
import os
import sys

print("%s (in %s)" % (json.load(sys.stdin)["text"], os.path.basename(os.getcwd())))
