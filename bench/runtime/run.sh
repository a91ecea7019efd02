#!/usr/bin/env bash
# One command for the runtime benchmark: builds RuntimeBench in release mode and compares it
# with onnxruntime (pip install onnxruntime==1.31.1 numpy) on the forest, digits-mlp, a PyTorch MLP, KNN,
# naive Bayes and the TF-IDF text classifier (or the zoo models named as arguments).
# `run.sh --rounds N` alternates the two runtimes N times per model (a shared machine); PYTHON picks the interpreter.
# `run.sh --baseline OLD_BIN [models]` also runs an older RuntimeBench build in the same run.
set -euo pipefail
cd "$(dirname "$0")"
swift build -c release --product RuntimeBench >&2
BIN="$(swift build -c release --show-bin-path)/RuntimeBench"
"${PYTHON:-python3}" compare.py "$BIN" "$(cd ../.. && pwd)/fixtures/zoo" "$@"
