#!/usr/bin/env python3
"""Cold-load time of each zoo model through a multi-model endpoint's POST /models.

    bench/mme_cold_load.py BINARY [--rounds 5] [--out bench/results/mme-cold-load-<time>.md]

Starts BINARY as SageMaker starts a multi-model container (SAGEMAKER_MULTI_MODEL=true), lays every zoo
model out as SageMaker does (/opt/ml/models/<key>/model/model.onnx, here under a temp dir), and for each
model, ROUNDS times: POST /models (timed by the client: read, validate, plan, warm up), then DELETE it
(timed too). Reports the median and the minimum per model, the artifact's size, and the server's
own ModelLoadingTime sum/count. The page cache is warm after the first round: the figures are Tandem's
work, not the disk's.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
ZOO = REPO / "fixtures" / "zoo"


def request(port, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out")
    args = parser.parse_args()

    work = pathlib.Path(tempfile.mkdtemp(prefix="tandem-mme-bench-"))
    models = sorted(p.parent.parent.name for p in ZOO.glob("*/v1/model.onnx"))
    for name in models:
        directory = work / "opt/ml/models" / name / "model"
        directory.mkdir(parents=True)
        shutil.copy(ZOO / name / "v1" / "model.onnx", directory / "model.onnx")
    env = dict(os.environ, SAGEMAKER_MULTI_MODEL="true", TANDEM_LOG_LEVEL="error")
    server = subprocess.Popen([args.binary, "serve", "--host", "127.0.0.1", "--port", "0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = None
        for line in server.stdout:
            match = re.search(r"listening on [^ ]+:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        assert port, "no listening line"
        rows = []
        for name in models:
            url = str(work / "opt/ml/models" / name / "model")
            loads, unloads = [], []
            for _ in range(args.rounds):
                started = time.perf_counter()
                status, body = request(port, "POST", "/models", json.dumps({"model_name": name, "url": url}))
                loads.append(time.perf_counter() - started)
                if status != 200:
                    loads = None
                    rows.append((name, None, None, None, f"{status} {json.loads(body).get('code')}"))
                    break
                started = time.perf_counter()
                status, _ = request(port, "DELETE", f"/models/{name}")
                unloads.append(time.perf_counter() - started)
            if loads:
                size = (work / "opt/ml/models" / name / "model" / "model.onnx").stat().st_size
                rows.append((name, size, statistics.median(loads) * 1000, min(loads) * 1000,
                             f"{statistics.median(unloads) * 1000:.2f}"))
        _, metrics = request(port, "GET", "/metrics")
        text = metrics.decode()
        total = re.search(r"^tandem_mme_model_loading_time_seconds_sum ([0-9.e+-]+)$", text, re.M)
        count = re.search(r"^tandem_mme_model_loading_time_seconds_count ([0-9.e+-]+)$", text, re.M)
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(work, ignore_errors=True)

    lines = [f"Cold load through POST /models, {args.rounds} rounds per model, binary {args.binary}", "",
             "| model | artifact bytes | load median (ms) | load min (ms) | unload median (ms) |", "|---|---:|---:|---:|---:|"]
    for name, size, median, minimum, unload in rows:
        if size is None:
            lines.append(f"| {name} | | refused: {unload} | | |")
        else:
            lines.append(f"| {name} | {size} | {median:.2f} | {minimum:.2f} | {unload} |")
    if total and count:
        lines += ["", f"Server-side ModelLoadingTime: {float(total.group(1)) / float(count.group(1)) * 1000:.2f} ms mean "
                  f"over {int(float(count.group(1)))} loads."]
    report = "\n".join(lines) + "\n"
    print(report)
    out = pathlib.Path(args.out) if args.out else REPO / "bench/results" / f"mme-cold-load-{time.strftime('%Y%m%d-%H%M%S')}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)


if __name__ == "__main__":
    sys.exit(main())
