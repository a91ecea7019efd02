"""Hostile configuration and numbers: alias bombs, deep nesting, huge files and non-finite weights are refused
by check-config, SIGHUP and the admin API in bounded time and memory, the old config keeps serving; outcome
values of any sign and size are taken without bringing the process down."""
from __future__ import annotations

import json
import resource
import signal
import subprocess
import time

import pytest

from conftest import REPO, admin_weights, tandem_binary, wait_until, write_endpoint, write_synthetic
from hostile import HOSTILE_YAML as HOSTILE, PingProbe, alias_bomb, metric_values, rss_bytes

TOKEN = "hostile-token"


def make_repo(root):
    write_synthetic(root, "m", 1, features=1)


def endpoint(root, extra: str = "", weights=(0.8, 0.2)):
    path = write_endpoint(root, [
        {"name": "control", "model": "m", "version": 1, "weight": weights[0]},
        {"name": "challenger", "model": "m", "version": 1, "weight": weights[1]},
    ], admin={"token_env": "E2E_ADMIN_TOKEN"})
    if extra:
        path.write_text(extra + "\n" + path.read_text())
    return path


def check_config(path) -> tuple[subprocess.CompletedProcess, float, int]:
    """Runs check-config; returns (result, seconds, peak RSS of the child in bytes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    result = subprocess.run([tandem_binary(), "check-config", "--config", str(path)], capture_output=True,
                            text=True, timeout=60, cwd=str(REPO))
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return result, elapsed, max(peak, before) * 1024


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_check_config_refuses_hostile_yaml_quickly(tmp_repo, case):
    make_repo(tmp_repo)
    text, expected = HOSTILE[case]
    path = endpoint(tmp_repo, extra=text)
    result, elapsed, peak = check_config(path)
    assert result.returncode == 1, result.stdout
    output = result.stdout + result.stderr
    assert expected in output, output[-2000:]
    assert elapsed < 10
    assert peak < 512 << 20, f"check-config peaked at {peak >> 20} MiB"


@pytest.mark.parametrize("weight", [".nan", ".inf", "-.inf", "1e400"])
def test_check_config_refuses_non_finite_weights(tmp_repo, weight):
    make_repo(tmp_repo)
    path = endpoint(tmp_repo)
    path.write_text(path.read_text().replace('"weight": 0.8', f'"weight": {weight}'))
    result, _, _ = check_config(path)
    assert result.returncode == 1 and "finite" in result.stdout + result.stderr, result


def test_check_config_refuses_weights_whose_sum_overflows(tmp_repo):
    make_repo(tmp_repo)
    path = endpoint(tmp_repo, weights=(1.7e308, 1.7e308))
    result, _, _ = check_config(path)
    assert result.returncode == 1 and "overflows" in result.stdout + result.stderr, result


def test_sighup_with_an_alias_bomb_is_refused_and_the_old_config_serves(start_server, tmp_repo):
    make_repo(tmp_repo)
    path = endpoint(tmp_repo)
    server = start_server(["--config", str(path)], env={"E2E_ADMIN_TOKEN": TOKEN})
    base = rss_bytes(server.pid)
    with PingProbe(server) as probe:
        path.write_text(alias_bomb() + "\n" + path.read_text())
        server.signal(signal.SIGHUP)
        wait_until(lambda: any("refused" in line and "aliases" in line for line in server.stderr_lines), timeout=10)
    probe.assert_fast()
    assert rss_bytes(server.pid) - base < 64 << 20
    weights = {v["name"]: v["weight"] for v in json.loads(server.request("GET", "/variants")[2])["variants"]}
    assert weights == {"control": 0.8, "challenger": 0.2}


def test_admin_weights_refuse_non_finite_and_overflowing_values(start_server, tmp_repo):
    make_repo(tmp_repo)
    server = start_server(["--config", str(endpoint(tmp_repo))], env={"E2E_ADMIN_TOKEN": TOKEN})
    for bad in ({"control": 1e400}, {"control": -1}, {"control": 1.7e308, "challenger": 1.7e308}):
        # 1e400 reaches the server as text; Python would print it as inf, so write it by hand.
        body = json.dumps({"weights": bad}).replace("Infinity", "1e400")
        status, _, data = server.request("POST", "/admin/weights", body,
                                         {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
        assert status == 400, (bad, data)
        assert json.loads(data)["code"] == "bad_weights"
    # Denormal weights are accepted and still split sticky traffic.
    status, _ = admin_weights(server, {"weights": {"control": 5e-324, "challenger": 5e-324}}, token=TOKEN)
    assert status == 200
    shares = {v["name"]: v["share"] for v in json.loads(server.request("GET", "/variants")[2])["variants"]}
    assert shares == {"control": 0.5, "challenger": 0.5}


def test_outcomes_of_any_sign_and_size_keep_the_process_up(start_server, tmp_repo):
    make_repo(tmp_repo)
    path = endpoint(tmp_repo, extra="experiment: {outcomes: true}")
    server = start_server(["--config", str(path)], env={"E2E_ADMIN_TOKEN": TOKEN})
    ids = []
    for _ in range(8):
        status, headers, _ = server.invoke("1.0", headers={"X-Amzn-SageMaker-Target-Variant": "control"})
        assert status == 200
    # Targeted requests are not part of the experiment: serve randomised ones until both variants have 4.
    served = {"control": [], "challenger": []}
    for _ in range(200):
        status, headers, _ = server.invoke("1.0")
        variant = headers["x-amzn-invoked-production-variant"]
        served[variant].append(headers["x-amzn-requestid"])
        if min(len(v) for v in served.values()) >= 4:
            break
    # A refund (negative) used to trap the Prometheus counter and kill the process.
    outcomes = [{"request_id": served["control"][0], "value": -5.0},
                {"request_id": served["control"][1], "value": -2.5},
                {"request_id": served["control"][2], "value": 1.0},
                {"request_id": served["challenger"][0], "value": 1.7e308},
                {"request_id": served["challenger"][1], "value": -1.7e308},
                {"request_id": served["challenger"][2], "value": 1.7e308}]
    status, _, body = server.request("POST", "/outcomes", json.dumps({"outcomes": outcomes}),
                                     {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200, body
    assert json.loads(body)["accepted"] == 6
    assert server.proc.poll() is None
    sums = metric_values(server, "tandem_outcome_value_sum")
    assert sums['{endpoint="e2e",variant="control"}'] == -6.5
    report = json.loads(server.request("GET", "/experiment")[2])
    challenger = [v for v in report["variants"] if v["name"] == "challenger"][0]
    # Overflowing outcomes: no verdict rather than a wrong one.
    assert challenger["significant"] is None and challenger["not_computable"] is True, challenger
    status, _, body = server.request("POST", "/outcomes", '{"request_id": "x", "value": 1e400}',
                                     {"Authorization": f"Bearer {TOKEN}"})
    assert status == 400 and json.loads(body)["code"] == "bad_outcomes"
    assert server.request("GET", "/ping")[0] == 200
