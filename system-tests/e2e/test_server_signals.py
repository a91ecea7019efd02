"""Graceful shutdown: on SIGTERM (what SageMaker sends) or SIGINT, requests already in flight, running
or queued, complete with 200 and the process exits 0 without waiting out the grace period."""
from __future__ import annotations

import signal
import threading
import time

import pytest

from conftest import synthetic_model_dir


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_in_flight_requests_complete_then_exit_0(start_server, tmp_path, sig):
    model = synthetic_model_dir(tmp_path, features=3, latency_ms=600)
    server = start_server(["--model-dir", str(model), "--workers", "2", "--grace", "20"])
    results: dict[int, tuple] = {}

    def invoke(n):
        try:
            status, _, body = server.invoke(f"{n},{n},{n}\n", accept="text/csv", timeout=30)
            results[n] = (status, body)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[n] = (None, repr(error))

    # Two run at once on the two workers, two wait in the queue.
    threads = [threading.Thread(target=invoke, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.25)
    signalled = time.monotonic()
    server.signal(sig)
    for thread in threads:
        thread.join(30)
    code = server.proc.wait(30)
    elapsed = time.monotonic() - signalled
    assert code == 0, "".join(server.stderr_lines)
    for n in range(4):
        status, body = results[n]
        assert status == 200, (n, body)
        assert body.decode().startswith("1,") or body.decode().startswith("0,"), body
    assert elapsed < 5, f"exit took {elapsed:.1f} s after the signal (in-flight work needs ~1 s)"


def test_idle_server_exits_0_promptly_on_sigterm(start_server, tmp_path):
    model = synthetic_model_dir(tmp_path, features=3)
    server = start_server(["--model-dir", str(model)])
    assert server.invoke("1,2,3")[0] == 200
    conn = server.connection()  # an idle keep-alive connection must not hold the exit up
    conn.request("GET", "/ping")
    conn.getresponse().read()
    started = time.monotonic()
    server.signal(signal.SIGTERM)
    assert server.proc.wait(10) == 0
    assert time.monotonic() - started < 3
    conn.close()


def test_new_connections_are_refused_after_sigterm(start_server, tmp_path):
    model = synthetic_model_dir(tmp_path, features=3, latency_ms=800)
    server = start_server(["--model-dir", str(model), "--workers", "1"])
    results = {}
    thread = threading.Thread(target=lambda: results.setdefault("r", server.invoke("1,2,3", timeout=30)))
    thread.start()
    time.sleep(0.2)
    server.signal(signal.SIGTERM)
    time.sleep(0.2)
    # The listener is closed while the in-flight request finishes: a new client is refused or told 503.
    try:
        status, _, _ = server.request("GET", "/ping", timeout=3)
        assert status == 503
    except OSError:
        pass
    thread.join(30)
    assert results["r"][0] == 200
    assert server.proc.wait(10) == 0


def test_requests_still_queued_when_the_grace_period_ends_get_503(start_server, tmp_path):
    model = synthetic_model_dir(tmp_path, features=1, latency_ms=3000)
    server = start_server(["--model-dir", str(model), "--workers", "1", "--grace", "1"])
    results: dict[int, tuple] = {}

    def invoke(n):
        try:
            status, _, body = server.invoke("1\n", timeout=30)
            results[n] = (status, body)
        except Exception as error:  # noqa: BLE001 - the running request is cut off by design
            results[n] = (None, repr(error))

    threads = [threading.Thread(target=invoke, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # one runs (3 s, longer than the grace period), two wait in the queue
    server.signal(signal.SIGTERM)
    for thread in threads:
        thread.join(30)
    assert server.proc.wait(30) == 0
    shutting_down = [n for n, (status, body) in results.items() if status == 503 and b"shutting_down" in body]
    assert len(shutting_down) == 2, results
