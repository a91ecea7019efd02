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
"$BIN" "$WORK" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix=artifacts/ -print_final_stats=1
