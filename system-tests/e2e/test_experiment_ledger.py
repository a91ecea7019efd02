"""The experiment ledger in a real database: SQLite beside the config by default (kept across a restart), and one
PostgreSQL server from Debian shared by two Tandem processes (outcomes posted to the replica that did not serve the
request, one report on either), which may stop mid-run without failing or losing an invocation. Outcomes also
arrive through the invocation door (the only one SageMaker forwards)."""
import json
import re
import sqlite3

import pytest

from conftest import parallel_invoke, wait_until, write_endpoint, write_synthetic
from postgres_server import PostgresServer, binaries

OUTCOMES_TYPE = "application/vnd.tandem.outcomes+json"


def endpoint(tmp_repo, name, ledger=None, ledger_env=None):
    write_synthetic(tmp_repo, "m", 1, features=1, latency_ms=0)
    write_synthetic(tmp_repo, "m", 2, features=1, latency_ms=0)
    config = write_endpoint(tmp_repo, [
        {"name": "control", "model": "m", "version": 1},
        {"name": "challenger", "model": "m", "version": 2},
    ], name=name)
    experiment = {"outcomes": True}
    if ledger:
        experiment["ledger"] = ledger
    if ledger_env:
        experiment["ledger_env"] = ledger_env
    config.write_text(config.read_text() + f"experiment: {json.dumps(experiment)}\n")
    return config


def served(server, n):
    """n invocations: [(request id, variant)]."""
    results = parallel_invoke(server, n, threads=2)
    assert all(status == 200 for status, _, _ in results)
    return [(h["x-amzn-requestid"], h["x-amzn-invoked-production-variant"]) for _, h, _ in results]


def post(server, outcomes, via_invocation=False):
    body = json.dumps({"outcomes": [{"request_id": i, "value": v} for i, v in outcomes]})
    if via_invocation:
        status, _, data = server.invoke(body, content_type=OUTCOMES_TYPE)
    else:
        status, _, data = server.request("POST", "/outcomes", body, {"Content-Type": "application/json"})
    assert status == 200, data
    return json.loads(data)


def report(server):
    status, _, body = server.request("GET", "/experiment")
    assert status == 200
    return json.loads(body)


def counts(rep):
    return {v["name"]: (v["outcomes"], v["mean"]) for v in rep["variants"]}


def expected(assignments, values):
    by = {}
    for (rid, variant), value in zip(assignments, values):
        by.setdefault(variant, []).append(value)
    return {k: (len(v), sum(v) / len(v)) for k, v in by.items()}


def same(got, want):
    return set(got) >= set(want) and all(got[k][0] == want[k][0] and abs(got[k][1] - want[k][1]) < 1e-9 for k in want)


def test_sqlite_by_default_survives_a_restart(start_server, tmp_repo):
    config = endpoint(tmp_repo, "ledger-sqlite")
    server = start_server(["--config", str(config)])
    first = served(server, 40)
    values = [i % 2 for i in range(40)]
    answer = post(server, [(rid, v) for (rid, _), v in zip(first[:20], values[:20])])
    assert answer == {"accepted": 20, "unknown_request_ids": [], "duplicate_request_ids": []}
    rep = report(server)
    assert rep["ledger"]["kind"] == "sqlite" and rep["ledger"]["scope"] == "endpoint"
    assert same(counts(rep), expected(first[:20], values[:20]))
    assert server.stop() == 0
    assert (tmp_repo / "tandem-ledger.sqlite").exists()
    # The keyed tables keep each row in their primary key's B-tree (one insert per row, not two).
    with sqlite3.connect(tmp_repo / "tandem-ledger.sqlite") as db:
        tables = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
        assert db.execute("SELECT COUNT(*) FROM tandem_assignments WHERE endpoint = 'ledger-sqlite'").fetchone() == (40,)
    assert all("WITHOUT ROWID" in tables[name] for name in ("tandem_assignments", "tandem_outcomes", "tandem_state"))

    again = start_server(["--config", str(config)])
    # Requests served before the restart are still known: their outcomes count, repeats are refused.
    answer = post(again, [(rid, v) for (rid, _), v in zip(first[20:], values[20:])] + [(first[0][0], 1)])
    assert answer == {"accepted": 20, "unknown_request_ids": [], "duplicate_request_ids": [first[0][0]]}
    assert same(counts(report(again)), expected(first, values))


def test_outcomes_through_the_invocation_door(start_server, tmp_repo):
    config = endpoint(tmp_repo, "ledger-door")
    server = start_server(["--config", str(config)])
    ids = served(server, 10)
    answer = post(server, [(rid, 1) for rid, _ in ids] + [("never-served", 0)], via_invocation=True)
    assert answer == {"accepted": 10, "unknown_request_ids": ["never-served"], "duplicate_request_ids": []}
    # The Runtime API door (what boto3's invoke_endpoint calls) takes them too.
    status, _, data = server.request(
        "POST", "/endpoints/ledger-door/invocations", json.dumps({"request_id": ids[0][0], "value": 1}),
        {"Content-Type": OUTCOMES_TYPE})
    assert status == 200 and json.loads(data)["duplicate_request_ids"] == [ids[0][0]]
    assert sum(n for n, _ in counts(report(server)).values()) == 10


@pytest.fixture(scope="module")
def postgres():
    if binaries() is None:
        pytest.skip("PostgreSQL is not installed (scripts/install-deps --test installs it)")
    server = PostgresServer()
    server.start()
    yield server
    server.remove()


def metric(server, name):
    _, _, body = server.request("GET", "/metrics")
    match = re.search(rf"^{name}{{[^}}]*}} ([0-9.e+-]+)$", body.decode(), re.M)
    return float(match.group(1)) if match else None


def test_two_replicas_share_one_postgres_ledger(start_server, tmp_repo, postgres):
    config = endpoint(tmp_repo, "ledger-pg", ledger_env="E2E_LEDGER_URL")
    env = {"E2E_LEDGER_URL": postgres.url}
    a = start_server(["--config", str(config)], env=env)
    b = start_server(["--config", str(config)], env=env)
    on_a, on_b = served(a, 60), served(b, 60)
    values_a = [1 if i % 3 == 0 else 0 for i in range(60)]
    values_b = [1 if i % 2 == 0 else 0 for i in range(60)]
    # Each outcome goes to the replica that did not serve its request.
    answer_b = post(b, [(rid, v) for (rid, _), v in zip(on_a, values_a)])
    answer_a = post(a, [(rid, v) for (rid, _), v in zip(on_b, values_b)])
    # An outcome may beat its assignment's write (buffered for ~100 ms on the other replica): it is kept and
    # counts once the assignment lands.
    assert answer_a["accepted"] + len(answer_a["unknown_request_ids"]) == 60
    assert answer_b["accepted"] + len(answer_b["unknown_request_ids"]) == 60
    want = expected(on_a + on_b, values_a + values_b)
    wait_until(lambda: same(counts(report(a)), want), timeout=15)
    assert counts(report(a)) == counts(report(b))
    assert report(b)["ledger"] == {**report(b)["ledger"], "kind": "postgresql", "scope": "endpoint"}
    assert postgres.query("SELECT COUNT(*) FROM tandem_assignments WHERE endpoint = 'ledger-pg'") == "120"


def test_database_stopped_mid_run_loses_no_invocation(start_server, tmp_repo, postgres):
    config = endpoint(tmp_repo, "ledger-outage", ledger_env="E2E_LEDGER_URL")
    server = start_server(["--config", str(config)], env={"E2E_LEDGER_URL": postgres.url})
    before = served(server, 50)
    wait_until(lambda: metric(server, "tandem_ledger_written_rows") == 50, timeout=15)
    postgres.stop()
    # Every one answered 200 while the database is gone; more than one batch (200 rows), so the reconnected
    # connection prepares its full-batch insert afresh and runs it.
    during = served(server, 250)
    assert metric(server, "tandem_ledger_connected") == 0
    rep = report(server)  # still answers, from this replica's memory, saying so
    assert rep["ledger"]["scope"] == "this_replica" and "error" in rep["ledger"]
    postgres.start()
    wait_until(lambda: metric(server, "tandem_ledger_pending_rows") == 0 and metric(server, "tandem_ledger_connected") == 1,
               timeout=20)
    assert metric(server, "tandem_ledger_dropped_rows") == 0
    assert postgres.query("SELECT COUNT(*) FROM tandem_assignments WHERE endpoint = 'ledger-outage'") == str(
        len(before) + len(during))
