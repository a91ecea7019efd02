#!/usr/bin/env python3
"""Runs RuntimeBench and ort_bench.py on each model and prints a markdown table with ratios.
Usage: compare.py <RuntimeBench binary> <zoo dir> [--baseline <older RuntimeBench binary>] [models...]
With --baseline, the older build runs on each model right after the current one (same run, same
machine state) and a before/after table follows."""
import json
import subprocess
import sys


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()
    return json.loads(out[-1])


def main():
    binary, zoo = sys.argv[1], sys.argv[2]
    rest = sys.argv[3:]
    baseline = None
    if len(rest) >= 2 and rest[0] == "--baseline":
        baseline, rest = rest[1], rest[2:]
    models = rest or ["synthetic-large-forest/v1", "digits-mlp/v1", "breast-cancer-torch-mlp-gelu-dynamo/v1",
                              "iris-knn/v1", "iris-gaussian-nb/v1", "topics-tfidf-logreg/v1"]
    here = __file__.rsplit("/", 1)[0]
    print("| model | runtime | single-row median (µs) | single-row p99 (µs) | 1,000-row batch (rows/s) |")
    print("|---|---|---:|---:|---:|")
    ratios = []
    before = []
    for m in models:
        d = f"{zoo}/{m}"
        t = run([binary, d])
        o = run([sys.executable, f"{here}/ort_bench.py", d])
        if baseline:
            b = run([baseline, d])
            before.append((m, b, t, o))
        for r in (o, t):
            print(f"| {m} | {r['runtime']} | {r['single_row_median_us']:.2f} | {r['single_row_p99_us']:.2f} | {r['batch_rows_per_s']:,.0f} |")
        ratios.append((m, o['single_row_median_us'] / t['single_row_median_us'], o['single_row_p99_us'] / t['single_row_p99_us'],
                       t['batch_rows_per_s'] / o['batch_rows_per_s']))
    print()
    print("| model | latency speed-up, median (ORT/Tandem) | p99 (ORT/Tandem) | batch throughput (Tandem/ORT) |")
    print("|---|---:|---:|---:|")
    for m, a, b, c in ratios:
        print(f"| {m} | {a:.2f}x | {b:.2f}x | {c:.2f}x |")
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
