#!/usr/bin/env bash
# The main job on an example: installs, builds, then checks and compiles the
# example application and prints the summary of its DAG IR.
#   tools/run-example.sh [examples/NAME]      (default: examples/codegen)
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh >&2
example=${1:-examples/codegen}
bin=${BUILD_DIR:-build}/tools/llmflow/llmflow
"$bin" check "$example/app.llmflow"
"$bin" compile "$example/app.llmflow" --emit=summary
