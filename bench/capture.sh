#!/usr/bin/env bash
# Data capture's cost: request throughput and latency with capture off, at 10% and at 100% sampling, same
# binary, same run, interleaved rounds (off, 10%, 100%, off, ...) so machine noise falls on all three alike.
# Single-row CSV to the breast-cancer logistic regression (bench/config/single.yaml), wrk -t2 -c64, keep-alive.
# Usage: bench/capture.sh     (BENCH_DURATION=8 s per run, BENCH_ROUNDS=3, TANDEM_LOOPS, TANDEM_WORKERS,
#                              TANDEM_BIN to use a binary already built)
# Needs: wrk, python3. Prints a markdown table; raw lines go to bench/results/capture-<time>.raw.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-8}
ROUNDS=${BENCH_ROUNDS:-3}
LOOPS=${TANDEM_LOOPS:-2}
WORKERS=${TANDEM_WORKERS:-$(nproc)}
OUT=bench/results
mkdir -p "$OUT"
RAW="$OUT/capture-$(date -u +%Y%m%dT%H%M%SZ).raw"
: > "$RAW"
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
if [ -z "${TANDEM_BIN:-}" ]; then
  swift build -c release --product tandem >/dev/null
  TANDEM_BIN=.build/release/tandem
fi
WORK=$(mktemp -d)
head -1 fixtures/zoo/breast-cancer-logreg/v1/input.csv > "$WORK/body.csv"
TANDEM_PID=
cleanup() { [ -n "$TANDEM_PID" ] && kill -TERM "$TANDEM_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

config() { # sampling -> config file (the single-model config, plus a capture section unless "off")
  local file="$WORK/capture-$1.yaml"
  sed "s|repository: ../../models|repository: $PWD/models|" bench/config/single.yaml > "$file"
  if [ "$1" != off ]; then
    printf 'data_capture: {sampling_percentage: %s, destination: %s/capture, disk_usage_threshold_percentage: 100}\n' "$1" "$WORK" >> "$file"
  fi
  echo "$file"
}

start_tandem() { # config
  local log="$WORK/tandem.log"
  "$TANDEM_BIN" serve --host 127.0.0.1 --port 0 --loops "$LOOPS" --workers "$WORKERS" --config "$1" > "$log" 2>&1 &
  TANDEM_PID=$!
  for _ in $(seq 200); do
    PORT=$(grep -oE 'listening on [^ ]+:[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    [ -n "$PORT" ] && curl -sf "http://127.0.0.1:$PORT/ping" >/dev/null && return 0
    sleep 0.1
  done
  echo "bench: tandem did not start: $(cat "$log")" >&2; exit 1
}

counter() { # series -> value from /metrics
  curl -s "http://127.0.0.1:$PORT/metrics" | awk -v s="$1" '$1 == s { printf "%d", $2 }'
}

for round in $(seq "$ROUNDS"); do
  for sampling in off 10 100; do
    rm -rf "$WORK/capture"
    start_tandem "$(config "$sampling")"
    url="http://127.0.0.1:$PORT/invocations"
    BENCH_BODY_FILE="$WORK/body.csv" wrk -t2 -c64 -d2s -s bench/post.lua "$url" >/dev/null  # warm-up
    line=$(BENCH_BODY_FILE="$WORK/body.csv" wrk -t2 -c64 -d"${DURATION}s" -s bench/post.lua "$url" | grep WRK_JSON)
    sleep 1.5  # the writer's next batch (flush_ms 1000) lands before the counters are read
    dropped=0
    for reason in queue_records queue_bytes disk_usage write_error stopped; do
      dropped=$((dropped + $(counter "tandem_capture_dropped_total{reason=\"$reason\"}")))
    done
    echo "$round $sampling ${line#WRK_JSON } sampled=$(counter tandem_capture_sampled_total) written=$(counter tandem_capture_written_total) dropped=$dropped" | tee -a "$RAW"
    kill -TERM "$TANDEM_PID"; wait "$TANDEM_PID" || true; TANDEM_PID=
  done
done

python3 - "$RAW" "$DURATION" "$ROUNDS" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    round_, sampling, rest = line.split(" ", 2)
    payload, _, counters = rest.partition("} ")
    data = json.loads(payload + "}")
    data.update(dict(kv.split("=") for kv in counters.split()))
    runs.setdefault(sampling, []).append(data)
base = statistics.median(r["rps"] for r in runs["off"])
print(f"\n{sys.argv[3]} interleaved rounds of {sys.argv[2]} s each; medians over rounds.\n")
print("| capture | req/s (median) | req/s per round | ratio to off | p50 | p99 | sampled / written / dropped (last round) |")
print("|---|---|---|---|---|---|---|")
for sampling in ("off", "10", "100"):
    rows = runs[sampling]
    rps = statistics.median(r["rps"] for r in rows)
    p50 = statistics.median(r["p50_us"] for r in rows) / 1000
    p99 = statistics.median(r["p99_us"] for r in rows) / 1000
    last = rows[-1]
    label = "off" if sampling == "off" else f"{sampling}%"
    counts = "-" if sampling == "off" else f"{last['sampled']} / {last['written']} / {last['dropped']}"
    per_round = ", ".join("%.0f" % r["rps"] for r in rows)
    print(f"| {label} | {rps:.0f} | {per_round} | {rps / base:.3f} | "
          f"{p50:.2f} ms | {p99:.2f} ms | {counts} |")
PY
