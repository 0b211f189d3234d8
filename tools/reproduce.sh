#!/usr/bin/env bash
# Reproduces the LLMSched comparison (docs/results.md): the four workloads of
# examples/workloads at load 1.2 with 100, 200, 300 and 400 jobs and at load
# 0.8 with 400 jobs, over several seeds, every scheduler; then writes
# docs/results.md and its figures (docs/figures/*.svg).
# Decima uses the policies shipped beside the workloads; RETRAIN_DECIMA=1
# retrains them first (about 4 minutes each on 2 cores).
#   tools/reproduce.sh [SEEDS]      (default: "1 2 3 4 5")
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh >&2
bash tools/build.sh >&2
bin=${BUILD_DIR:-build}/tools/llmflow/llmflow
seeds=${1:-"1 2 3 4 5"}
out=${RESULTS_DIR:-build/results}
rm -rf "$out"
mkdir -p "$out"
schedulers=fcfs,sjf,fair,srtf-mean,carbyne,decima,llmsched,llmsched-nobn,llmsched-nounc,oracle-srtf
run() { # workload load jobs seed
  echo "simulate $1 load=$2 jobs=$3 seed=$4" >&2
  "$bin" simulate "examples/workloads/$1.toml" --load "$2" --jobs "$3" --seed "$4" --scheduler "$schedulers" \
    --json "$out/$1-$2-$3-$4.json" > /dev/null || [ $? -eq 1 ] # 1: some simulated jobs failed (behaviour models' failure rates)
}
if [ "${RETRAIN_DECIMA:-0}" = 1 ]; then
  for name in uniform llm-heavy structure-heavy tool-heavy; do
    "$bin" decima train "examples/workloads/$name.toml" -o "examples/workloads/$name.policy.json" --threads 2
  done
fi
# The paper's four workload mixes (replay-react.toml, a trace replay, is not one of them).
for name in uniform llm-heavy structure-heavy tool-heavy; do
  for seed in $seeds; do
    for jobs in 100 200 300 400; do
      run "$name" 1.2 "$jobs" "$seed"
    done
    run "$name" 0.8 400 "$seed"
  done
done
/usr/bin/python3 tools/make_results.py "$out" docs/results.md docs/figures
echo "wrote docs/results.md" >&2
