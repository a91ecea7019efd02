#!/usr/bin/env bash
# The Open Inference Protocol's cost against /invocations, same model, same server, same run:
#   perf_analyzer -i http (binary tensors, tritonclient's default) on POST /v2/models/bench-single/infer,
#   at concurrency 1 and 8, with the server-side queue/compute split from the statistics extension; then
#   wrk at 1 and 8 connections on the OIP route (a JSON tensor body) and on /invocations (a CSV row),
#   one breast-cancer record per request. perf_analyzer speaks only OIP, so the like-for-like ratio of the
#   two routes comes from wrk, which drives both with the same client.
# Usage: bench/oip.sh   (BENCH_DURATION=5 seconds per wrk run; TANDEM_BIN to use a given binary, else a
#        release build; PERF_ANALYZER and PYTHON default to the test venv's). Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-5}
VENV=${TANDEM_TEST_VENV:-.venv-test}
PYTHON=${PYTHON:-$VENV/bin/python3}
PERF=${PERF_ANALYZER:-$VENV/bin/perf_analyzer}
for tool in wrk "$PERF" "$PYTHON"; do
  command -v "$tool" >/dev/null || { echo "bench/oip.sh: $tool not found (scripts/install-deps --test and --bench)" >&2; exit 1; }
done
CUDART=$("$PYTHON" -c 'import nvidia.cuda_runtime, os; print(os.path.join(list(nvidia.cuda_runtime.__path__)[0], "lib"))')
if [ -z "${TANDEM_BIN:-}" ]; then
  swift build -c release --product tandem >/dev/null
  TANDEM_BIN=.build/release/tandem
fi
WORK=$(mktemp -d)
LOG="$WORK/tandem.log"
"$TANDEM_BIN" serve --host 127.0.0.1 --port 0 --config bench/config/single.yaml > "$LOG" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=""
for _ in $(seq 200); do
  PORT=$(grep -oE 'listening on [^ ]+:[0-9]+' "$LOG" | grep -oE '[0-9]+$' || true)
  [ -n "$PORT" ] && curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "tandem did not start: $(cat "$LOG")" >&2; exit 1; }

ROW=$(head -1 fixtures/zoo/breast-cancer-logreg/v1/input.csv)
echo "$ROW" > "$WORK/row.csv"
echo "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,30],\"data\":[$ROW]}]}" > "$WORK/row.json"

echo "| client | route | concurrency | req/s | p50 ms | p99 ms | server queue us | server compute input / infer / output us |"
echo "|---|---|---|---|---|---|---|---|"
for c in 1 8; do
  LD_LIBRARY_PATH="$CUDART:${LD_LIBRARY_PATH:-}" "$PERF" -m bench-single -u "127.0.0.1:$PORT" -i http \
    --concurrency-range "$c" --max-threads 8 --measurement-mode count_windows --measurement-request-count 200 --stability-percentage 50 --percentile 99 -f "$WORK/pa.csv" > "$WORK/pa.txt"
  "$PYTHON" - "$WORK/pa.csv" "$WORK/pa.txt" "$c" <<'EOF'
import csv, re, sys
row = next(csv.DictReader(open(sys.argv[1])))
text = open(sys.argv[2]).read()
p50 = re.search(r"p50 latency: (\d+) usec", text)
print(f"| perf_analyzer | OIP binary | {sys.argv[3]} | {float(row['Inferences/Second']):.0f} | "
      f"{int(p50.group(1)) / 1000 if p50 else float('nan'):.2f} | {int(row['p99 latency']) / 1000:.2f} | "
      f"{row['Server Queue']} | {row['Server Compute Input']} / {row['Server Compute Infer']} / {row['Server Compute Output']} |")
EOF
  for route in oip invocations; do
    if [ "$route" = oip ]; then url="http://127.0.0.1:$PORT/v2/models/bench-single/infer"; body="$WORK/row.json"; type=application/json
    else url="http://127.0.0.1:$PORT/invocations"; body="$WORK/row.csv"; type=text/csv; fi
    BENCH_BODY_FILE=$body BENCH_CONTENT_TYPE=$type wrk -t1 -c"$c" -d1s -s bench/post.lua "$url" >/dev/null
    BENCH_BODY_FILE=$body BENCH_CONTENT_TYPE=$type wrk -t1 -c"$c" -d"${DURATION}s" --latency -s bench/post.lua "$url" \
      | grep WRK_JSON | sed 's/^WRK_JSON //' \
      | "$PYTHON" -c "import json,sys; r=json.load(sys.stdin); assert r['errors']==0, r; print(f\"| wrk | ${route} | $c | {r['rps']:.0f} | {r['p50_us']/1000:.2f} | {r['p99_us']/1000:.2f} | | |\")"
  done
done
