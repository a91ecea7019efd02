"""Deterministic per-request costs of Tandem's hot path, checked against committed thresholds.

For each scenario (a one-row CSV invocation, a 100-row CSV invocation, GET /ping) this counts, per request:
  instructions      valgrind --tool=callgrind (Ir: instructions executed, all threads of the server)
  allocations       valgrind --tool=dhat (heap blocks allocated, all threads)
The server is `tandem serve --workers 1 --loops 1` on the bundled models/ and config/, and the client sends a
fixed number of requests, one after another on one keep-alive connection, every invocation pinned to the control
variant (X-Amzn-SageMaker-Target-Variant) so the weighted split cannot change what is run. Start-up, model
loading, the connection's accept and shutdown are the same whatever the request count, so they cancel in the
difference (SwiftNIO's allocation-counter method): a base run sends N requests of every scenario, and one run per
scenario sends 2N of that one (runs go --jobs at a time); cost per request = (count(2N) - count(N)) / N.

  python3 bench/cost/cost.py --tandem .build/release/tandem            check against bench/cost/thresholds.json
  python3 bench/cost/cost.py --tandem .build/release/tandem --update   re-baseline: thresholds = measured + headroom

Exit status 1 when a figure exceeds its threshold (each one is printed with its threshold either way).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import math
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
THRESHOLDS = REPO / "bench" / "cost" / "thresholds.json"
ROWS = (REPO / "fixtures" / "zoo" / "breast-cancer-logreg" / "v1" / "input.csv").read_text().splitlines()
HEADROOM = 0.12  # thresholds = measured * (1 + HEADROOM), rounded up

SCENARIOS = {
    "csv-1-row": ("POST", "/invocations", "\n".join(ROWS[:1]) + "\n"),
    "csv-100-rows": ("POST", "/invocations", "\n".join(ROWS[:100]) + "\n"),
    "ping": ("GET", "/ping", None),
}
# N per scenario: enough that the little that varies between runs (timers that fire by the clock) is far below a
# tenth of a percent of N requests' cost; the 100-row scenario is ~20x dearer per request, so it needs fewer.
# Measured noise (two runs of the same binary): about 250k instructions per run, so N=20 pings were 60% off.
REQUESTS = {"csv-1-row": 500, "csv-100-rows": 50, "ping": 1000}
TOOLS = {
    # tool: (valgrind arguments, the summary line's pattern, the figure's name)
    "instructions": (["--tool=callgrind", "--callgrind-out-file={out}"], r"Collected\s*:\s*([\d,]+)"),
    "allocations": (["--tool=dhat", "--dhat-out-file={out}"], r"Total:\s*[\d,]+ bytes in ([\d,]+) blocks"),
}


def send(connection: http.client.HTTPConnection, scenario: str) -> None:
    method, path, body = SCENARIOS[scenario]
    headers = {"Content-Type": "text/csv", "X-Amzn-SageMaker-Target-Variant": "control"} if body else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"{scenario}: {method} {path} answered {response.status}")


def count(tandem: str, tool: str, requests: dict[str, int], workdir: str) -> int:
    """Runs tandem under `tool`, sends `requests[scenario]` requests of each scenario, stops it, returns the count."""
    valgrind_args, pattern = TOOLS[tool]
    out = os.path.join(workdir, f"{tool}-" + "-".join(f"{s}{n}" for s, n in requests.items()) + ".out")
    command = ["valgrind", *[a.format(out=out) for a in valgrind_args], tandem, "serve", "--host", "127.0.0.1",
               "--port", "0", "--workers", "1", "--loops", "1", "--log-level", "error"]
    env = {k: v for k, v in os.environ.items() if k not in ("SM_MODEL_DIR", "SAGEMAKER_BIND_TO_PORT")}
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stderr: list[str] = []
    drain = threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True)
    drain.start()
    try:
        port = None
        for line in proc.stdout:
            match = re.search(r"listening on [^ ]+:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        if port is None:
            raise RuntimeError(f"tandem exited before listening: {''.join(stderr)[-2000:]}")
        threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
        # Ready means /ping says 200: the models are loaded (a 503 before that is not counted as a request of
        # the ping scenario, and its cost is the same in every run).
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        deadline = time.monotonic() + 600
        while True:
            connection.request("GET", "/ping")
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("tandem never became ready")
            time.sleep(0.2)
        for scenario, n in requests.items():
            for _ in range(n):
                send(connection, scenario)
        connection.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=600)
        drain.join(timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"tandem under valgrind exited {proc.returncode}: {''.join(stderr)[-2000:]}")
    found = re.findall(pattern, "".join(stderr))
    if not found:
        raise RuntimeError(f"no {tool} summary in valgrind's output: {''.join(stderr)[-2000:]}")
    return int(found[-1].replace(",", ""))


def measure(tandem: str, base: dict[str, int], workdir: str, jobs: int) -> dict[str, dict[str, float]]:
    """The 8 valgrind runs, `jobs` at a time (each run is one process; counts do not depend on the others)."""
    runs = {(tool, scenario): {**base, scenario: 2 * base[scenario]} if scenario else base
            for tool in TOOLS for scenario in [None, *base]}
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {key: pool.submit(count, tandem, key[0], requests, workdir) for key, requests in runs.items()}
        counts = {key: future.result() for key, future in futures.items()}
    print(f"  {len(runs)} valgrind runs, {jobs} at a time, in {time.monotonic() - started:.0f} s", flush=True)
    return {scenario: {tool: (counts[(tool, scenario)] - counts[(tool, None)]) / n for tool in TOOLS}
            for scenario, n in base.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tandem", default=str(REPO / ".build" / "release" / "tandem"), help="a release build")
    parser.add_argument("--requests", type=int, help=f"N for every scenario (default: {REQUESTS})")
    parser.add_argument("--jobs", type=int, default=2, help="valgrind runs at a time (default 2)")
    parser.add_argument("--update", action="store_true", help="write measured figures + headroom as thresholds")
    args = parser.parse_args()
    if not os.path.exists(args.tandem):
        print(f"no tandem binary at {args.tandem}; build it with: swift build -c release --static-swift-stdlib "
              "--product tandem", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as workdir:
        # Valgrind 3.19 (Debian 12) cannot read the DWARF 5 that Swift's toolchain emits: measure a copy without
        # debug info (same code; callgrind still names functions from the symbol table).
        tandem = os.path.join(workdir, "tandem")
        subprocess.run(["strip", "--strip-debug", "-o", tandem, args.tandem], check=True)
        base = {s: args.requests for s in SCENARIOS} if args.requests else REQUESTS
        measured = measure(tandem, base, workdir, args.jobs)
    if args.update:
        thresholds = {
            "headroom": HEADROOM,
            "requests": base,
            "measured": {s: {t: round(v, 1) for t, v in tools.items()} for s, tools in measured.items()},
            "thresholds": {s: {t: math.ceil(v * (1 + HEADROOM)) for t, v in tools.items()}
                           for s, tools in measured.items()},
        }
        THRESHOLDS.write_text(json.dumps(thresholds, indent=2) + "\n")
        print(f"wrote {THRESHOLDS.relative_to(REPO)}")
    limits = json.loads(THRESHOLDS.read_text())["thresholds"]
    failed = []
    print(f"{'scenario':<14} {'figure':<13} {'per request':>12} {'threshold':>10} {'of it':>6}")
    for scenario, tools in measured.items():
        for tool, value in tools.items():
            limit = limits.get(scenario, {}).get(tool)
            if limit is None:
                verdict, share = "NO THRESHOLD", "-"
            else:
                verdict, share = ("ok" if value <= limit else "REGRESSION"), f"{100 * value / limit:.0f}%"
            if verdict != "ok":
                failed.append(f"{scenario} {tool}")
            print(f"{scenario:<14} {tool:<13} {value:>12.1f} {limit if limit is not None else '-':>10} {share:>6}  {verdict}")
    if failed:
        print(f"cost check failed: {', '.join(failed)} over the thresholds in {THRESHOLDS.relative_to(REPO)}; "
              "if the increase is intended, re-baseline with bench/cost/run.sh --update and commit the file")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
