#!/usr/bin/env bash
# Per-request instruction and heap-allocation counts of the hot path (valgrind), checked against
# bench/cost/thresholds.json; see docs/performance.md, "Cost checks".
#   bench/cost/run.sh [--tandem BIN] [--requests N]    check (exit 1 on a regression)
#   bench/cost/run.sh --update                          re-baseline the thresholds from this build
# BIN defaults to .build/release/tandem (scripts/test's container step builds it; else:
#   swift build -c release --static-swift-stdlib --product tandem).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "bench/cost: valgrind is missing (scripts/install-deps --test)" >&2; exit 2; }
PY=python3
[ -x .venv-test/bin/python3 ] && PY=.venv-test/bin/python3
exec "$PY" bench/cost/cost.py "$@"
