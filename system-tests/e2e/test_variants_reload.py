"""Config reload by SIGHUP and by POST /admin/reload: a good config is picked up (new weights, new
version) while in-flight requests finish; a bad one is refused, logged, and the old one keeps serving."""
import json
import signal
import threading
import time

import pytest

from conftest import wait_until, write_endpoint, write_synthetic

TOKEN = "reload-token"


def make_repo(root):
    for version in (1, 2):
        write_synthetic(root, "m", version, features=1, latency_ms=200)
    (root / "m" / "model.yaml").write_text("versions: all\n")


def endpoint(root, version=1, weights=(0.8, 0.2), extra_line=None):
    path = write_endpoint(root, [
        {"name": "control", "model": "m", "version": version, "weight": weights[0]},
        {"name": "challenger", "model": "m", "version": 2, "weight": weights[1]},
    ], admin={"token_env": "E2E_ADMIN_TOKEN"})
    if extra_line:
        path.write_text(path.read_text() + extra_line + "\n")
    return path


def control_model(server) -> str:
    status, headers, _ = server.invoke("1.0", headers={"X-Amzn-SageMaker-Target-Variant": "control"})
    assert status == 200
    return headers["x-tandem-model"]


def generation(server) -> int:
    return json.loads(server.request("GET", "/variants")[2])["generation"]


def weights(server) -> dict:
    return {v["name"]: v["weight"] for v in json.loads(server.request("GET", "/variants")[2])["variants"]}


def start(start_server, root):
    config = endpoint(root)
    return start_server(["--config", str(config), "--workers", "4"], env={"E2E_ADMIN_TOKEN": TOKEN})


def reload_by_sighup(server):
    before = generation(server)
    server.signal(signal.SIGHUP)
    return before


def reload_by_admin(server):
    return server.request("POST", "/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})


def in_flight(server, count=4):
    """Starts `count` requests that are running on the 200 ms model; returns (threads, statuses)."""
    statuses: list[int] = []

    def one():
        statuses.append(server.invoke("1.0", headers={"X-Amzn-SageMaker-Target-Variant": "control"})[0])

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    return threads, statuses


@pytest.mark.parametrize("how", ["sighup", "admin"])
def test_good_config_is_picked_up_and_in_flight_finish(start_server, tmp_repo, how):
    make_repo(tmp_repo)
    server = start(start_server, tmp_repo)
    assert control_model(server).endswith("1")
    before = generation(server)

    threads, statuses = in_flight(server)
    endpoint(tmp_repo, version=2, weights=(0.5, 0.5))
    if how == "sighup":
        server.signal(signal.SIGHUP)
        wait_until(lambda: generation(server) > before, timeout=10)
    else:
        status, _, body = reload_by_admin(server)
        assert status == 200, body
        assert json.loads(body)["reloaded"] is True
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(threads)

    assert weights(server) == {"control": 0.5, "challenger": 0.5}
    assert control_model(server).endswith("2")


@pytest.mark.parametrize("how", ["sighup", "admin"])
@pytest.mark.parametrize("bad", ["unknown_key", "missing_model", "broken_artifact"])
def test_bad_config_is_refused_and_old_keeps_serving(start_server, tmp_repo, how, bad):
    make_repo(tmp_repo)
    server = start(start_server, tmp_repo)
    before = generation(server)
    if bad == "unknown_key":
        endpoint(tmp_repo, version=2, weights=(0.5, 0.5), extra_line="surprise: 1")
    elif bad == "missing_model":
        path = endpoint(tmp_repo, version=2, weights=(0.5, 0.5))
        path.write_text(path.read_text().replace('"model": "m", "version": 2', '"model": "ghost", "version": 2'))
    else:
        broken = tmp_repo / "m" / "3"
        broken.mkdir()
        (broken / "model.onnx").write_bytes(b"garbage")
        endpoint(tmp_repo, version=3, weights=(0.5, 0.5))

    threads, statuses = in_flight(server, 2)
    if how == "sighup":
        server.signal(signal.SIGHUP)
        wait_until(lambda: any("refused" in line for line in server.stderr_lines), timeout=10)
    else:
        status, _, body = reload_by_admin(server)
        assert status == 400, body
        error = json.loads(body)
        assert error["code"] == "config_refused"
        assert "previous one keeps serving" in error["message"]
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]

    assert generation(server) == before
    assert weights(server) == {"control": 0.8, "challenger": 0.2}
    assert control_model(server).endswith("1")
    assert server.request("GET", "/ping")[0] == 200
    # Both ways log the refusal with its reason.
    wait_until(lambda: "config reload refused" in "".join(server.stderr_lines), timeout=5)
