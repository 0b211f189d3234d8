#!/usr/bin/env bash
# Reproduces the LLMSched comparison: the four workloads in examples/workloads
# at 100, 200, 300 and 400 jobs over several seeds, every scheduler, then
# writes docs/results.md and its pictures (docs/figures/*.svg).
#   tools/reproduce.sh [SEEDS]      (default: "1 2 3")
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh >&2
bin=${BUILD_DIR:-build}/tools/llmflow/llmflow
seeds=${1:-"1 2 3"}
out=${RESULTS_DIR:-build/results}
mkdir -p "$out"
schedulers=fcfs,sjf,fair,srtf-mean,carbyne,llmsched,llmsched-nobn,llmsched-nounc,oracle
# The paper's four workload mixes (replay-react.toml, a trace replay, is not one of them).
for name in uniform llm-heavy structure-heavy tool-heavy; do
  workload=examples/workloads/$name.toml
  for jobs in 100 200 300 400; do
    for seed in $seeds; do
      echo "simulate $name jobs=$jobs seed=$seed" >&2
      "$bin" simulate "$workload" --jobs "$jobs" --seed "$seed" --scheduler "$schedulers" \
        --json "$out/$name-$jobs-$seed.json" > /dev/null
    done
  done
done
python3 tools/make_results.py "$out" docs/results.md docs/figures
echo "wrote docs/results.md" >&2
