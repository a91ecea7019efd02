#!/usr/bin/env python3
"""Connect/ping prober: opens a NEW TCP connection every --interval seconds, measures the time to
connect and the time to a complete `GET /ping` answer, and prints p50/p99/max as JSON.

With --idle N it first opens N keep-alive connections (each answers one /ping) and holds them open
for the whole run, to measure /ping under many idle connections; it also reports the server's RSS
when --pid is given.
"""
import argparse
import json
import socket
import statistics
import threading
import time


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


def read_response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response head")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed mid-body")
        rest += chunk
    return int(head.split(b" ")[1])


def probe_once(host, port, timeout):
    start = time.perf_counter()
    sock = socket.create_connection((host, port), timeout=timeout)
    connected = time.perf_counter()
    try:
        sock.sendall(b"GET /ping HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        status = read_response(sock)
    finally:
        sock.close()
    done = time.perf_counter()
    return (connected - start) * 1000, (done - start) * 1000, status


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--interval", type=float, default=0.010)
    ap.add_argument("--idle", type=int, default=0)
    ap.add_argument("--pid", type=int)
    ap.add_argument("--timeout", type=float, default=5.0)
    args = ap.parse_args()

    idle = []
    rss_before = rss_kib(args.pid) if args.pid else None
    for _ in range(args.idle):
        s = socket.create_connection((args.host, args.port), timeout=args.timeout)
        s.sendall(b"GET /ping HTTP/1.1\r\nHost: bench\r\n\r\n")
        read_response(s)
        idle.append(s)
    rss_with_idle = rss_kib(args.pid) if args.pid else None

    connects, totals, failures, statuses = [], [], 0, {}
    deadline = time.perf_counter() + args.duration
    next_at = time.perf_counter()
    while time.perf_counter() < deadline:
        try:
            c, t, status = probe_once(args.host, args.port, args.timeout)
            connects.append(c)
            totals.append(t)
            statuses[status] = statuses.get(status, 0) + 1
        except OSError:
            failures += 1
        next_at += args.interval
        pause = next_at - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
    # Idle connections must still be alive and answer.
    idle_alive = 0
    for s in idle:
        try:
            s.sendall(b"GET /ping HTTP/1.1\r\nHost: bench\r\n\r\n")
            read_response(s)
            idle_alive += 1
        except OSError:
            pass
        s.close()

    def summary(values):
        return {"p50_ms": percentile(values, 50), "p99_ms": percentile(values, 99), "max_ms": max(values) if values else None,
                "mean_ms": statistics.fmean(values) if values else None}

    print("PROBE_JSON " + json.dumps({
        "probes": len(totals), "failures": failures, "statuses": statuses,
        "connect": summary(connects), "ping": summary(totals),
        "idle_connections": args.idle, "idle_alive_after": idle_alive,
        "rss_kib_before": rss_before, "rss_kib_with_idle": rss_with_idle,
    }))


if __name__ == "__main__":
    main()
