#!/usr/bin/env bash
# The experiment ledger's cost: throughput of the two-variant endpoint (bench/config/ab.yaml's variants, weighted
# draws) with outcome collection off, on with the SQLite ledger, and on with a PostgreSQL ledger, in one run,
# rounds interleaved (off, sqlite, postgresql, off, ...) so machine drift hits all three alike. Every answered
# request writes an assignment row on the ledger's thread.
# Usage: bench/ledger.sh   (BENCH_DURATION=10 s per run, BENCH_ROUNDS=3, TANDEM_LOOPS, TANDEM_WORKERS, TANDEM_BIN)
# Needs: wrk, python3, PostgreSQL (scripts/install-deps --bench). Prints a table of req/s and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-3}
LOOPS=${TANDEM_LOOPS:-2}
WORKERS=${TANDEM_WORKERS:-$(nproc)}
if [ -n "${TANDEM_BIN:-}" ]; then  # a binary already built (as the other bench scripts take it)
  BIN=$TANDEM_BIN
else
  swift build -c release --product tandem >/dev/null
  BIN=$(swift build -c release --show-bin-path)/tandem
fi
WORK=$(mktemp -d)
BODY=$WORK/body.csv
head -1 fixtures/zoo/breast-cancer-logreg/v1/input.csv > "$BODY"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

# A PostgreSQL server of our own (as the postgres user when root), stopped by its process id at the end.
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/postgres | tail -1)")
PGDIR=$WORK/pg
mkdir -p "$PGDIR"
AS=()
if [ "$(id -u)" = 0 ]; then chown postgres "$WORK" "$PGDIR"; AS=(runuser -u postgres --); fi
"${AS[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U tandem --auth=trust --no-sync >/dev/null
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${AS[@]}" "$PGBIN/postgres" -D "$PGDIR/data" -p "$PGPORT" -k "$PGDIR" -c listen_addresses=127.0.0.1 >"$WORK/pg.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 0.1; done

config() { # name experiment-yaml
  cat > "$WORK/$1.yaml" <<YAML
endpoint: bench-$1
repository: $(pwd)/models
production_variants:
  - {name: control, model: breast-cancer-logreg, version: 1, weight: 0.8}
  - {name: challenger, model: breast-cancer-logreg, version: 2, weight: 0.2}
$2
YAML
}
config off ""
config sqlite "experiment: {outcomes: true, ledger: $WORK/ledger.sqlite}"
config postgresql "experiment: {outcomes: true, ledger: 'postgresql://tandem@127.0.0.1:$PGPORT/postgres'}"

run() { # name -> prints req/s, errors, and the server's CPU time per request (µs; its own process only)
  local log=$WORK/$1.log port
  "$BIN" serve --host 127.0.0.1 --port 0 --loops "$LOOPS" --workers "$WORKERS" --config "$WORK/$1.yaml" >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 200); do
    port=$(grep -oE 'listening on [^ ]+:[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/ping" >/dev/null && break
    sleep 0.1
  done
  BENCH_BODY_FILE=$BODY wrk -t2 -c64 -d2s -s bench/post.lua "http://127.0.0.1:$port/invocations" >/dev/null
  local ticks0 ticks1
  ticks0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  BENCH_BODY_FILE=$BODY wrk -t2 -c64 -d"${DURATION}s" -s bench/post.lua "http://127.0.0.1:$port/invocations" \
    | grep WRK_JSON | sed 's/^WRK_JSON //' >"$WORK/wrk.json"
  ticks1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  python3 -c 'import json,os,sys; d=json.load(open(sys.argv[1])); t=(int(sys.argv[3])-int(sys.argv[2]))/os.sysconf("SC_CLK_TCK"); print(d["rps"], d["errors"], round(t*1e6/max(1,d["requests"]),1))' \
    "$WORK/wrk.json" "$ticks0" "$ticks1"
  local dropped
  dropped=$(curl -s "http://127.0.0.1:$port/metrics" | grep -E '^tandem_ledger_dropped_rows' | awk '{print $2}' || true)
  kill -TERM "$pid"; wait "$pid" || true
  echo "dropped=${dropped:-0}" >&2
}

# Per round, each configuration's ratio to the *off* run just before it: drift over the run (this machine's
# throughput moves by 10-20% within minutes) hits a round's three runs alike, so the median of these ratios is
# the figure to read; the means are printed too.
declare -A SUM CPU
RATIOS=()
for round in $(seq "$ROUNDS"); do
  for name in off sqlite postgresql; do
    read -r rps errors cpu < <(run "$name")
    echo "round $round $name: $rps req/s, $errors errors, $cpu us server CPU/request"
    SUM[$name]=$(python3 -c "print(${SUM[$name]:-0} + $rps)")
    CPU[$name]=$(python3 -c "print(${CPU[$name]:-0} + $cpu)")
    [ "$name" = off ] && OFF=$rps
    RATIOS+=("$name:$(python3 -c "print($rps / $OFF)")")
  done
done
python3 - "${SUM[off]}" "${SUM[sqlite]}" "${SUM[postgresql]}" "$ROUNDS" "${CPU[off]}" "${CPU[sqlite]}" "${CPU[postgresql]}" "${RATIOS[@]}" <<'PY'
import statistics, sys
off, sqlite, pg, rounds = (float(x) for x in sys.argv[1:5])
cpu = dict(zip(("off", "sqlite", "postgresql"), (float(x) / rounds for x in sys.argv[5:8])))
ratios = {}
for item in sys.argv[8:]:
    name, value = item.split(":")
    ratios.setdefault(name, []).append(float(value))
print(f"| ledger | req/s (mean of {int(rounds)}) | vs off (mean) | vs off (median of per-round ratios) | server CPU µs/request |")
print("|---|---|---|---|---|")
for name, value in (("off", off), ("sqlite", sqlite), ("postgresql", pg)):
    print(f"| {name} | {value / rounds:.0f} | {value / off:.3f} | {statistics.median(ratios[name]):.3f} | {cpu[name]:.1f} |")
PY
