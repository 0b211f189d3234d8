#!/usr/bin/env bash
# Rewrites every golden expectation from the current compiler. Review the
# diff (git diff tests/golden tests/fmt) before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh >/dev/null
cd "${BUILD_DIR:-build}"
LLMFLOW_UPDATE_GOLDEN=1 ctest -R '^(golden|fmt/case)/' -j "${JOBS:-2}" >/dev/null || true
echo "updated; review with: git diff tests/golden tests/fmt"
