#!/usr/bin/env bash
# Prints every row of the performance table (docs/performance.md) with the
# min and median over repeats, and writes the growth curves: see
# tools/bench.py for the options (--quick: small sizes, seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 tools/bench.py "$@"
