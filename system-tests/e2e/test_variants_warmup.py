"""Warm-up before traffic: a version whose sample requests (warmup.csv/.json/.jsonl) fail does not load,
its variant is failed with the reason, a reload that brings it is refused, and a good one serves."""
import json

from conftest import copy_zoo_model, wait_until, write_endpoint, zoo_model_dir, zoo_rows

MODEL = "breast-cancer-logreg"
TOKEN = "warmup-token"


def variants(server):
    return {v["name"]: v for v in json.loads(server.request("GET", "/variants")[2])["variants"]}


def test_a_failing_warmup_request_fails_the_variant_with_the_reason(start_server, tmp_repo):
    copy_zoo_model(tmp_repo, MODEL, "v1", "bc", 1)
    copy_zoo_model(tmp_repo, MODEL, "v2", "bc", 2)
    (tmp_repo / "bc" / "model.yaml").write_text("versions: all\n")
    (tmp_repo / "bc" / "1" / "warmup.csv").write_text("\n".join(zoo_rows(MODEL)[:3]) + "\n")
    (tmp_repo / "bc" / "2" / "warmup.csv").write_text("1.0,2.0,3.0\n")  # a sample the model cannot take
    config = write_endpoint(tmp_repo, [
        {"name": "control", "model": "bc", "version": 1, "weight": 0.5},
        {"name": "challenger", "model": "bc", "version": 2, "weight": 0.5},
    ], health={"policy": "any"})
    server = start_server(["--config", str(config)])
    by_name = variants(server)
    assert by_name["control"]["state"] == "ready"
    assert by_name["challenger"]["state"] == "failed"
    reason = by_name["challenger"]["reason"]
    assert "2/warmup.csv: the warm-up request failed" in reason and "expects 30 values" in reason
    # The failed variant's share goes to control (the documented policy); nothing reaches challenger.
    for _ in range(10):
        status, headers, _ = server.invoke(zoo_rows(MODEL)[0])
        assert status == 200 and headers["x-amzn-invoked-production-variant"] == "control"


def test_a_reload_that_brings_a_failing_version_is_refused(start_server, tmp_repo):
    copy_zoo_model(tmp_repo, MODEL, "v1", "bc", 1)
    config = write_endpoint(tmp_repo, [{"name": "control", "model": "bc", "version": 1}],
                            admin={"token_env": "E2E_ADMIN_TOKEN"})
    server = start_server(["--config", str(config)], env={"E2E_ADMIN_TOKEN": TOKEN})
    copy_zoo_model(tmp_repo, MODEL, "v2", "bc", 2)
    (tmp_repo / "bc" / "2" / "warmup.json").write_text('{"instances": [[1, 2]]}')
    config.write_text(config.read_text().replace('"version": 1', '"version": 2'))
    status, _, body = server.request("POST", "/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 400
    answer = json.loads(body)
    assert answer["code"] == "config_refused"
    assert "warmup.json: the warm-up request failed" in answer["message"]
    assert variants(server)["control"]["version"] == 1
    assert server.invoke(zoo_rows(MODEL)[0])[0] == 200


def test_a_model_directory_runs_its_warmup_file(start_server, tmp_path):
    # As SageMaker runs the container: /opt/ml/model holds model.onnx and, from package-model --warmup, warmup.csv.
    model_dir = zoo_model_dir(tmp_path, MODEL)
    (model_dir / "warmup.csv").write_text("\n".join(zoo_rows(MODEL)[:2]) + "\n")
    good = start_server(["--model-dir", str(model_dir)])
    assert good.request("GET", "/ping")[0] == 200
    good.stop()
    (model_dir / "warmup.csv").write_text("not,numbers\n")
    bad = start_server(["--model-dir", str(model_dir)], wait_ready=False)
    assert wait_until(lambda: variants_or_none(bad) is not None)
    assert bad.request("GET", "/ping")[0] == 503
    assert "warmup.csv: the warm-up request failed" in variants_or_none(bad)["AllTraffic"]["reason"]


def variants_or_none(server):
    try:
        found = variants(server)
    except Exception:
        return None
    return found if found and all(v["state"] != "loading" for v in found.values()) else None
