"""Sticky routing: a key always gets the same variant (header and custom-attribute forms, across a
restart), and a weight change moves only the keys it must (0.8/0.2 -> 0.7/0.3 moves ~1/8 of control's
keys, all to challenger, none the other way), whether made by the admin call or by config + SIGHUP."""
import json
import signal

from conftest import (admin_weights, parallel_invoke, variant_of, wait_until, write_endpoint,
                      write_synthetic)

KEYS = [f"user-{i}" for i in range(2000)]
TOKEN = "sticky-secret"


def make_repo(root):
    write_synthetic(root, "fast", 1, features=1)
    write_synthetic(root, "fast", 2, features=1)
    (root / "fast" / "model.yaml").write_text("versions: all\n")


def variants(control=0.8, challenger=0.2):
    return [
        {"name": "control", "model": "fast", "version": 1, "weight": control},
        {"name": "challenger", "model": "fast", "version": 2, "weight": challenger},
    ]


def assign(server, headers_for_key) -> dict[str, str]:
    responses = parallel_invoke(server, len(KEYS), threads=4, headers_for=lambda i: headers_for_key(KEYS[i]))
    assert all(r[0] == 200 for r in responses)
    assert {r[1].get("x-tandem-routing") for r in responses} == {"sticky"}
    return {key: variant_of(r) for key, r in zip(KEYS, responses)}


def by_header(key):
    return {"X-User-Id": key}


def by_attribute(key):
    return {"X-Amzn-SageMaker-Custom-Attributes": f"trace=abc, user={key}"}


def assert_expected_movement(before: dict[str, str], after: dict[str, str]):
    control_keys = [k for k, v in before.items() if v == "control"]
    moved_to_challenger = [k for k in control_keys if after[k] == "challenger"]
    moved_to_control = [k for k, v in before.items() if v == "challenger" and after[k] == "control"]
    assert moved_to_control == [], f"{len(moved_to_control)} keys moved from challenger to control"
    fraction = len(moved_to_challenger) / len(control_keys)
    # Expected 0.1 / 0.8 = 1/8; with ~1600 control keys one standard deviation is ~0.008.
    assert 0.125 - 0.04 < fraction < 0.125 + 0.04, f"moved {fraction:.3f} of control's keys"


def test_same_key_same_variant_header_and_restart(start_server, tmp_repo):
    make_repo(tmp_repo)
    config = write_endpoint(tmp_repo, variants(), sticky={"header": "X-User-Id"}, salt="sticky-salt")
    server = start_server(["--config", str(config), "--workers", "2"])
    first = assign(server, by_header)
    second = assign(server, by_header)
    assert first == second
    share = sum(1 for v in first.values() if v == "control") / len(KEYS)
    assert 0.75 < share < 0.85, share
    server.stop()

    restarted = start_server(["--config", str(config), "--workers", "2"])
    assert assign(restarted, by_header) == first


def test_same_key_same_variant_custom_attribute(start_server, tmp_repo):
    make_repo(tmp_repo)
    config = write_endpoint(tmp_repo, variants(), sticky={"custom_attribute": "user"}, salt="sticky-salt")
    server = start_server(["--config", str(config), "--workers", "2"])
    first = assign(server, by_attribute)
    # The attribute may come with other entries, in any order, separated by ';' too.
    again = assign(server, lambda key: {"X-Amzn-SageMaker-Custom-Attributes": f"user={key};other=1"})
    assert first == again
    alice = {server.invoke("1.0", headers={"X-Amzn-SageMaker-Custom-Attributes": "user=alice"})[1]
             ["x-amzn-invoked-production-variant"] for _ in range(20)}
    assert len(alice) == 1
    server.stop()

    restarted = start_server(["--config", str(config), "--workers", "2"])
    assert assign(restarted, by_attribute) == first


def test_admin_weight_change_moves_only_expected_keys(start_server, tmp_repo):
    make_repo(tmp_repo)
    config = write_endpoint(tmp_repo, variants(), sticky={"header": "X-User-Id"},
                            admin={"token_env": "E2E_ADMIN_TOKEN"})
    server = start_server(["--config", str(config), "--workers", "2"], env={"E2E_ADMIN_TOKEN": TOKEN})
    before = assign(server, by_header)
    status, body = admin_weights(server, {"weights": {"control": 0.7, "challenger": 0.3}}, token=TOKEN)
    assert status == 200, body
    after = assign(server, by_header)
    assert_expected_movement(before, after)


def test_sighup_weight_change_moves_only_expected_keys(start_server, tmp_repo):
    make_repo(tmp_repo)
    config = write_endpoint(tmp_repo, variants(), sticky={"header": "X-User-Id"})
    server = start_server(["--config", str(config), "--workers", "2"])
    before = assign(server, by_header)
    write_endpoint(tmp_repo, variants(0.7, 0.3), sticky={"header": "X-User-Id"})
    server.signal(signal.SIGHUP)

    def reloaded():
        _, _, body = server.request("GET", "/variants")
        weights = {v["name"]: v.get("weight") for v in json.loads(body)["variants"]}
        return weights == {"control": 0.7, "challenger": 0.3}

    wait_until(reloaded, timeout=10)
    after = assign(server, by_header)
    assert_expected_movement(before, after)
