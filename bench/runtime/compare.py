#!/usr/bin/env python3
"""Runs RuntimeBench and ort_bench.py on each model and prints a markdown table with ratios.
Usage: compare.py <RuntimeBench binary> <zoo dir> [models...]"""
import json
import subprocess
import sys


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()
    return json.loads(out[-1])


def main():
    binary, zoo = sys.argv[1], sys.argv[2]
    models = sys.argv[3:] or ["synthetic-large-forest/v1", "digits-mlp/v1", "breast-cancer-torch-mlp-gelu-dynamo/v1",
                              "iris-knn/v1", "iris-gaussian-nb/v1", "topics-tfidf-logreg/v1"]
    here = __file__.rsplit("/", 1)[0]
    print("| model | runtime | single-row median (µs) | single-row p99 (µs) | 1,000-row batch (rows/s) |")
    print("|---|---|---:|---:|---:|")
    ratios = []
    for m in models:
        d = f"{zoo}/{m}"
        t = run([binary, d])
        o = run([sys.executable, f"{here}/ort_bench.py", d])
        for r in (o, t):
            print(f"| {m} | {r['runtime']} | {r['single_row_median_us']:.2f} | {r['single_row_p99_us']:.2f} | {r['batch_rows_per_s']:,.0f} |")
        ratios.append((m, o['single_row_median_us'] / t['single_row_median_us'], o['single_row_p99_us'] / t['single_row_p99_us'],
                       t['batch_rows_per_s'] / o['batch_rows_per_s']))
    print()
    print("| model | latency speed-up, median (ORT/Tandem) | p99 (ORT/Tandem) | batch throughput (Tandem/ORT) |")
    print("|---|---:|---:|---:|")
    for m, a, b, c in ratios:
        print(f"| {m} | {a:.2f}x | {b:.2f}x | {c:.2f}x |")


if __name__ == "__main__":
    main()
