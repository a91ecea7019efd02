"""Back-pressure and deadlines: 503 with Retry-After when a variant's queue is full, 504 when the
deadline passes while a request is queued or running, and a late model result is never written."""
from __future__ import annotations

import json
import threading
import time

from conftest import RawClient, assert_serving, http_request, synthetic_model_dir

ROW = "1,2,3,4\n"


def invoke_in_thread(server, results, key, timeout=30):
    def run():
        started = time.monotonic()
        status, headers, body = server.invoke(ROW, timeout=timeout)
        results[key] = (status, headers, body, time.monotonic() - started)
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_queue_full_is_503_with_retry_after(start_server, tmp_path):
    model = synthetic_model_dir(tmp_path, features=4, latency_ms=800)
    server = start_server(["--model-dir", str(model), "--workers", "1", "--queue-size", "1"])
    results: dict = {}
    running = invoke_in_thread(server, results, "running")
    time.sleep(0.25)  # the only worker has taken it
    queued = invoke_in_thread(server, results, "queued")
    time.sleep(0.15)  # it sits in the queue (bound 1)
    started = time.monotonic()
    status, headers, body = server.invoke(ROW)
    elapsed = time.monotonic() - started
    assert status == 503, body
    assert headers["retry-after"].isdigit() and int(headers["retry-after"]) >= 1
    error = json.loads(body)
    assert error["code"] == "queue_full"
    assert error["request_id"] == headers["x-amzn-requestid"]
    assert elapsed < 0.5, "a full queue is answered at once, not after waiting"
    running.join(10)
    queued.join(10)
    assert results["running"][0] == 200
    assert results["queued"][0] == 200
    # Once the queue drains, requests are taken again.
    assert server.invoke(ROW)[0] == 200


def test_deadline_while_running_and_while_queued_is_504(start_server, tmp_path):
    model = synthetic_model_dir(tmp_path, features=4, latency_ms=2000)
    server = start_server(["--model-dir", str(model), "--workers", "1", "--timeout", "0.3"])
    results: dict = {}
    first = invoke_in_thread(server, results, "running")
    time.sleep(0.05)
    second = invoke_in_thread(server, results, "queued")
    first.join(10)
    second.join(10)
    for key, where in [("running", "while the model was running"), ("queued", "while the request was queued")]:
        status, headers, body, elapsed = results[key]
        assert status == 504, (key, body)
        error = json.loads(body)
        assert error["code"] == "deadline_exceeded"
        assert where in error["message"], (key, error["message"])
        assert "0.3 s" in error["message"]
        assert 0.2 < elapsed < 1.5, f"{key}: answered after {elapsed:.2f} s, deadline 0.3 s"


def test_late_result_never_appears(start_server, tmp_path):
    model = synthetic_model_dir(tmp_path, features=4, latency_ms=1500)
    server = start_server(["--model-dir", str(model), "--workers", "1", "--timeout", "0.3"])
    with RawClient(server.port) as client:
        sent = time.monotonic()
        client.send(http_request("POST", "/invocations", ROW, {"Content-Type": "text/csv"}))
        response = client.read_response()
        assert response.status == 504
        assert response.json()["code"] == "deadline_exceeded"
        assert response.headers.get("connection", "").lower() != "close"
        # The model finishes at ~1.5 s; nothing may follow the 504 on this connection.
        remaining = 1.5 - (time.monotonic() - sent) + 0.5
        assert client.nothing_arrives(remaining), f"late bytes after the 504: {client.buffer[:300]!r}"
        # The connection is still usable, and the next answer is the next request's.
        client.send(http_request("GET", "/ping"))
        ping = client.read_response()
        assert ping.status == 200 and ping.body == b""
        assert client.nothing_arrives(0.3)
        assert client.buffer == b""
    assert_serving(server)


def test_pipelined_request_after_a_504_is_answered_without_waiting_for_the_model(start_server, tmp_path):
    model = synthetic_model_dir(tmp_path, features=4, latency_ms=1200)
    server = start_server(["--model-dir", str(model), "--workers", "1", "--timeout", "0.3"])
    with RawClient(server.port) as client:
        started = time.monotonic()
        client.send(http_request("POST", "/invocations", ROW, {"Content-Type": "text/csv"}) + http_request("GET", "/ping"))
        first = client.read_response()
        second = client.read_response()
        elapsed = time.monotonic() - started
        assert first.status == 504
        assert (second.status, second.body) == (200, b"")
        assert elapsed < 1.0, f"the ping behind the 504 took {elapsed:.2f} s"
        assert client.nothing_arrives(1.2), f"late bytes: {client.buffer[:200]!r}"
