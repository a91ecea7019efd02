"""GET /ping: 200 with an empty body when ready, 503 with a JSON reason when a model failed to load,
and fast answers while every worker is busy (SageMaker's ping times out after 2 s)."""
from __future__ import annotations

import json
import threading
import time

from conftest import synthetic_model_dir, zoo_model_dir


def test_ping_ready_is_200_with_empty_body(start_server, tmp_path):
    server = start_server(["--model-dir", str(zoo_model_dir(tmp_path, "breast-cancer-logreg"))])
    status, _, body = server.request("GET", "/ping")
    assert status == 200
    assert body == b""


def test_ping_head_is_200(start_server, tmp_path):
    server = start_server(["--model-dir", str(zoo_model_dir(tmp_path, "breast-cancer-logreg"))])
    status, _, body = server.request("HEAD", "/ping")
    assert status == 200
    assert body == b""


def test_ping_json_when_ready(start_server, tmp_path):
    server = start_server(["--model-dir", str(zoo_model_dir(tmp_path, "breast-cancer-logreg"))])
    status, headers, body = server.request("GET", "/ping", headers={"Accept": "application/json"})
    assert status == 200
    assert headers["content-type"].startswith("application/json")
    json.loads(body)


def garbage_model_dir(tmp_path):
    directory = tmp_path / "broken"
    directory.mkdir()
    (directory / "model.onnx").write_bytes(b"this is not an onnx protobuf \x00\xff\x13" * 20)
    return directory


def test_ping_503_when_the_model_failed_to_load(start_server, tmp_path):
    server = start_server(["--model-dir", str(garbage_model_dir(tmp_path))], wait_ready=False)
    # The model loads off the loops: poll until the load has been decided (503 either way), then hold.
    deadline = time.monotonic() + 20
    report = None
    while time.monotonic() < deadline:
        status, headers, body = server.request("GET", "/ping", headers={"Accept": "application/json"})
        assert status == 503, (status, body)
        assert headers["content-type"].startswith("application/json")
        report = json.loads(body)
        if any(v.get("state") == "failed" for v in report.get("variants", [])):
            break
        time.sleep(0.1)
    assert report is not None
    assert report["status"] == "unhealthy"
    assert report["policy"] == "all"
    (variant,) = report["variants"]
    assert variant["state"] == "failed", report
    assert "model.onnx" in variant["reason"] and "not a valid ONNX" in variant["reason"], variant
    # The plain ping (what SageMaker sends) is a bare 503.
    status, _, body = server.request("GET", "/ping")
    assert status == 503
    # It stays unhealthy: a failed model never turns into a ready one by itself.
    time.sleep(0.3)
    assert server.request("GET", "/ping")[0] == 503
    # Invocations are refused with 503, not answered with garbage.
    status, headers, body = server.invoke("1,2,3\n")
    assert status == 503, body
    assert "retry-after" in headers
    error = json.loads(body)
    assert error["code"] and error["request_id"]
    assert "not a valid ONNX" in error["message"]


def test_ping_answers_fast_while_every_worker_is_busy(start_server, tmp_path):
    model = synthetic_model_dir(tmp_path, features=4, latency_ms=300)
    server = start_server(["--model-dir", str(model), "--workers", "1", "--queue-size", "64"])
    results: list[int] = []

    def invoke():
        status, _, _ = server.invoke("1,2,3,4\n", timeout=30)
        results.append(status)

    threads = [threading.Thread(target=invoke) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.15)  # the single worker is now sleeping in the model and 7 requests are queued
    for _ in range(3):
        started = time.monotonic()
        status, _, body = server.request("GET", "/ping", timeout=5)
        elapsed = time.monotonic() - started
        assert status == 200
        assert body == b""
        assert elapsed < 1.0, f"/ping took {elapsed:.3f} s while the worker was busy"
    for thread in threads:
        thread.join(30)
    assert results == [200] * 8


def test_ping_503_while_models_load_then_200(start_server, tmp_path):
    # The 3.9 MB forest takes a noticeable time to load; the port is open before it is in.
    model = zoo_model_dir(tmp_path, "synthetic-large-forest")
    server = start_server(["--model-dir", str(model)], wait_ready=False)
    statuses: list[int] = []
    loading_seen = None
    invoke_during_load = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, headers, body = server.request("GET", "/ping", headers={"Accept": "application/json"})
        statuses.append(status)
        if status == 200:
            break
        assert status == 503
        loading_seen = json.loads(body)
        if invoke_during_load is None:
            invoke_during_load = server.invoke("1,2,3\n")
        time.sleep(0.02)
    assert statuses[-1] == 200, statuses
    assert statuses[0] == 503, "the first ping came after the model was in; the load is too fast to observe"
    assert loading_seen["status"] == "loading"
    # While it loads, /ping's JSON reports each model file's progress (issue 11: load progress an operator can see).
    assert [load["state"] for load in loading_seen["model_loads"]] == ["loading"]
    assert loading_seen["model_loads"][0]["bytes"] > 0
    status, headers, body = invoke_during_load
    if status == 503:  # unless the load finished in between
        assert json.loads(body)["code"] == "not_ready"
        assert "retry-after" in headers
    # Once ready it stays ready.
    for _ in range(5):
        assert server.request("GET", "/ping")[0] == 200
