#!/usr/bin/env bash
# Builds the libFuzzer harness for TandemONNX's model loader and runs it for a bounded time.
# Usage: FuzzTesting/run-fuzz.sh [seconds]   (default 60; CI calls it without arguments)
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_TO_RUN="${1:-${FUZZ_SECONDS:-60}}"
swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --product FuzzModelLoader
BIN="$(swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --show-bin-path)/FuzzModelLoader"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp Corpus/* "$WORK/"
# New inputs go to a scratch copy so the committed corpus stays small; crashes land in ./artifacts.
mkdir -p artifacts
# libFuzzer prints a line per new input; keep that in a log and show the outcome (all of it on a failure).
LOG="$WORK/fuzz.log"
status=0
"$BIN" "$WORK" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix=artifacts/ -print_final_stats=1 >"$LOG" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  echo "FAIL: the fuzzer stopped with status $status; its last lines:"
  grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse)' "$LOG" | tail -n 80
  exit "$status"
fi
grep -E '^(#[0-9]+\s+DONE|Done [0-9]+ runs|stat::)' "$LOG"
