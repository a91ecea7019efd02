#!/usr/bin/env bash
# One command for the runtime benchmark: builds RuntimeBench in release mode and compares it
# with onnxruntime (pip install onnxruntime==1.31.1 numpy) on synthetic-large-forest and digits-mlp.
set -euo pipefail
cd "$(dirname "$0")"
swift build -c release --product RuntimeBench >&2
BIN="$(swift build -c release --show-bin-path)/RuntimeBench"
python3 compare.py "$BIN" "$(cd ../.. && pwd)/fixtures/zoo" "$@"
