"""Admin calls: 403 when disabled, 401 without or with a wrong token, 200 with it; both body forms."""
import json

import pytest

from conftest import write_endpoint, write_synthetic

TOKEN = "s3cret-token"


def make(tmp_repo, admin=None):
    write_synthetic(tmp_repo, "fast", 1, features=1)
    return write_endpoint(tmp_repo, [
        {"name": "control", "model": "fast", "weight": 0.8},
        {"name": "challenger", "model": "fast", "weight": 0.2},
    ], admin=admin)


CALLS = [("GET", "/admin/weights", None), ("POST", "/admin/weights", {"weights": {"control": 0.5}}),
         ("POST", "/admin/reload", None)]


@pytest.mark.parametrize("admin,env", [(None, {}), ({"token_env": "E2E_ADMIN_TOKEN"}, {})])
def test_admin_disabled_is_403(start_server, tmp_repo, admin, env):
    server = start_server(["--config", str(make(tmp_repo, admin))], env=env)
    for method, path, body in CALLS:
        status, _, data = server.request(method, path, json.dumps(body) if body else None,
                                         {"Authorization": f"Bearer {TOKEN}"})
        assert status == 403, (method, path)
        assert json.loads(data)["code"] == "admin_disabled"


def test_admin_token_required(start_server, tmp_repo):
    config = make(tmp_repo, {"token_env": "E2E_ADMIN_TOKEN"})
    server = start_server(["--config", str(config)], env={"E2E_ADMIN_TOKEN": TOKEN})
    for method, path, body in CALLS:
        payload = json.dumps(body) if body else None
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {TOKEN}x"},
                        {"X-Tandem-Admin-Token": "nope"}):
            status, response_headers, data = server.request(method, path, payload, headers)
            assert status == 401, (method, path, headers)
            assert json.loads(data)["code"] == "unauthorized"
            assert response_headers.get("www-authenticate") == "Bearer"

    status, _, data = server.request("GET", "/admin/weights", headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    assert {v["name"]: v["weight"] for v in json.loads(data)["variants"]} == {"control": 0.8, "challenger": 0.2}

    # The {"weights": {...}} form.
    status, _, data = server.request("POST", "/admin/weights", json.dumps({"weights": {"control": 0.5, "challenger": 0.5}}),
                                     {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200, data
    shares = {v["name"]: v["share"] for v in json.loads(data)["variants"]}
    assert shares == {"control": 0.5, "challenger": 0.5}

    # SageMaker's DesiredWeightsAndCapacities form, with the other header.
    body = {"DesiredWeightsAndCapacities": [{"VariantName": "control", "DesiredWeight": 3},
                                            {"VariantName": "challenger", "DesiredWeight": 1}]}
    status, _, data = server.request("POST", "/admin/weights", json.dumps(body), {"X-Tandem-Admin-Token": TOKEN})
    assert status == 200, data
    shares = {v["name"]: v["share"] for v in json.loads(data)["variants"]}
    assert shares == {"control": 0.75, "challenger": 0.25}

    # Bad bodies are 400 and change nothing.
    for bad in ({"weights": {"ghost": 1}}, {"weights": {"control": -1}}, {"weights": {"control": 0, "challenger": 0}},
                {"weights": {"control": True}},
                {"DesiredWeightsAndCapacities": [{"VariantName": "control", "DesiredWeight": False}]},
                {"something": 1}, "not json"):
        status, _, data = server.request("POST", "/admin/weights", json.dumps(bad) if isinstance(bad, dict) else bad,
                                         {"Authorization": f"Bearer {TOKEN}"})
        assert status == 400, (bad, data)
        assert json.loads(data)["code"] == "bad_weights"
    status, _, data = server.request("GET", "/admin/weights", headers={"Authorization": f"Bearer {TOKEN}"})
    assert {v["name"]: v["weight"] for v in json.loads(data)["variants"]} == {"control": 3, "challenger": 1}

    # Weights of exactly 1 and 0 are numbers too (an NSNumber holding 0 or 1 once passed for a Bool).
    status, _, data = server.request("POST", "/admin/weights", json.dumps({"weights": {"control": 1, "challenger": 0}}),
                                     {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200, data
    assert {v["name"]: v["share"] for v in json.loads(data)["variants"]} == {"control": 1, "challenger": 0}

    status, _, data = server.request("POST", "/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200, data
