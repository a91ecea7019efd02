#!/usr/bin/env bash
# A/B of two Tandem builds in one run: the same workloads, interleaved A, B, A, B, ... so that machine
# noise hits both alike. Reports req/s, p50/p99 latency and the server's CPU time per request (its
# utime + stime from /proc over the requests it answered) for each build, and the B/A ratios.
#   bench/ab.sh OLD_BINARY NEW_BINARY        (ROUNDS=3, BENCH_DURATION=10 seconds per run)
# Workloads: 1-row and 100-row CSV (breast-cancer logistic regression, 64 connections, keep-alive) on
# the bundled two-variant endpoint (config/endpoint.yaml), so routing and metrics are on the path.
# Needs: wrk, python3. Writes bench/results/ab-<time>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: bench/ab.sh OLD_BINARY NEW_BINARY" >&2; exit 2; }
A=$1 B=$2
ROUNDS=${ROUNDS:-3}
DURATION=${BENCH_DURATION:-10}
LOOPS=${TANDEM_LOOPS:-2}
WORKERS=${TANDEM_WORKERS:-$(nproc)}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
OUT=bench/results
mkdir -p "$OUT"
RAW=$(mktemp)
ONE=$(mktemp)
HUNDRED=$(mktemp)
head -1 fixtures/zoo/breast-cancer-logreg/v1/input.csv > "$ONE"
for _ in $(seq 4); do head -25 fixtures/zoo/breast-cancer-logreg/v1/input.csv; done | head -100 > "$HUNDRED"
PID=""
cleanup() { [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null || true; rm -f "$RAW" "$ONE" "$HUNDRED"; }
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() { # label binary body
  local label=$1 bin=$2 body=$3 log port
  log=$(mktemp)
  "$bin" serve --host 127.0.0.1 --port 0 --loops "$LOOPS" --workers "$WORKERS" --config config/endpoint.yaml > "$log" 2>&1 &
  PID=$!
  for _ in $(seq 200); do
    port=$(grep -oE 'listening on [^ ]+:[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/ping" >/dev/null && break
    sleep 0.1
  done
  BENCH_BODY_FILE=$body wrk -t2 -c64 -d2s -s bench/post.lua "http://127.0.0.1:$port/invocations" >/dev/null
  local before after
  before=$(cpu_ticks "$PID")
  BENCH_BODY_FILE=$body wrk -t2 -c64 -d"${DURATION}s" -s bench/post.lua "http://127.0.0.1:$port/invocations" \
    | grep WRK_JSON | sed "s/^WRK_JSON //" > "$log.json"
  after=$(cpu_ticks "$PID")
  echo "$label $(cat "$log.json") $((after - before)) $(getconf CLK_TCK)" >> "$RAW"
  kill -TERM "$PID"; wait "$PID" || true; PID=""
  rm -f "$log" "$log.json"
}

for round in $(seq "$ROUNDS"); do
  for workload in one hundred; do
    body=$ONE; [ "$workload" = hundred ] && body=$HUNDRED
    echo "== round $round, $workload-row CSV: A then B"
    run "A:$workload" "$A" "$body"
    run "B:$workload" "$B" "$body"
  done
done

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
python3 - "$RAW" "$A" "$B" "$ROUNDS" "$DURATION" > "$OUT/ab-$STAMP.md" <<'EOF'
import json, statistics, sys
raw, a, b, rounds, duration = sys.argv[1:]
runs = {}
for line in open(raw):
    label, rest = line.split(" ", 1)
    payload, ticks, hz = rest.rsplit(" ", 2)
    r = json.loads(payload)
    r["cpu_us_per_req"] = int(ticks) / int(hz) * 1e6 / max(r["requests"], 1)
    runs.setdefault(label, []).append(r)
print(f"A = `{a}`, B = `{b}`; {rounds} interleaved rounds of {duration} s per workload, 64 connections; "
      "medians over the rounds.\n")
print("| workload | build | req/s | p50 (µs) | p99 (µs) | server CPU µs/req | errors |")
print("|---|---|---:|---:|---:|---:|---:|")
med = lambda rs, k: statistics.median(r[k] for r in rs)
for workload in ("one", "hundred"):
    for build in ("A", "B"):
        rs = runs[f"{build}:{workload}"]
        print(f"| {'1-row' if workload == 'one' else '100-row'} CSV | {build} | {med(rs, 'rps'):,.0f} | "
              f"{med(rs, 'p50_us'):,.0f} | {med(rs, 'p99_us'):,.0f} | {med(rs, 'cpu_us_per_req'):.1f} | "
              f"{sum(r['errors'] + r['non2xx'] for r in rs)} |")
print()
for workload in ("one", "hundred"):
    ra, rb = runs[f"A:{workload}"], runs[f"B:{workload}"]
    print(f"- {'1-row' if workload == 'one' else '100-row'} CSV: B/A req/s {med(rb, 'rps') / med(ra, 'rps'):.3f}, "
          f"CPU per request B/A {med(rb, 'cpu_us_per_req') / med(ra, 'cpu_us_per_req'):.3f}")
EOF
cat "$OUT/ab-$STAMP.md"
