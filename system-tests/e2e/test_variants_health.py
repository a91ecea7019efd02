"""Health policies (all / any) with a variant that fails to load, the traffic policy for a failed
variant (its share goes to the others; explicit target gets 503), and degraded variants."""
import json
import signal

import pytest

from conftest import (copy_zoo_model, parallel_invoke, ping_json, variant_of, wait_until, write_endpoint,
                      write_synthetic, zoo_rows)

MODEL = "breast-cancer-logreg"


def make_repo(root):
    copy_zoo_model(root, MODEL, "v1", "good", 1)
    broken = root / "broken" / "1"
    broken.mkdir(parents=True)
    (broken / "model.onnx").write_bytes(b"this is not an onnx file" * 10)


def config_for(root, policy):
    return write_endpoint(root, [
        {"name": "good", "model": "good", "weight": 0.5},
        {"name": "bad", "model": "broken", "weight": 0.5},
    ], health={"policy": policy})


@pytest.mark.parametrize("policy,expected_ping", [("all", 503), ("any", 200)])
def test_failed_variant_under_policy(start_server, tmp_repo, policy, expected_ping):
    make_repo(tmp_repo)
    config = config_for(tmp_repo, policy)
    server = start_server(["--config", str(config), "--workers", "2"], wait_ready=False)
    # Wait for the models to load: /variants answers once the endpoint state is installed.
    wait_until(lambda: json.loads(server.request("GET", "/variants")[2]).get("variants"), timeout=30)

    status, _, body = server.request("GET", "/ping")
    assert status == expected_ping
    status, report = ping_json(server)
    assert status == expected_ping
    assert report["status"] == ("healthy" if expected_ping == 200 else "unhealthy")
    assert report["policy"] == policy
    by_name = {v["name"]: v for v in report["variants"]}
    assert by_name["good"]["state"] == "ready"
    assert by_name["bad"]["state"] == "failed"
    assert "broken" in by_name["bad"]["reason"] or "onnx" in by_name["bad"]["reason"].lower()
    # The failed variant's share is redistributed to the others.
    assert by_name["bad"]["share"] == 0
    assert by_name["good"]["share"] == 1
    assert by_name["bad"]["configured_share"] == 0.5

    rows = zoo_rows(MODEL)
    responses = parallel_invoke(server, 200, threads=2, body=rows[0])
    assert all(r[0] == 200 for r in responses)
    assert {variant_of(r) for r in responses} == {"good"}
    sticky = [server.invoke(rows[0], headers={"X-User-Id": f"k{i}"}) for i in range(20)]
    assert {variant_of(r) for r in sticky} == {"good"}

    status, headers, body = server.invoke(rows[0], headers={"X-Amzn-SageMaker-Target-Variant": "bad"})
    assert status == 503
    assert json.loads(body)["code"] == "variant_failed"
    assert headers["x-amzn-invoked-production-variant"] == "bad"


def test_error_rate_marks_variant_degraded(start_server, tmp_repo):
    write_synthetic(tmp_repo, "fine", 1, features=1)
    write_synthetic(tmp_repo, "failing", 1, features=1, error_rate=1.0)
    config = write_endpoint(tmp_repo, [
        {"name": "fine", "model": "fine", "weight": 0.5},
        {"name": "failing", "model": "failing", "weight": 0.5},
    ], health={"policy": "all", "min_requests": 10, "degraded_error_rate": 0.5})
    server = start_server(["--config", str(config), "--workers", "2"])
    status, report = ping_json(server)
    assert status == 200
    assert {v["name"]: v["state"] for v in report["variants"]} == {"fine": "ready", "failing": "ready"}

    for _ in range(9):
        status, _, _ = server.invoke("1.0", headers={"X-Amzn-SageMaker-Target-Variant": "failing"})
        assert status == 500
    # Below min_requests it is still ready.
    assert {v["name"]: v["state"] for v in ping_json(server)[1]["variants"]}["failing"] == "ready"
    server.invoke("1.0", headers={"X-Amzn-SageMaker-Target-Variant": "failing"})

    status, report = ping_json(server)
    failing = {v["name"]: v for v in report["variants"]}["failing"]
    assert failing["state"] == "degraded"
    assert "10 of the last 10" in failing["reason"]
    # Degraded still serves, so the "all" policy holds.
    assert status == 200
    assert server.request("GET", "/ping")[0] == 200


def test_any_policy_with_every_variant_failed_is_503(start_server, tmp_repo):
    make_repo(tmp_repo)
    broken = tmp_repo / "broken" / "2"
    broken.mkdir(parents=True)
    (broken / "model.onnx").write_bytes(b"\x08\x07garbage")
    (tmp_repo / "broken" / "model.yaml").write_text("versions: all\n")
    config = write_endpoint(tmp_repo, [
        {"name": "first", "model": "broken", "version": 1, "weight": 0.5},
        {"name": "second", "model": "broken", "version": 2, "weight": 0.5},
    ], health={"policy": "any"})
    server = start_server(["--config", str(config)], wait_ready=False)
    wait_until(lambda: json.loads(server.request("GET", "/variants")[2]).get("variants"), timeout=30)

    status, report = ping_json(server)
    assert status == 503
    assert report["status"] == "unhealthy"
    assert {v["name"]: v["state"] for v in report["variants"]} == {"first": "failed", "second": "failed"}
    assert all(v["reason"] for v in report["variants"])
    status, _, body = server.invoke(zoo_rows(MODEL)[0])
    assert status == 503
    assert json.loads(body)["code"] == "no_variant_available"


def test_reload_with_fixed_artifact_brings_variant_back(start_server, tmp_repo):
    make_repo(tmp_repo)
    config = config_for(tmp_repo, "all")
    server = start_server(["--config", str(config), "--workers", "2"], wait_ready=False)
    wait_until(lambda: json.loads(server.request("GET", "/variants")[2]).get("variants"), timeout=30)
    assert server.request("GET", "/ping")[0] == 503

    copy_zoo_model(tmp_repo, MODEL, "v1", "broken", 1)
    status, _, body = server.request("POST", "/admin/reload")
    assert status == 403  # admin calls are off in this config; SIGHUP still reloads
    server.signal(signal.SIGHUP)
    wait_until(lambda: server.request("GET", "/ping")[0] == 200, timeout=15)

    status, report = ping_json(server)
    by_name = {v["name"]: v for v in report["variants"]}
    assert by_name["bad"]["state"] == "ready"
    assert by_name["bad"]["share"] == 0.5
    responses = parallel_invoke(server, 200, threads=2, body=zoo_rows(MODEL)[0])
    assert all(r[0] == 200 for r in responses)
    assert {variant_of(r) for r in responses} == {"good", "bad"}
