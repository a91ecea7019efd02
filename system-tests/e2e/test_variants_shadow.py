"""Shadow variants never change the production response or its latency, and are counted in /metrics."""
import json
import statistics
import time

from prometheus_client.parser import text_string_to_metric_families

from conftest import (KeepAliveClient, copy_zoo_model, expected_predictions, parallel_invoke, wait_until,
                      write_endpoint, write_synthetic, zoo_rows)

MODEL = "breast-cancer-logreg"
SHADOW_LATENCY_MS = 500


def run_requests(server, rows):
    client = KeepAliveClient(server)
    bodies, latencies = [], []
    try:
        for row in rows:
            start = time.perf_counter()
            status, headers, body = client.invoke(row)
            latencies.append(time.perf_counter() - start)
            assert status == 200, body
            assert headers["x-amzn-invoked-production-variant"] == "production"
            bodies.append(body)
    finally:
        client.close()
    return bodies, latencies


def shadow_invocations(server) -> float:
    _, _, text = server.request("GET", "/metrics")
    for family in text_string_to_metric_families(text.decode()):
        for sample in family.samples:
            if sample.name == "tandem_shadow_invocations_total" and sample.labels.get("variant") == "shadow":
                return sample.value
    return 0.0


def test_shadow_does_not_change_response_or_latency(start_server, tmp_repo):
    copy_zoo_model(tmp_repo, MODEL, "v1", "prod", 1)
    write_synthetic(tmp_repo, "slow", 1, features=30, latency_ms=SHADOW_LATENCY_MS)
    production = [{"name": "production", "model": "prod", "weight": 1.0}]
    rows = zoo_rows(MODEL)[:40]

    plain_config = write_endpoint(tmp_repo, production, filename="plain.yaml")
    plain = start_server(["--config", str(plain_config), "--workers", "4"])
    run_requests(plain, rows[:5])  # warm-up
    plain_bodies, plain_latencies = run_requests(plain, rows)
    plain.stop()

    shadow_config = write_endpoint(tmp_repo, production, filename="shadow.yaml", shadows=[
        {"name": "shadow", "model": "slow", "sampling_percentage": 100, "queue": 4}])
    shadowed = start_server(["--config", str(shadow_config), "--workers", "4"])
    run_requests(shadowed, rows[:5])
    shadow_bodies, shadow_latencies = run_requests(shadowed, rows)

    assert shadow_bodies == plain_bodies
    # The shadow sleeps 500 ms per copy; production must not wait for it.
    assert statistics.median(shadow_latencies) < statistics.median(plain_latencies) + 0.05
    assert max(shadow_latencies) < SHADOW_LATENCY_MS / 1000 * 0.5, max(shadow_latencies)

    # Copies run off the response path and are counted once they finish.
    assert wait_until(lambda: shadow_invocations(shadowed) >= 2, timeout=10)


def test_shadow_sampling_percentage(start_server, tmp_repo):
    write_synthetic(tmp_repo, "fast", 1, features=1)
    config = write_endpoint(tmp_repo, [{"name": "production", "model": "fast", "weight": 1.0}], shadows=[
        {"name": "shadow", "model": "fast", "sampling_percentage": 25, "queue": 5000}])
    server = start_server(["--config", str(config), "--workers", "2"])
    total = 2000
    responses = parallel_invoke(server, total, threads=4)
    assert all(r[0] == 200 for r in responses)
    assert {r[1]["x-amzn-invoked-production-variant"] for r in responses} == {"production"}

    def settled():
        summary = {v["variant"]: v for v in json.loads(server.request("GET", "/metrics?format=json")[2])["variants"]}
        shadow = summary["shadow"]
        return shadow if shadow["in_flight"] == 0 and summary["production"]["invocations"] == total else None

    shadow = wait_until(settled, timeout=10)
    # Binomial(2000, 0.25): mean 500, standard deviation ~19.
    assert 400 < shadow["shadow_invocations"] < 600, shadow["shadow_invocations"]
    assert shadow["invocations"] == shadow["shadow_invocations"]


def agreement_of(server, shadow="copy"):
    _, _, body = server.request("GET", "/metrics?format=json")
    variant = next(v for v in json.loads(body)["variants"] if v["variant"] == shadow)
    return variant["agreement"]


def test_shadow_answers_are_compared_with_production(start_server, tmp_repo):
    """Label agreement and score deltas between shadow v2 and production v1 equal what onnxruntime's
    outputs for the two versions give on the zoo rows."""
    copy_zoo_model(tmp_repo, MODEL, "v1", "bc", 1)
    copy_zoo_model(tmp_repo, MODEL, "v2", "bc", 2)
    (tmp_repo / "bc" / "model.yaml").write_text("versions: all\n")
    config = write_endpoint(tmp_repo, [{"name": "control", "model": "bc", "version": 1}],
                            shadows=[{"name": "copy", "model": "bc", "version": 2, "sampling_percentage": 100}])
    server = start_server(["--config", str(config), "--workers", "2"])
    rows = zoo_rows(MODEL)
    body = "\n".join(rows) + "\n"
    for _ in range(5):
        assert server.invoke(body)[0] == 200
    assert wait_until(lambda: agreement_of(server) and agreement_of(server)[0]["compared_requests"] == 5)
    [agreement] = agreement_of(server)

    v1, v2 = expected_predictions(MODEL, "v1"), expected_predictions(MODEL, "v2")
    matches = sum(1 for a, b in zip(v1, v2) if a[0] == b[0])
    deltas = [max(abs(p - q) for p, q in zip(a[1], b[1])) for a, b in zip(v1, v2)]
    assert agreement["production_variant"] == "control"
    assert agreement["label_rows"] == 5 * len(rows) and agreement["label_matches"] == 5 * matches
    assert abs(agreement["label_agreement"] - matches / len(rows)) < 1e-12
    assert agreement["score_delta_rows"] == 5 * len(rows)
    assert abs(agreement["mean_score_delta"] - sum(deltas) / len(deltas)) < 1e-5
    assert abs(agreement["max_score_delta"] - max(deltas)) < 1e-5

    families = {f.name: f for f in text_string_to_metric_families(server.request("GET", "/metrics")[2].decode())}
    compared = families["tandem_shadow_compared_requests"].samples[0]
    assert compared.labels["production_variant"] == "control" and compared.value == 5
    histogram = {s.labels.get("le"): s.value for s in families["tandem_shadow_score_delta"].samples
                 if s.name.endswith("_bucket")}
    assert histogram["+Inf"] == 5 * len(rows)


def test_failed_or_timed_out_answers_are_not_compared(start_server, tmp_repo):
    write_synthetic(tmp_repo, "fast", 1, features=1)
    write_synthetic(tmp_repo, "slow", 1, features=1, latency_ms=400)
    config = write_endpoint(tmp_repo, [{"name": "control", "model": "fast", "version": 1}],
                            shadows=[{"name": "copy", "model": "slow", "version": 1, "sampling_percentage": 100}])
    server = start_server(["--config", str(config), "--workers", "2", "--timeout", "0.2"])
    assert server.invoke("1.0\n2.0\n")[0] == 200
    assert server.invoke("not-a-number")[0] == 400  # production refused it: nothing to compare
    time.sleep(1.0)  # the shadow's 400 ms run outlives its 200 ms deadline: it is not compared either
    assert agreement_of(server) == []
