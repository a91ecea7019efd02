#!/usr/bin/env bash
# Payload codec micro benchmark, before/after in one run: builds PayloadBench in release against this checkout
# and against BEFORE (a git revision, default: main), then runs both alternately on the breast-cancer batch.
# Usage: bench/payload/run.sh [rows]      (BEFORE=<rev>; ROUNDS, ITERATIONS)
set -euo pipefail
cd "$(dirname "$0")"
ROWS=${1:-100}
BEFORE=${BEFORE:-main}
MODEL="$(cd ../.. && pwd)/fixtures/zoo/breast-cancer-logreg/v1"
OLD=$(mktemp -d)
git -C ../.. archive "$BEFORE" | tar -x -C "$OLD"
mkdir -p "$OLD/bench/payload" && cp -R Package.swift Sources "$OLD/bench/payload/"
# Reuse the resolved dependencies (works offline once this package has resolved them).
[ -f Package.resolved ] && cp Package.resolved "$OLD/bench/payload/"
[ -d .build/checkouts ] && mkdir -p "$OLD/bench/payload/.build" && cp -a .build/checkouts .build/repositories "$OLD/bench/payload/.build/"
(cd "$OLD/bench/payload" && TANDEM_ROOT="$OLD" swift build -c release --product PayloadBench >&2)
swift build -c release --product PayloadBench >&2
NEW_BIN="$(swift build -c release --show-bin-path)/PayloadBench"
OLD_BIN="$(cd "$OLD/bench/payload" && TANDEM_ROOT="$OLD" swift build -c release --show-bin-path)/PayloadBench"
for i in 1 2 3; do
  echo "before $("$OLD_BIN" "$MODEL" --rows "$ROWS" --rounds "${ROUNDS:-7}" --iterations "${ITERATIONS:-2000}")"
  echo "after  $("$NEW_BIN" "$MODEL" --rows "$ROWS" --rounds "${ROUNDS:-7}" --iterations "${ITERATIONS:-2000}")"
done
rm -rf "$OLD"
