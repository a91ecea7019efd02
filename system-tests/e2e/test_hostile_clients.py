"""Hostile clients against a real tandem process: slow heads, trickled bodies, bodies beyond the buffered-body
budget, connection floods and pipeliners that never read. Each case asserts the server stays up, /ping from
a separate client stays under its target during the attack, RSS stays under a bound, and the limit hit is
answered with a clear status and counted in tandem_limit_hits_total."""
from __future__ import annotations

import json
import signal
import socket
import threading
import time

from conftest import (assert_serving, http_request, synthetic_model_dir, wait_until, write_endpoint,
                      write_synthetic)
from hostile import (PingProbe, limit_hits, pipelined, raw_socket, read_status, rss_bytes, send_for)

ROW = "1,2,3,4\n"


def start(start_server, tmp_path, loops=2, **limits):
    model = synthetic_model_dir(tmp_path, features=4)
    env = {f"TANDEM_{name.upper()}": str(value) for name, value in limits.items()}
    return start_server(["--model-dir", str(model), "--workers", "2", "--loops", str(loops)], env=env)


def test_a_trickled_body_gets_408_at_the_minimum_rate(start_server, tmp_path):
    server = start(start_server, tmp_path, body_rate_window_ms=400, min_body_bytes_per_second=200)
    with PingProbe(server) as probe:
        sock = raw_socket(server.port)
        sock.sendall(b"POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\n")
        started = time.monotonic()
        status = None
        # A byte every 50 ms (20 B/s, a tenth of the minimum): each byte used to restart the idle timer.
        for _ in range(200):
            try:
                sock.send(b"1")
            except OSError:
                break
            sock.settimeout(0.05)
            try:
                status, data = read_status(sock, timeout=0.05)
                break
            except (socket.timeout, TimeoutError):
                continue
        assert status == 408, "a body trickled at 20 B/s is timed out"
        assert b'"code":"request_timeout"' in data and b"connection: close" in data.lower()
        assert time.monotonic() - started < 5
    probe.assert_fast()
    assert limit_hits(server, "min_body_rate") == 1
    assert_serving(server)


def test_a_steady_body_still_meets_the_whole_body_deadline(start_server, tmp_path):
    server = start(start_server, tmp_path, body_deadline_ms=1500, body_rate_window_ms=300,
                   min_body_bytes_per_second=100)
    sock = raw_socket(server.port)
    sock.sendall(b"POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Length: 1000000\r\n\r\n")
    started = time.monotonic()
    status = None
    # 2 KB every 50 ms: well above the minimum rate, but 1 MB would take 25 s.
    for _ in range(400):
        try:
            sock.send(b"1" * 2000)
        except OSError:
            pass
        try:
            status, data = read_status(sock, timeout=0.05)
            break
        except (socket.timeout, TimeoutError):
            continue
    elapsed = time.monotonic() - started
    assert status == 408 and b"did not arrive within 1.5 s" in data
    assert 1.4 < elapsed < 5
    assert limit_hits(server, "body_deadline") == 1
    assert_serving(server)


def test_a_slow_head_gets_408(start_server, tmp_path):
    server = start(start_server, tmp_path, request_head_timeout_ms=500)
    sock = raw_socket(server.port)
    sock.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    status, data = read_status(sock, timeout=10)
    assert status == 408 and b"request head did not arrive" in data
    assert limit_hits(server, "request_head_timeout") == 1


def test_bodies_beyond_the_buffered_budget_get_503_and_the_budget_comes_back(start_server, tmp_path):
    # One loop: the first connection's bytes are read before a later connection's /ping is answered.
    server = start(start_server, tmp_path, loops=1, max_buffered_body_bytes=3_000_000)
    base = rss_bytes(server.pid)
    head = b"POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Length: 2000000\r\n\r\n"
    # Bodies of one 2 MB cell: the model answers 400 bad_cell at once, so the test pays for no CSV decoding.
    first = raw_socket(server.port)
    first.sendall(head + b"x" * 8000)
    # The first body holds 2 MB of a 3 MB budget (reserved from its Content-Length as soon as its head is read,
    # which the one loop answering /ping on a later connection proves): a second one does not fit.
    wait_until(lambda: server.request("GET", "/ping", timeout=5)[0] == 200)
    second = raw_socket(server.port)
    second.sendall(head)
    status, data = read_status(second)
    assert status == 503 and b'"code":"server_busy"' in data and b"retry-after: 1" in data.lower()
    assert limit_hits(server, "buffered_body_budget") == 1
    # The first one completes: answered, not refused.
    first.sendall(b"x" * (2_000_000 - 8000))
    status, _ = read_status(first, timeout=30)
    assert status == 400
    # Its reservation is released with its response: a third body fits again.
    third = raw_socket(server.port)
    third.sendall(head + b"x" * 2_000_000)
    status, _ = read_status(third, timeout=30)
    assert status == 400
    assert limit_hits(server, "buffered_body_budget") == 1
    assert rss_bytes(server.pid) - base < 200 << 20
    assert_serving(server)


def test_a_connection_flood_is_refused_with_503_past_the_cap(start_server, tmp_path):
    server = start(start_server, tmp_path, max_connections=40)
    held = [raw_socket(server.port) for _ in range(40)]
    # Every held connection is adopted before the next one is refused (accept order).
    extra = raw_socket(server.port)
    status, data = read_status(extra)
    assert status == 503 and b'"code":"too_many_connections"' in data
    refused = 1
    for _ in range(30):
        sock = raw_socket(server.port)
        status, _ = read_status(sock)
        refused += status == 503
        sock.close()
    assert refused == 31
    assert limit_hits_via_held(held[0]) == 31
    for sock in held:
        sock.close()
    wait_until(lambda: server.request("GET", "/ping", timeout=5)[0] == 200)


def limit_hits_via_held(sock: socket.socket) -> float:
    """Reads tandem_limit_hits_total{limit="max_connections"} over an already open connection (new ones are
    refused while the cap is reached)."""
    sock.sendall(http_request("GET", "/metrics"))
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
    while len(body) < length:
        body += sock.recv(65536)
    for line in body.decode().splitlines():
        if line.startswith('tandem_limit_hits_total{limit="max_connections"}'):
            return float(line.split()[-1])
    return 0.0


def test_a_pipeliner_that_never_reads_is_paused_not_buffered(start_server, tmp_path):
    server = start(start_server, tmp_path, max_unsent_output_bytes=262144)
    base = rss_bytes(server.pid)
    count = 40_000
    sock = raw_socket(server.port, rcvbuf=4096)
    with PingProbe(server) as probe:
        # 40,000 GET /metrics (several KB each: over 100 MB of responses) sent for at most 3 s, never read.
        sent = send_for(sock, pipelined("/metrics", count), 3.0)
        wait_until(lambda: limit_hits(server, "max_unsent_output") >= 1, timeout=10)
        grown = rss_bytes(server.pid) - base
    probe.assert_fast()
    assert grown < 64 << 20, f"RSS grew {grown >> 20} MiB for a client that never reads"
    sock.close()
    assert_serving(server)
    print(f"pipeliner: sent {sent} bytes, RSS grew {grown >> 20} MiB, worst /ping {max(probe.latencies):.3f} s")


def test_a_paused_pipeliner_gets_every_answer_once_it_reads(start_server, tmp_path):
    server = start(start_server, tmp_path, max_unsent_output_bytes=65536)
    count = 3000
    sock = raw_socket(server.port, rcvbuf=4096)
    requests = pipelined("/metrics", count) + http_request("GET", "/ping", headers={"Connection": "close"})
    # Sent from a thread: the server stops reading while its answers are unread, so sendall blocks until then.
    sender = threading.Thread(target=sock.sendall, args=(requests,), daemon=True)
    sender.start()
    wait_until(lambda: limit_hits(server, "max_unsent_output") >= 1, timeout=20)
    sock.settimeout(20)
    data = bytearray()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        chunk = sock.recv(1 << 20)
        if not chunk:
            break
        data += chunk
    sender.join(10)
    # Every pipelined request was answered, in order, once the client read: pausing loses nothing.
    assert data.count(b"HTTP/1.1 200 OK\r\n") == count + 1


def test_heavy_outcome_bodies_are_decoded_off_the_loop(start_server, tmp_path):
    write_synthetic(tmp_path, "m", 1, features=1)
    config = write_endpoint(tmp_path, [{"name": "control", "model": "m", "version": 1}])
    config.write_text(config.read_text() + "experiment: {outcomes: true}\n")
    # One loop: a parse on it would stall every other connection, /ping included.
    server = start_server(["--config", str(config), "--loops", "1"], env={"TANDEM_MAX_OUTCOMES_PER_REQUEST": "1000"})
    entries = ",".join(f'{{"request_id":"r{i:07d}","value":{i % 7 - 3}}}' for i in range(25_000))
    body = ('{"outcomes":[' + entries + "]}").encode()
    results: list[int] = []

    def post():
        status, _, data = server.request("POST", "/outcomes", body, {"Content-Type": "application/json"}, timeout=120)
        results.append(status)
        assert b"at most 1000" in data

    with PingProbe(server) as probe:
        posters = [threading.Thread(target=post) for _ in range(4)]
        for thread in posters:
            thread.start()
        for thread in posters:
            thread.join(120)
    # Each 1 MB body (a second of parsing in a debug build) is refused by the outcome bound, after a parse that ran off the loop.
    assert results == [400] * 4
    probe.assert_fast()
    assert limit_hits(server, "max_outcomes_per_request") == 4


def test_sigterm_answers_requests_already_sent_on_idle_keep_alive_connections(start_server, tmp_path):
    server = start(start_server, tmp_path)
    clients = []
    for _ in range(20):
        sock = raw_socket(server.port)
        sock.sendall(http_request("GET", "/ping"))
        status, data = read_status(sock)
        assert status == 200 and b"connection: close" not in data.lower()
        clients.append(sock)
    # Every connection is idle between requests; each now sends one, and SIGTERM follows at once. Before,
    # idle connections were closed with the request unread, which reset them.
    for sock in clients:
        sock.sendall(http_request("GET", "/ping"))
    server.signal(signal.SIGTERM)
    answered = 0
    for sock in clients:
        sock.settimeout(10)
        data = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            raise AssertionError("a connection was reset during shutdown")
        # The first response was read above; the second is answered (with Connection: close when the drain had
        # begun when it was read), then the server half-closes: EOF, not a reset.
        answered += data.count(b"HTTP/1.1 200 OK")
    assert answered == 20
    assert server.proc.wait(30) == 0
