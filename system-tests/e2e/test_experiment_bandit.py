"""Thompson sampling over the production variants: with a clearly better arm, its share grows past the floor
of the others; every decision's shares sum to one, and the assignment probability recorded with each request
in the ledger is its variant's share in the decision then in force."""
import json
import random
import sqlite3

from conftest import parallel_invoke, wait_until, write_endpoint, write_synthetic


def test_the_better_arm_takes_the_traffic_and_propensities_are_recorded(start_server, tmp_repo):
    write_synthetic(tmp_repo, "m", 1, features=1, latency_ms=0)
    write_synthetic(tmp_repo, "m", 2, features=1, latency_ms=0)
    config = write_endpoint(tmp_repo, [
        {"name": "control", "model": "m", "version": 1},
        {"name": "challenger", "model": "m", "version": 2},
    ], name="bandit")
    bandit = {"cadence_s": 0.3, "burn_in_outcomes": 30, "floor": 0.05, "draws": 2000}
    config.write_text(config.read_text() + "experiment: " + json.dumps(
        {"outcomes": True, "metric": "binary", "bandit": bandit}) + "\n")
    server = start_server(["--config", str(config)])
    rng = random.Random(3)

    def round_of(n):
        results = parallel_invoke(server, n, threads=2)
        assert all(status == 200 for status, _, _ in results)
        outcomes = []
        for _, headers, _ in results:
            good = 0.7 if headers["x-amzn-invoked-production-variant"] == "challenger" else 0.1
            outcomes.append({"request_id": headers["x-amzn-requestid"], "value": 1 if rng.random() < good else 0})
        status, _, _ = server.request("POST", "/outcomes", json.dumps({"outcomes": outcomes}))
        assert status == 200

    def bandit_report():
        return json.loads(server.request("GET", "/experiment")[2])["bandit"]

    round_of(120)

    def settled():
        report = bandit_report()
        if report.get("burn_in", True) or report["shares"]["challenger"] < 0.8:
            round_of(20)
            return None
        return report
    report = wait_until(settled, timeout=30, interval=0.3)
    assert abs(sum(report["shares"].values()) - 1) < 1e-9
    assert report["shares"]["control"] >= 0.05 - 1e-9  # the floor
    assert "biased" in report["note"]

    # Requests routed after the decision carry its shares as their probabilities; per decision they sum to one.
    shares = report["shares"]
    ids = [h["x-amzn-requestid"] for _, h, _ in parallel_invoke(server, 40, threads=2)]
    after = bandit_report()
    ledger = sqlite3.connect(str(tmp_repo / "tandem-ledger.sqlite"))

    def recorded():
        rows = ledger.execute(
            f"SELECT variant, probability FROM tandem_assignments WHERE request_id IN ({','.join('?' * len(ids))})",
            ids).fetchall()
        return rows if len(rows) == len(ids) else None
    rows = wait_until(recorded, timeout=10)
    if after.get("updated_at") == report.get("updated_at"):  # no update in between: one decision in force
        for variant, probability in rows:
            assert abs(probability - shares[variant]) < 1e-9
    for variant, probability in rows:
        assert 0.05 - 1e-9 <= probability <= 0.95 + 1e-9
