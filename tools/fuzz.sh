#!/usr/bin/env bash
# Bounded libFuzzer runs of the fuzz targets (tests/fuzz/fuzz_TARGET.cpp, one
# per external format), built by tools/clang-build.sh with ASan + UBSan in
# build-sanitize/.
#   tools/fuzz.sh [SECONDS] [TARGET...]    (default: 60 s for each target, all targets)
# Each target starts from its seed corpus (tests/fuzz/make_seeds.py) plus
# what earlier runs found (build-sanitize/fuzz/corpus/TARGET). A crash, leak,
# timeout or sanitizer report stops that target and lands in
# build-sanitize/fuzz/crashes/TARGET/; once the bug is fixed, copy the input
# into tests/fuzz/regressions/TARGET/ so every build replays it. The last
# line per target repeats libFuzzer's final figures (executions, coverage).
# Exit status: 0 when every target ran clean, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=60
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
  secs=$1
  shift
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.cpp; do
    f=${f#tests/fuzz/fuzz_}
    [ "$f" = support.cpp ] || targets+=("${f%.cpp}")
  done
fi
bash tools/clang-build.sh "${targets[@]/#/fuzz_}"
out=build-sanitize/fuzz
export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
python3 tests/fuzz/make_seeds.py "$out/seeds" "${targets[@]}" >/dev/null
status=0
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t" "$out/crashes/$t"
  # Leaks are reported by libFuzzer itself (-detect_leaks, on by default).
  if build-sanitize/tests/fuzz_"$t" "$out/corpus/$t" "$out/seeds/$t" -max_total_time="$secs" -timeout=10 \
       -rss_limit_mb=2048 -artifact_prefix="$out/crashes/$t/" -print_final_stats=1 >"$out/$t.log" 2>&1; then
    result=clean
  else
    result="FOUND $(ls "$out/crashes/$t" | tr '\n' ' ')(log: $out/$t.log)"
    status=1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$t.log" | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$out/$t.log" | tail -1 || true)
  echo "fuzz $t: ${secs}s, ${execs:-?} executions, ${cov:-no coverage line}, $(ls "$out/corpus/$t" | wc -l) corpus files: $result"
done
exit $status
