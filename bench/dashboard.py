#!/usr/bin/env python3
"""The dashboard's cost, measured against a real tandem (release build) with wrk:

  throughput  invocations/s with 10 dashboards open (10 held /dashboard/events streams, read as a browser
              would) vs none, alternating in one run (--rounds pairs), bench/config/ab.yaml, bench/post.lua
  streams     /ping latency (a new connection per probe, every 10 ms) with no streams, then with 200 open
  soak        --duration seconds of wrk load with one page open: the server's RSS every 10 s

Usage: bench/dashboard.py throughput|streams|soak [--bin .build/release/tandem] [--duration 10] [--rounds 3]
Needs: wrk (apt-get install wrk), a release build (swift build -c release --product tandem)."""
import argparse
import os
import pathlib
import re
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = pathlib.Path(__file__).resolve().parent.parent


def start_tandem(binary, config, env):
    log = tempfile.NamedTemporaryFile("w+", delete=False)
    proc = subprocess.Popen([binary, "serve", "--host", "127.0.0.1", "--port", "0", "--loops", "2", "--workers",
                             str(os.cpu_count()), "--config", str(config)], stdout=log, stderr=log,
                            env={**os.environ, "TANDEM_LOG_LEVEL": "warning", **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = re.search(r"listening on [^ ]+:(\d+)", pathlib.Path(log.name).read_text())
        if match:
            port = int(match.group(1))
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"GET /ping HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return proc, port
            except OSError:
                pass
        time.sleep(0.1)
    proc.kill()
    sys.exit("tandem did not start: " + pathlib.Path(log.name).read_text())


class Streams:
    """`count` held /dashboard/events connections, drained on one thread as browsers would."""

    def __init__(self, port, count):
        self.socks = []
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /dashboard/events HTTP/1.1\r\nHost: b\r\n\r\n")
            s.setblocking(False)
            self.socks.append(s)
        self.bytes = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        selector = selectors.DefaultSelector()
        for s in self.socks:
            selector.register(s, selectors.EVENT_READ)
        while not self.stop.is_set():
            for key, _ in selector.select(0.2):
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                if not data:
                    selector.unregister(key.fileobj)
                self.bytes += len(data)

    def close(self):
        self.stop.set()
        self.thread.join(5)
        for s in self.socks:
            s.close()


def wrk(port, duration, body):
    env = {**os.environ, "BENCH_BODY_FILE": body}
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{duration}s", "-s", str(REPO / "bench/post.lua"),
                          f"http://127.0.0.1:{port}/invocations"], env=env, capture_output=True, text=True).stdout
    match = re.search(r'"rps":([0-9.]+)', out)
    return float(match.group(1)) if match else 0.0


def body_file():
    body = tempfile.NamedTemporaryFile("w", delete=False, suffix=".csv")
    body.write((REPO / "fixtures/zoo/breast-cancer-logreg/v1/input.csv").read_text().splitlines()[0] + "\n")
    body.close()
    return body.name


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ping_probe(port, count):
    times = []
    for _ in range(count):
        started = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /ping HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
            assert s.recv(64).startswith(b"HTTP/1.1 200")
        times.append((time.perf_counter() - started) * 1000)
        time.sleep(0.01)
    q = statistics.quantiles(times, n=100)
    return q[49], q[98], max(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["throughput", "streams", "soak"])
    parser.add_argument("--bin", default=str(REPO / ".build/release/tandem"))
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    proc, port = start_tandem(args.bin, REPO / "bench/config/ab.yaml", {"TANDEM_MAX_DASHBOARD_STREAMS": "256"})
    body = body_file()
    try:
        if args.mode == "throughput":
            wrk(port, 2, body)  # warm-up
            ratios = []
            for round_ in range(args.rounds):
                none = wrk(port, args.duration, body)
                streams = Streams(port, 10)
                time.sleep(1)
                ten = wrk(port, args.duration, body)
                streams.close()
                ratios.append(ten / none)
                print(f"round {round_ + 1}: none {none:.0f} req/s, 10 dashboards {ten:.0f} req/s, "
                      f"ratio {ten / none:.3f} ({streams.bytes} event bytes read)")
            print(f"median ratio (10 dashboards / none): {statistics.median(ratios):.3f}")
        elif args.mode == "streams":
            p50, p99, worst = ping_probe(port, 1000)
            print(f"no streams: /ping p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {worst:.2f} ms; RSS {rss_mib(proc.pid):.1f} MiB")
            streams = Streams(port, 200)
            time.sleep(2)
            p50, p99, worst = ping_probe(port, 1000)
            print(f"200 streams: /ping p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {worst:.2f} ms; RSS {rss_mib(proc.pid):.1f} MiB; "
                  f"{streams.bytes} event bytes read")
            streams.close()
        else:
            streams = Streams(port, 1)
            load = threading.Thread(target=wrk, args=(port, args.duration, body))
            load.start()
            started = time.monotonic()
            while load.is_alive():
                print(f"t={time.monotonic() - started:5.0f} s  RSS {rss_mib(proc.pid):.2f} MiB", flush=True)
                load.join(10)
            print(f"end: RSS {rss_mib(proc.pid):.2f} MiB; {streams.bytes} event bytes read")
            streams.close()
    finally:
        proc.terminate()
        proc.wait()
        os.unlink(body)


if __name__ == "__main__":
    main()
