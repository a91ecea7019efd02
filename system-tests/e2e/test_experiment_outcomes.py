"""Outcomes joined to variants: POST /outcomes by request id, GET /experiment compares every production
variant with control (Welch's t-test), over real requests served by two versions of a zoo model."""
import json
import random

from conftest import copy_zoo_model, write_endpoint, zoo_rows

MODEL = "breast-cancer-logreg"
TOKEN = "outcome-token"


def start(start_server, tmp_repo, experiment=None, admin=None):
    copy_zoo_model(tmp_repo, MODEL, "v1", "bc", 1)
    copy_zoo_model(tmp_repo, MODEL, "v2", "bc", 2)
    (tmp_repo / "bc" / "model.yaml").write_text("versions: all\n")
    config = write_endpoint(tmp_repo, [
        {"name": "control", "model": "bc", "version": 1},
        {"name": "challenger", "model": "bc", "version": 2},
    ], admin=admin)
    if experiment is not None:
        config.write_text(config.read_text() + f"experiment: {json.dumps(experiment)}\n")
    env = {"E2E_ADMIN_TOKEN": TOKEN} if admin else None
    return start_server(["--config", str(config)], env=env)


def post_outcomes(server, outcomes, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    status, _, body = server.request("POST", "/outcomes", json.dumps({"outcomes": outcomes}), headers=headers)
    return status, json.loads(body)


def test_outcomes_are_joined_to_the_variant_that_served(start_server, tmp_repo):
    server = start(start_server, tmp_repo, experiment={"outcomes": True})
    row = zoo_rows(MODEL)[0]
    rng = random.Random(7)
    outcomes, expected = [], {"control": [], "challenger": []}
    for _ in range(300):
        status, headers, _ = server.invoke(row)
        assert status == 200
        variant = headers["x-amzn-invoked-production-variant"]
        value = 1 if rng.random() < (0.1 if variant == "control" else 0.5) else 0
        outcomes.append({"request_id": headers["x-amzn-requestid"], "value": value})
        expected[variant].append(value)
    # A targeted request was not randomised: it is not part of the experiment.
    _, targeted, _ = server.invoke(row, headers={"X-Amzn-SageMaker-Target-Variant": "challenger"})
    targeted_id = targeted["x-amzn-requestid"]
    status, answer = post_outcomes(server, outcomes + [{"request_id": "never-served", "value": 1}, outcomes[0],
                                                       {"request_id": targeted_id, "value": 1}])
    assert status == 200
    assert answer == {"accepted": 300, "unknown_request_ids": ["never-served", targeted_id],
                      "duplicate_request_ids": [outcomes[0]["request_id"]]}

    report = json.loads(server.request("GET", "/experiment")[2])
    assert report["control"] == "control"
    by_name = {v["name"]: v for v in report["variants"]}
    for name, values in expected.items():
        assert by_name[name]["outcomes"] == len(values)
        assert abs(by_name[name]["mean"] - sum(values) / len(values)) < 1e-12
    challenger = by_name["challenger"]
    assert abs(challenger["difference"] - (by_name["challenger"]["mean"] - by_name["control"]["mean"])) < 1e-12
    assert challenger["ci95"][0] < challenger["difference"] < challenger["ci95"][1]
    # 10% against 50% over ~150 requests each: far beyond chance.
    assert challenger["significant"] is True and challenger["p_value"] < 1e-6

    _, _, text = server.request("GET", "/metrics")
    lines = [l for l in text.decode().splitlines() if l.startswith("tandem_outcomes_total")]
    assert sum(float(l.rsplit(" ", 1)[1]) for l in lines) == 300


def test_outcome_errors_and_the_switch(start_server, tmp_repo):
    off = start(start_server, tmp_repo)
    status, _, body = off.request("POST", "/outcomes", '{"request_id": "x", "value": 1}')
    assert status == 409 and json.loads(body)["code"] == "experiment_disabled"
    assert off.request("GET", "/experiment")[0] == 409
    off.stop()

    server = start(start_server, tmp_repo, experiment={"outcomes": True},
                   admin={"token_env": "E2E_ADMIN_TOKEN"})
    status, headers, _ = server.invoke(zoo_rows(MODEL)[0])
    request_id = headers["x-amzn-requestid"]
    # With an admin token configured, outcomes need it.
    assert post_outcomes(server, [{"request_id": request_id, "value": 1}])[0] == 401
    for bad, message in [("[1, 2]", "not a JSON object"), ('{"outcomes": []}', "no outcomes"),
                         ('{"request_id": "a", "value": "high"}', "finite number"),
                         ('{"value": 1}', "string request_id")]:
        status, _, body = server.request("POST", "/outcomes", bad, headers={"Authorization": f"Bearer {TOKEN}"})
        assert status == 400 and json.loads(body)["code"] == "bad_outcomes" and message in json.loads(body)["message"]
    assert post_outcomes(server, [{"request_id": request_id, "value": 3.5}], TOKEN)[1]["accepted"] == 1
    # DELETE /experiment starts a new experiment.
    assert server.request("DELETE", "/experiment")[0] == 401
    status, _, body = server.request("DELETE", "/experiment", headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and all(v["outcomes"] == 0 for v in json.loads(body)["variants"])
