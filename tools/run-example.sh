#!/usr/bin/env bash
# The main job on an example: installs, builds, checks the program, runs one
# job, then learns the application's Bayesian network from profiled runs and
# runs the same batch of jobs under FCFS and under LLMSched on the embedded
# simulated backend (100x faster than real time), printing both summaries.
#   tools/run-example.sh [examples/NAME]      (default: examples/codegen)
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh >&2
example=${1:-examples/codegen}
name=$(basename "$example")
bin=${BUILD_DIR:-build}/tools/llmflow/llmflow
work=${BUILD_DIR:-build}/example-runs
mkdir -p "$work"
echo "== llmflow check $example" >&2
"$bin" check "$example/app.llmflow"
head -n 1 "$example/inputs.jsonl" > "$work/$name.first.json"
echo "== llmflow run $example (first sample input; result on stdout)" >&2
"$bin" run "$example" --inputs "$work/$name.first.json" --time-scale 100
echo "== llmflow profile + bn train (1000 jobs run alone in virtual time, on seed 1000; the batch below uses seed 1)" >&2
"$bin" profile "$example" --jobs 1000 --seed 1000 -o "$work/$name.profile.jsonl" 2>/dev/null
"$bin" bn train "$work/$name.profile.jsonl" --program "$example" -o "$work/$name.bn.json"
for scheduler in fcfs llmsched; do
  echo "== llmflow batch $example --scheduler $scheduler (80 jobs, Poisson arrivals at 2/s, 4 LLM and 4 tool slots)" >&2
  "$bin" batch "$example" --scheduler "$scheduler" --bn "$work/$name.bn.json" --jobs 80 --arrival-rate 2 \
    --llm-slots 4 --regular-slots 4 --time-scale 100 2>&1 | grep -v '^progress:'
done
