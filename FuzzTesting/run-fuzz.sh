#!/usr/bin/env bash
# Builds the libFuzzer harnesses and runs each for a bounded time:
#   FuzzModelLoader     TandemONNX's model loader (and the kernels, on one row)   corpus: Corpus/
#   FuzzHTTPParser      TandemHTTP's request parser, fed in reads of 1-256 bytes   corpus: Corpus-http/
#   FuzzPayloadDecoder  the CSV / JSON / JSON Lines / npy / RecordIO body decoders  corpus: Corpus-payload/
# Usage: FuzzTesting/run-fuzz.sh [seconds per harness] [harness ...]   (default 60, all three)
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_TO_RUN="${1:-${FUZZ_SECONDS:-60}}"
shift || true
HARNESSES=("$@")
[ ${#HARNESSES[@]} -gt 0 ] || HARNESSES=(FuzzModelLoader FuzzHTTPParser FuzzPayloadDecoder)
# libFuzzer's driver and AddressSanitizer: an out-of-bounds read or use-after-free in the code under test stops the
# run with ASan's report, not just a crash or a silent wrong answer.
FLAGS=(-c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
for harness in "${HARNESSES[@]}"; do swift build "${FLAGS[@]}" --product "$harness"; done
BIN_DIR="$(swift build "${FLAGS[@]}" --show-bin-path)"
corpus_of() {
  case "$1" in
    FuzzModelLoader) echo Corpus ;;
    FuzzHTTPParser) echo Corpus-http ;;
    FuzzPayloadDecoder) echo Corpus-payload ;;
  esac
}
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# Crashes land in ./artifacts and are copied into the harness's corpus as regression-<name> (commit that file with
# the fix: every later run replays the whole corpus first); new inputs go to a scratch copy so the committed corpora
# stay small.
mkdir -p artifacts
for harness in "${HARNESSES[@]}"; do
  echo "--- $harness for $SECONDS_TO_RUN s"
  mkdir -p "$WORK/$harness"
  cp "$(corpus_of "$harness")"/* "$WORK/$harness/"
  # libFuzzer prints a line per new input; keep that in a log and show the outcome (all of it on a failure).
  LOG="$WORK/$harness.log"
  status=0
  touch "$WORK/$harness.started"
  "$BIN_DIR/$harness" "$WORK/$harness" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -rss_limit_mb=2048 \
      -timeout=10 -artifact_prefix="artifacts/$harness-" -print_final_stats=1 >"$LOG" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    for artifact in artifacts/"$harness"-*; do
      [ -f "$artifact" ] && [ "$artifact" -nt "$WORK/$harness.started" ] || continue
      cp "$artifact" "$(corpus_of "$harness")/regression-$(basename "$artifact" | sed "s/^$harness-//")"
      echo "kept $artifact as $(corpus_of "$harness")/regression-$(basename "$artifact" | sed "s/^$harness-//")"
    done
    echo "FAIL: $harness stopped with status $status; its last lines:"
    grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse)' "$LOG" | tail -n 80
    exit "$status"
  fi
  grep -E '^(#[0-9]+\s+DONE|Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb)' "$LOG"
done
