"""What an operator reads (docs/operations.md): the access log (one line per invocation, matching the
requests one for one), the JSON log format (every stderr line parses), the variants and shares at start-up,
reload and weight change, model load progress on /ping and /metrics, and SIGTERM during a load."""
from __future__ import annotations

import json
import re
import signal
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from conftest import copy_zoo_model, wait_until, write_endpoint, zoo_rows
from test_runtime_api import ENDPOINT, runtime_client

TOKEN = "ops-token"


def start_ab(start_server, tmp_repo, env):
    copy_zoo_model(tmp_repo, "breast-cancer-logreg", "v1", "bc", 1)
    copy_zoo_model(tmp_repo, "breast-cancer-logreg", "v2", "bc", 2)
    (tmp_repo / "bc" / "model.yaml").write_text("versions: all\n")
    config = write_endpoint(tmp_repo, [
        {"name": "control", "model": "bc", "version": 1, "weight": 0.5},
        {"name": "challenger", "model": "bc", "version": 2, "weight": 0.5},
    ], admin={"token": TOKEN}, name=ENDPOINT)
    return start_server(["--config", str(config), "--workers", "2"], env=env)


def test_the_json_access_log_has_one_line_per_request_matching_it(start_server, tmp_repo):
    server = start_ab(start_server, tmp_repo, {"TANDEM_ACCESS_LOG": "json"})
    row = zoo_rows("breast-cancer-logreg")[0]
    sent = {}
    for i in range(12):
        status, headers, _ = server.invoke(row + "\n" + row if i % 2 else row, content_type="text/csv")
        sent[headers["x-amzn-requestid"]] = (status, "/invocations", len(row) * (2 if i % 2 else 1) + (1 if i % 2 else 0))
    status, headers, _ = server.invoke("1,2,x", content_type="text/csv")
    sent[headers["x-amzn-requestid"]] = (status, "/invocations", 5)
    status, headers, _ = server.invoke(row, content_type="image/png")
    sent[headers["x-amzn-requestid"]] = (status, "/invocations", len(row))
    answer = runtime_client(server).invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Body=row,
                                                    TargetVariant="challenger")
    sent[answer["ResponseMetadata"]["RequestId"]] = (200, f"/endpoints/{ENDPOINT}/invocations", len(row))
    assert server.stop() == 0
    logged = [json.loads(line) for line in server.stdout_lines if line.strip()]
    assert len(logged) == len(sent), server.stdout_lines
    by_id = {entry["request_id"]: entry for entry in logged}
    assert set(by_id) == set(sent)
    for request_id, (status, path, bytes_in) in sent.items():
        entry = by_id[request_id]
        assert (entry["status"], entry["path"], entry["bytes_in"]) == (status, path, bytes_in), entry
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])
        assert entry["total_ms"] >= 0 and entry["bytes_out"] > 0
        if status == 200:
            assert entry["variant"] in ("control", "challenger") and entry["model"] == "bc"
            assert entry["version"] == (1 if entry["variant"] == "control" else 2)
            assert entry["routing"] in ("weighted", "target")
            assert entry["queue_ms"] >= 0 and entry["model_ms"] >= 0 and entry["error"] is None
    assert by_id[answer["ResponseMetadata"]["RequestId"]]["routing"] == "target"
    errors = sorted(entry["error"] for entry in logged if entry["status"] != 200)
    assert errors == ["unsupported_media_type", "wrong_feature_count"]
    refused = next(entry for entry in logged if entry["status"] == 415)
    assert refused["model_ms"] is None and refused["queue_ms"] is None  # routed, but never reached a worker


def test_the_text_access_log(start_server, tmp_repo):
    server = start_ab(start_server, tmp_repo, {"TANDEM_ACCESS_LOG": "text"})
    _, headers, _ = server.invoke(zoo_rows("breast-cancer-logreg")[0])
    assert server.stop() == 0
    lines = [line for line in server.stdout_lines if line.strip()]
    assert len(lines) == 1
    assert re.fullmatch(
        r"\S+Z " + headers["x-amzn-requestid"] + r" /invocations 200 variant=(control|challenger) model=bc version=[12] "
        r"routing=weighted in=\d+ out=\d+ total_ms=[\d.]+ queue_ms=[\d.]+ model_ms=[\d.]+ error=-\n", lines[0])


def test_json_log_lines_parse_and_name_the_variants_and_shares(start_server, tmp_repo):
    server = start_ab(start_server, tmp_repo, {"TANDEM_LOG_FORMAT": "json", "TANDEM_LOG_LEVEL": "notice"})
    status, _, _ = server.request("POST", "/admin/weights", body=json.dumps({"weights": {"control": 3, "challenger": 1}}),
                                  headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    server.signal(signal.SIGHUP)
    wait_until(lambda: any('"config reloaded"' in line for line in server.stderr_lines))
    assert server.stop() == 0
    records = [json.loads(line) for line in server.stderr_lines]  # every line is one JSON object
    assert all({"time", "level", "label", "message"} <= set(r) for r in records)
    messages = [r["message"] for r in records]
    for event in ("endpoint ready", "weights changed", "config reloaded"):
        assert event in messages, messages
    ready = next(r for r in records if r["message"] == "endpoint ready")
    assert {(v["name"], v["share"]) for v in ready["variants"]} == {("control", "0.5"), ("challenger", "0.5")}
    changed = next(r for r in records if r["message"] == "weights changed")
    assert {(v["name"], v["weight"], v["share"]) for v in changed["variants"]} == {
        ("control", "3.0", "0.75"), ("challenger", "1.0", "0.25")}
    loaded = [r for r in records if r["message"] == "model loaded"]
    assert len(loaded) >= 2 and all(float(r["seconds"]) >= 0 for r in loaded)
    assert any(r["message"] == "shutting down" for r in records)


def big_model(path, width=2048):
    """An ONNX Gemm with a width x width float32 weight (16 MiB at 2048): slow enough to load in a debug build."""
    weight = numpy_helper.from_array(np.full((width, width), 0.001, dtype=np.float32), "W")
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["input", "W"], ["variable"])], "big",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, width])],
        [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, width])], [weight])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))


def test_load_progress_is_reported_and_sigterm_during_a_load_exits_promptly(start_server, tmp_repo):
    source = tmp_repo / "big.onnx"
    big_model(source)
    variants = []
    for i in range(8):
        directory = tmp_repo / f"m{i}" / "1"
        directory.mkdir(parents=True)
        (directory / "model.onnx").symlink_to(source)
        variants.append({"name": f"v{i}", "model": f"m{i}", "weight": 1})
    config = write_endpoint(tmp_repo, variants)
    server = start_server(["--config", str(config)], env={"TANDEM_LOG_LEVEL": "notice"}, wait_ready=False)

    def ping():
        status, _, body = server.request("GET", "/ping", headers={"Accept": "application/json"})
        return status, json.loads(body)

    loading = wait_until(lambda: ping()[1].get("model_loads") or None, timeout=20)
    status, document = ping()
    assert status == 503 and document["status"] == "loading"
    first = document["model_loads"][0]
    assert first["bytes"] > 16 << 20 and first["state"] in ("loading", "loaded") and first["seconds"] >= 0
    assert loading
    _, _, metrics = server.request("GET", "/metrics")
    assert b"tandem_model_load_bytes{" in metrics and b"process_resident_memory_bytes" in metrics
    started = time.monotonic()
    server.signal(signal.SIGTERM)
    server.proc.wait(timeout=15)
    elapsed = time.monotonic() - started
    loaded = sum("model loaded" in line for line in server.stderr_lines)
    assert loaded < 8, "every model loaded before SIGTERM was handled: " + "".join(server.stderr_lines)
    assert elapsed < 10, f"shutdown took {elapsed:.1f} s"
    assert server.proc.returncode == 0
