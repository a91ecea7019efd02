#!/usr/bin/env python3
"""onnxruntime side of the runtime benchmark: same model, same input rows, same protocol as
RuntimeBench (one session, intra_op_num_threads=1, inter_op_num_threads=1). Prints JSON."""
import json
import sys
import time

import numpy as np
import onnxruntime as ort


def main():
    args = sys.argv[1:]
    model_dir = args[0]
    calls = int(args[args.index("--calls") + 1]) if "--calls" in args else 10000
    batch = int(args[args.index("--batch") + 1]) if "--batch" in args else 1000
    batch_seconds = float(args[args.index("--batch-seconds") + 1]) if "--batch-seconds" in args else 3.0
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(f"{model_dir}/model.onnx", opts, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    if sess.get_inputs()[0].type == "tensor(string)":  # a text classifier: one document per line
        with open(f"{model_dir}/input.csv") as f:
            rows = np.array([[line.rstrip("\n")] for line in f], dtype=object)
    else:
        rows = np.loadtxt(f"{model_dir}/input.csv", delimiter=",", dtype=np.float64).astype(np.float32)
    singles = [{name: rows[i:i + 1]} for i in range(len(rows))]
    batch_feed = {name: np.resize(rows, (batch, rows.shape[1]))}
    for i in range(1000):
        sess.run(None, singles[i % len(singles)])
    sess.run(None, batch_feed)
    lat = []
    clock = time.perf_counter_ns
    for i in range(calls):
        feed = singles[i % len(singles)]
        t0 = clock()
        sess.run(None, feed)
        lat.append(clock() - t0)
    lat.sort()
    iterations = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    while True:
        sess.run(None, batch_feed)
        iterations += 1
        elapsed = time.perf_counter() - start
        if elapsed >= batch_seconds and iterations >= 3:
            break
    cpu = max(time.process_time() - cpu_start, 1e-9)
    print(json.dumps({
        "runtime": "onnxruntime " + ort.__version__,
        "model": "/".join(model_dir.rstrip("/").split("/")[-2:]),
        "calls": calls,
        "single_row_median_us": round(lat[len(lat) // 2] / 1000, 2),
        "single_row_p99_us": round(lat[min(len(lat) - 1, len(lat) * 99 // 100)] / 1000, 2),
        "batch_rows": batch,
        "batch_iterations": iterations,
        "batch_rows_per_s": round(iterations * batch / elapsed),
        # process CPU time (all threads; intra_op_num_threads=1 keeps the work on one)
        "batch_rows_per_cpu_s": round(iterations * batch / cpu),
    }, sort_keys=True))


if __name__ == "__main__":
    main()
