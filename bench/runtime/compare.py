#!/usr/bin/env python3
"""Runs RuntimeBench and ort_bench.py on each model and prints a markdown table with ratios.
Usage: compare.py <RuntimeBench binary> <zoo dir> [--rounds N] [--calls N] [--batch-seconds S] [--baseline <older RuntimeBench binary>] [models...]
With --rounds N (default 1), each model runs N times, onnxruntime and Tandem alternating (ORT, Tandem,
ORT, Tandem, ...), so both see the same machine load; the tables give the median of each figure
and the ratio table the median of the per-round ratios with their range (the machine is shared).
The load average is printed before and after.
With --baseline, the older build runs on each model right after the current one (same run, same
machine state) and a before/after table follows."""
import json
import os
import resource
import statistics
import subprocess
import sys


BENCH_ARGS = []


def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd + BENCH_ARGS, check=True, capture_output=True, text=True).stdout.strip().splitlines()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = json.loads(out[-1])
    if "batch_rows_per_cpu_s" not in r:
        # A RuntimeBench built before it measured CPU time: charge the whole process's CPU time
        # (load, warm-up and single rows included, so this understates Tandem) to the batches.
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        r["batch_rows_per_cpu_s"] = round(r["batch_iterations"] * r["batch_rows"] / max(cpu, 1e-9))
    return r


def main():
    binary, zoo = sys.argv[1], sys.argv[2]
    rest = sys.argv[3:]
    baseline = None
    rounds = 1
    while len(rest) >= 2 and rest[0] in ("--baseline", "--rounds", "--calls", "--batch-seconds"):
        if rest[0] == "--baseline":
            baseline = rest[1]
        elif rest[0] == "--rounds":
            rounds = max(1, int(rest[1]))
        else:
            BENCH_ARGS.extend(rest[:2])  # passed to both benchmarks
        rest = rest[2:]
    models = rest or ["synthetic-large-forest/v1", "digits-mlp/v1", "breast-cancer-torch-mlp-gelu-dynamo/v1",
                              "iris-knn/v1", "iris-gaussian-nb/v1", "topics-tfidf-logreg/v1"]
    here = __file__.rsplit("/", 1)[0]
    print("| model | runtime | single-row median (µs) | single-row p99 (µs) | 1,000-row batch (rows/s) | batch rows per CPU-second |")
    print("|---|---|---:|---:|---:|---:|")
    ratios = []
    before = []
    print(f"load average at start: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    keys = ("single_row_median_us", "single_row_p99_us", "batch_rows_per_s", "batch_rows_per_cpu_s")
    for m in models:
        d = f"{zoo}/{m}"
        ts, os_, per_round = [], [], []
        for _ in range(rounds):
            o = run([sys.executable, f"{here}/ort_bench.py", d])
            t = run([binary, d])
            ts.append(t)
            os_.append(o)
            per_round.append((o['single_row_median_us'] / t['single_row_median_us'], o['single_row_p99_us'] / t['single_row_p99_us'],
                              t['batch_rows_per_s'] / o['batch_rows_per_s'], t['batch_rows_per_cpu_s'] / o['batch_rows_per_cpu_s']))
        t = {k: statistics.median(r[k] for r in ts) for k in keys} | {"runtime": ts[0]["runtime"]}
        o = {k: statistics.median(r[k] for r in os_) for k in keys} | {"runtime": os_[0]["runtime"]}
        if baseline:
            b = run([baseline, d])
            before.append((m, b, t, o))
        for r in (o, t):
            print(f"| {m} | {r['runtime']} | {r['single_row_median_us']:.2f} | {r['single_row_p99_us']:.2f} | {r['batch_rows_per_s']:,.0f} | {r['batch_rows_per_cpu_s']:,.0f} |")
        ratios.append((m, [statistics.median(x[i] for x in per_round) for i in range(4)],
                       [(min(x[i] for x in per_round), max(x[i] for x in per_round)) for i in range(4)]))
    print(f"load average at end: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    print()
    print(f"| model | latency speed-up, median (ORT/Tandem) | p99 (ORT/Tandem) | batch throughput (Tandem/ORT) | per CPU-second (Tandem/ORT) |"
          + (f" CPU-second ratio, range over {rounds} rounds |" if rounds > 1 else ""))
    print("|---|---:|---:|---:|---:|" + ("---:|" if rounds > 1 else ""))
    for m, (a, b, c, d), spans in ratios:
        extra = f" {spans[3][0]:.2f}-{spans[3][1]:.2f}x |" if rounds > 1 else ""
        print(f"| {m} | {a:.2f}x | {b:.2f}x | {c:.2f}x | {d:.2f}x |{extra}")
    if before:
        print()
        print("| model | batch rows/s before | after | after/before | before/ORT | after/ORT | single-row median before (µs) | after (µs) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for m, b, t, o in before:
            bb, tb, ob = b['batch_rows_per_s'], t['batch_rows_per_s'], o['batch_rows_per_s']
            print(f"| {m} | {bb:,.0f} | {tb:,.0f} | {tb / bb:.2f}x | {bb / ob:.2f}x | {tb / ob:.2f}x | "
                  f"{b['single_row_median_us']:.2f} | {t['single_row_median_us']:.2f} |")


if __name__ == "__main__":
    main()
