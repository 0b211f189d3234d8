"""Prints the number of words of the 'text' in its JSON arguments (a real tool process for the resume test)."""
import json
import sys

print(len(json.load(sys.stdin)["text"].split()))
