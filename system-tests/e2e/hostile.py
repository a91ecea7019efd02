"""Helpers for the hostile-client suite (system-tests/e2e/test_hostile_*.py): RSS from /proc, a /ping prober that
runs on its own connection during an attack, and limit counters from /metrics. Traffic only to 127.0.0.1;
every loop is bounded by a count or a deadline."""
from __future__ import annotations

import random
import re
import socket
import threading
import time

from conftest import http_request

# /ping from a separate client must answer within this during any attack: a debug build on a shared 2-core CI
# box, timed from a Python process that also runs the attackers. A loop blocked by one heavy parse took longer.
PING_TARGET_SECONDS = 2.0


def rss_bytes(pid: int) -> int:
    """Resident set size of `pid`, from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def metric_values(server, name: str) -> dict[str, float]:
    """Every sample of metric `name` on /metrics, by its label text ("" without labels)."""
    _, _, text = server.request("GET", "/metrics", timeout=10)
    values = {}
    for line in text.decode().splitlines():
        match = re.match(rf"^{re.escape(name)}(\{{[^}}]*\}})? (\S+)$", line)
        if match:
            values[match.group(1) or ""] = float(match.group(2))
    return values


def limit_hits(server, limit: str) -> float:
    """tandem_limit_hits_total{limit=...} (0 before the first hit)."""
    return metric_values(server, "tandem_limit_hits_total").get(f'{{limit="{limit}"}}', 0.0)


class PingProbe:
    """Times GET /ping on a fresh connection every 50 ms until stopped (at most `limit` probes)."""

    def __init__(self, server, limit: int = 2000):
        self.server = server
        self.limit = limit
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        for _ in range(self.limit):
            if self._stop.is_set():
                return
            started = time.monotonic()
            try:
                status, _, _ = self.server.request("GET", "/ping", timeout=5)
                if status != 200:
                    self.failures.append(f"status {status}")
            except OSError as error:
                self.failures.append(repr(error))
            self.latencies.append(time.monotonic() - started)
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)

    def assert_fast(self):
        assert self.latencies, "no /ping probe ran"
        assert not self.failures, self.failures[:5]
        worst = max(self.latencies)
        assert worst < PING_TARGET_SECONDS, f"/ping took {worst:.3f} s during the attack"
        return worst


def raw_socket(port: int, timeout: float = 10.0, rcvbuf: int | None = None) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(timeout)
    sock.connect(("127.0.0.1", port))
    return sock


def send_for(sock: socket.socket, data: bytes, seconds: float) -> int:
    """Sends `data` until it is all sent or `seconds` pass (the peer may stop reading); returns bytes sent."""
    sent = 0
    deadline = time.monotonic() + seconds
    sock.settimeout(0.1)
    while sent < len(data) and time.monotonic() < deadline:
        try:
            sent += sock.send(data[sent:sent + 65536])
        except socket.timeout:
            continue
        except OSError:
            break
    return sent


def read_status(sock: socket.socket, timeout: float = 10.0) -> tuple[int, bytes]:
    """Reads until the end of one response head; returns (status, everything read)."""
    sock.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in data and time.monotonic() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    assert data.startswith(b"HTTP/1.1 "), data[:200]
    return int(data[9:12]), data


def pipelined(path: str, count: int) -> bytes:
    return http_request("GET", path) * count


def alias_bomb() -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines)


def few_aliases_big_expansion() -> str:
    lines = ["b0: &b0 [" + ", ".join(["y"] * 500) + "]"]
    for level in range(1, 12):
        lines.append(f"b{level}: &b{level} [*b{level - 1}, *b{level - 1}, *b{level - 1}, *b{level - 1}]")
    return "\n".join(lines)


# Hostile YAML texts, each with a word the refusal must contain. Each is put in front of a valid config.
HOSTILE_YAML = {
    "alias_bomb": (alias_bomb(), "aliases"),
    "few_aliases_big_expansion": (few_aliases_big_expansion(), "expand"),
    "deep_flow_nesting": ("x: " + "[" * 100_000 + "]" * 100_000, "nested deeper"),
    "deep_block_nesting": ("x:\n" + "- " * 100_000 + "y", "nested deeper"),
    "huge_file": ("# " + "x" * (3 << 20), "larger than"),
}


def csv_burst(server, seconds: float, threads: int, rows: int, features: int, timeout: float = 30) -> dict[int, int]:
    """`threads` keep-alive clients each POST `rows` x `features` CSV bodies to /invocations for `seconds`; returns
    status -> count (-1 for a connection error). Every 503 must carry Retry-After."""
    row = ",".join(f"{random.random():.6f}" for _ in range(features)) + "\n"
    body = (row * rows).encode()
    counts: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        conn = server.connection(timeout)
        while time.monotonic() < deadline:
            try:
                conn.request("POST", "/invocations", body=body, headers={"Content-Type": "text/csv"})
                response = conn.getresponse()
                response.read()
                status = response.status
                if status == 503:
                    assert response.getheader("Retry-After")
            except OSError:
                conn.close()
                conn = server.connection(timeout)
                status = -1
            with lock:
                counts[status] = counts.get(status, 0) + 1
        conn.close()

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + timeout + 30)
    return counts
