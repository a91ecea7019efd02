#!/usr/bin/env bash
# Tandem's benchmarks, against an nginx fixed-response ceiling in the same run:
#   1. single-row CSV to the breast-cancer logistic regression, keep-alive, 64 connections (req/s ratio)
#   2. two variants + sticky routing + metrics vs the single-model path (req/s ratio)
#   3. saturation: a synthetic 50 ms model, every worker busy, 128 clients, while the prober opens a new
#      connection every 10 ms: connect and /ping times
#   4. CPU saturation: the same with a model that spins the CPU for 50 ms (every core busy)
#   5. 5,000 idle keep-alive connections: /ping times and the server's RSS
# Usage: bench/run.sh            (BENCH_DURATION=10 seconds per load run; TANDEM_LOOPS, TANDEM_WORKERS)
# Needs: wrk, nginx (Debian: apt-get install wrk nginx-light), python3. Writes bench/results/<time>.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-10}
LOOPS=${TANDEM_LOOPS:-2}
WORKERS=${TANDEM_WORKERS:-$(nproc)}
OUT=bench/results
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW="$OUT/$STAMP.raw"
: > "$RAW"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

for tool in wrk nginx python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not installed (apt-get install wrk nginx-light)" >&2; exit 1; }
done
swift build -c release --product tandem >/dev/null
BIN=.build/release/tandem
BODY=$(mktemp)
head -1 fixtures/zoo/breast-cancer-logreg/v1/input.csv > "$BODY"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; rm -f "$BODY"; }
trap cleanup EXIT

start_tandem() { # config -> sets TANDEM_PID, TANDEM_PORT
  local log; log=$(mktemp)
  "$BIN" serve --host 127.0.0.1 --port 0 --loops "$LOOPS" --workers "$WORKERS" --config "$1" > "$log" 2>&1 &
  TANDEM_PID=$!
  PIDS+=("$TANDEM_PID")
  for _ in $(seq 100); do
    TANDEM_PORT=$(grep -oE 'listening on [^ ]+:[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    [ -n "$TANDEM_PORT" ] && curl -sf "http://127.0.0.1:$TANDEM_PORT/ping" >/dev/null && return 0
    sleep 0.1
  done
  echo "bench: tandem did not start: $(cat "$log")" >&2; exit 1
}
stop_tandem() { kill -TERM "$TANDEM_PID"; wait "$TANDEM_PID" || true; }

run_wrk() { # label url connections [sticky]
  local label=$1 url=$2 conns=$3 sticky=${4:-0}
  BENCH_BODY_FILE=$BODY BENCH_STICKY=$sticky wrk -t2 -c"$conns" -d2s -s bench/post.lua "$url" >/dev/null  # warm-up
  BENCH_BODY_FILE=$BODY BENCH_STICKY=$sticky wrk -t2 -c"$conns" -d"${DURATION}s" -s bench/post.lua "$url" \
    | grep WRK_JSON | sed "s/^WRK_JSON /$label /" >> "$RAW"
}

echo "== nginx ceiling"
NGINX_DIR=$(mktemp -d)
sed -e "s|__PREFIX__|$NGINX_DIR|" -e "s|__PORT__|18481|" -e "s|__WORKERS__|${NGINX_WORKERS:-auto}|" \
  bench/nginx.conf.template > "$NGINX_DIR/nginx.conf"
nginx -c "$NGINX_DIR/nginx.conf" -p "$NGINX_DIR" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
sleep 0.5
BENCH_BODY_FILE=$BODY run_wrk nginx http://127.0.0.1:18481/invocations 64
kill -TERM "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true

echo "== tandem single model"
start_tandem bench/config/single.yaml
BENCH_BODY_FILE=$BODY run_wrk single "http://127.0.0.1:$TANDEM_PORT/invocations" 64
stop_tandem

echo "== tandem two variants, sticky routing"
start_tandem bench/config/ab.yaml
BENCH_BODY_FILE=$BODY run_wrk ab "http://127.0.0.1:$TANDEM_PORT/invocations" 64 1
stop_tandem

saturate() { # config label: 128 clients keep every worker busy while the prober measures
  start_tandem "$1"
  BENCH_BODY_FILE=$BODY wrk -t1 -c128 -d"$((DURATION + 4))s" --timeout 30s -s bench/post.lua "http://127.0.0.1:$TANDEM_PORT/invocations" \
    | grep WRK_JSON | sed "s/^WRK_JSON /$2_load /" >> "$RAW" &
  WRK_PID=$!
  sleep 2
  python3 bench/prober.py --port "$TANDEM_PORT" --duration "$DURATION" --interval 0.01 \
    | grep PROBE_JSON | sed "s/^PROBE_JSON /$2_probe /" >> "$RAW"
  wait "$WRK_PID" || true
  stop_tandem
}

echo "== saturation: 50 ms sleeping model, 128 clients, prober every 10 ms"
saturate bench/config/saturation.yaml saturation

echo "== CPU saturation: 50 ms CPU-bound model (mode: cpu), 128 clients, prober every 10 ms"
saturate bench/config/saturation-cpu.yaml saturation_cpu

echo "== 5,000 idle keep-alive connections"
start_tandem bench/config/single.yaml
python3 bench/prober.py --port "$TANDEM_PORT" --duration "$DURATION" --interval 0.01 --idle 5000 --pid "$TANDEM_PID" \
  | grep PROBE_JSON | sed 's/^PROBE_JSON /idle_probe /' >> "$RAW"
stop_tandem

python3 bench/report.py "$RAW" --loops "$LOOPS" --workers "$WORKERS" --duration "$DURATION" \
  --json "$OUT/$STAMP.json" --markdown "$OUT/$STAMP.md"
cat "$OUT/$STAMP.md"
