#!/usr/bin/env bash
# A bounded fuzzing run for ctest: seeds from every fixture input and every input the fuzzer
# once failed on (tests/fuzz/regressions/), the migration dictionary,
# then SECONDS seconds of libFuzzer (default 45). A broken promise or a sanitizer report fails it.
#   run_fuzzer.sh FUZZER FIXTURES_DIR [SECONDS]
# Longer runs, by hand: build-asan/tests/pipeline_fuzzer -dict=tests/fuzz/migration.dict \
#   -max_total_time=3600 CORPUS_DIR SEEDS_DIR
set -euo pipefail
fuzzer=$(realpath "$1") fixtures=$(realpath "$2") seconds=${3:-45}
# A failing input is kept where the run started (fuzz-crash-*), and shown below.
artifacts=$(pwd)/fuzz-
dict=$(cd "$(dirname "$0")" && pwd)/migration.dict
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/seeds"
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  cp "$f" "$work/seeds/$n.py"
done < <(find "$fixtures" -path '*/input*' -name '*.py' -type f -print0;
         find "$(dirname "$dict")/regressions" -type f -print0)
echo "fuzz: $n seed files from $fixtures, $seconds s"
cd "$work"
status=0
"$fuzzer" -dict="$dict" -max_total_time="$seconds" -max_len=16384 -timeout=10 -artifact_prefix="$artifacts" \
  -print_final_stats=1 corpus seeds > log 2>&1 || status=$?
grep -E "promise broken|ERROR|SUMMARY" log || true
tail -n 8 log
if [ "$status" != 0 ]; then
  for f in "$artifacts"*; do [ -f "$f" ] && { echo "failing input $f:"; head -c 4000 "$f" | cat -A; }; done
fi
exit "$status"
