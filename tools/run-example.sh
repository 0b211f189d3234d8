#!/usr/bin/env bash
# The main job on an example: installs, builds, checks the program, runs one
# job and then a batch of all its sample inputs on the embedded simulated
# backend (100x faster than real time), printing the result and a summary.
#   tools/run-example.sh [examples/NAME]      (default: examples/codegen)
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh >&2
example=${1:-examples/codegen}
bin=${BUILD_DIR:-build}/tools/llmflow/llmflow
echo "== llmflow check $example" >&2
"$bin" check "$example/app.llmflow"
first=$(mktemp)
trap 'rm -f "$first"' EXIT
head -n 1 "$example/inputs.jsonl" > "$first"
echo "== llmflow run $example (first sample input; result on stdout)" >&2
"$bin" run "$example" --inputs "$first" --time-scale 100
echo "== llmflow batch $example (all sample inputs, Poisson arrivals at 2 jobs/s)" >&2
"$bin" batch "$example" --time-scale 100 --arrival-rate 2
