#!/usr/bin/env python3
"""RSS before, during and after a burst of large requests, with and without Tandem's memory settings.

The finding it measures (issue 9): after a burst of large bodies a release build stayed at 1.9 GB resident
against a 41 MB baseline, because glibc gives busy threads arenas of their own and keeps their freed pages.
Tandem caps the arenas (TANDEM_MALLOC_ARENAS, default 2) and trims the heap when idle (TANDEM_MEMORY_TRIM_MS,
default 5000). This script runs the same burst against the same binary twice: with the defaults, and with
both turned off (TANDEM_MALLOC_ARENAS=0 TANDEM_MEMORY_TRIM_MS=0, glibc's own behaviour), and prints RSS at
the start, its peak during the burst and where it settles once idle.

    python3 bench/rss_burst.py --tandem .build/release/tandem [--clients 32] [--rows 400] [--seconds 8]

Traffic goes to 127.0.0.1 only; every loop is bounded by a deadline.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "system-tests" / "e2e"))

from conftest import Server, write_endpoint, write_synthetic  # noqa: E402
from hostile import csv_burst, rss_bytes  # noqa: E402

FEATURES = 2000


def burst(server: Server, clients: int, rows: int, seconds: float) -> tuple[dict[int, int], int]:
    """`clients` connections each POST `rows` x 2000-feature CSV bodies for `seconds`; returns (status counts,
    peak RSS sampled every 50 ms)."""
    result: dict[str, dict[int, int]] = {}
    sender = threading.Thread(
        target=lambda: result.update(counts=csv_burst(server, seconds, clients, rows=rows, features=FEATURES, timeout=120)))
    sender.start()
    peak = 0
    while sender.is_alive():
        peak = max(peak, rss_bytes(server.pid))
        time.sleep(0.05)
    return result.get("counts", {}), peak


def settle(server: Server, seconds: float) -> int:
    """The lowest RSS seen over `seconds` of idleness (trimming happens on its own schedule)."""
    deadline = time.monotonic() + seconds
    low = rss_bytes(server.pid)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        low = min(low, rss_bytes(server.pid))
    return low


def run(binary: str, env: dict[str, str], args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        write_synthetic(root, "m", 1, features=FEATURES, latency_ms=1)
        config = write_endpoint(root, [{"name": "a", "model": "m", "version": 1, "weight": 1}])
        os.environ["TANDEM_BIN"] = binary
        server = Server(["--config", str(config), "--workers", str(args.workers), "--queue-size", "64"], env=env)
        try:
            burst(server, 2, 4, 1.0)  # warm-up: lazily built state is not what is measured
            base = rss_bytes(server.pid)
            counts, peak = burst(server, args.clients, args.rows, args.seconds)
            after = settle(server, args.settle)
            return {"base": base, "peak": peak, "after": after, "counts": counts}
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tandem", default=str(REPO / ".build" / "release" / "tandem"))
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--rows", type=int, default=400, help="rows of 2000 features per request (~7 MB at 400)")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--settle", type=float, default=12.0, help="idle seconds after the burst")
    args = parser.parse_args()
    cases = [
        ("defaults (2 arenas, trim every 5 s when idle)", {}),
        ("glibc's own (TANDEM_MALLOC_ARENAS=0 TANDEM_MEMORY_TRIM_MS=0)",
         {"TANDEM_MALLOC_ARENAS": "0", "TANDEM_MEMORY_TRIM_MS": "0"}),
    ]
    mib = 1 << 20
    print(f"{args.clients} clients x {args.rows} rows x {FEATURES} features for {args.seconds:.0f} s, "
          f"{args.workers} workers, binary {args.tandem}")
    print("| memory settings | RSS before | peak | after idle | answers |")
    print("|---|---|---|---|---|")
    for title, env in cases:
        result = run(args.tandem, env, args)
        answers = ", ".join(f"{count} x {status}" for status, count in sorted(result["counts"].items()))
        print(f"| {title} | {result['base'] // mib} MiB | {result['peak'] // mib} MiB | "
              f"{result['after'] // mib} MiB | {answers} |", flush=True)


if __name__ == "__main__":
    main()
