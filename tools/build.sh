#!/usr/bin/env bash
# Installs the dependencies (Debian 12 packages) and builds llmflow into
# build/ (a Release build; BUILD_TYPE=RelWithDebInfo for debug information,
# BUILD_DIR for another folder). Safe to re-run: both steps are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" ${LLMFLOW_CMAKE_ARGS:-} >/dev/null
fi
cmake --build "$BUILD_DIR" -j "${JOBS:-2}"
