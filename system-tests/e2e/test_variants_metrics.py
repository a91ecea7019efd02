"""/metrics counts equal the requests sent, per variant label (parsed with prometheus_client), and the
JSON summary has p50/p90/p99."""
import json
import signal
from collections import Counter

from prometheus_client.parser import text_string_to_metric_families

from conftest import parallel_invoke, variant_of, wait_until, write_endpoint, write_synthetic

TARGET = "X-Amzn-SageMaker-Target-Variant"


def samples(server) -> dict[tuple[str, str], float]:
    status, headers, text = server.request("GET", "/metrics")
    assert status == 200
    assert headers["content-type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(text.decode()):
        for sample in family.samples:
            variant = sample.labels.get("variant")
            if variant is not None and not sample.name.endswith("_bucket"):
                found[(sample.name, variant)] = sample.value
    return found


def test_prometheus_counts_match_requests(start_server, tmp_repo):
    write_synthetic(tmp_repo, "fast", 1, features=1)
    write_synthetic(tmp_repo, "fast", 2, features=1)
    (tmp_repo / "fast" / "model.yaml").write_text("versions: all\n")
    config = write_endpoint(tmp_repo, [
        {"name": "control", "model": "fast", "version": 1, "weight": 0.6},
        {"name": "challenger", "model": "fast", "version": 2, "weight": 0.4},
    ], name="metrics-e2e")
    server = start_server(["--config", str(config), "--workers", "2"])

    responses = parallel_invoke(server, 600, threads=3)
    assert all(r[0] == 200 for r in responses)
    sent = Counter(variant_of(r) for r in responses)
    # Four bad requests to the challenger: 400 each.
    for _ in range(4):
        status, _, _ = server.invoke("not-a-number", headers={TARGET: "challenger"})
        assert status == 400

    found = samples(server)
    assert found[("tandem_invocations_total", "control")] == sent["control"]
    assert found[("tandem_invocations_total", "challenger")] == sent["challenger"] + 4
    assert found[("tandem_invocation_4xx_errors_total", "challenger")] == 4
    assert found.get(("tandem_invocation_4xx_errors_total", "control"), 0) == 0
    assert found.get(("tandem_invocation_5xx_errors_total", "control"), 0) == 0
    assert found[("tandem_model_latency_seconds_count", "control")] == sent["control"]

    # Labels name the endpoint, model and version too.
    _, _, text = server.request("GET", "/metrics")
    labels = [s.labels for f in text_string_to_metric_families(text.decode()) for s in f.samples
              if s.name == "tandem_invocations_total"]
    assert {"endpoint": "metrics-e2e", "variant": "challenger", "model": "fast", "version": "2"} in labels

    status, headers, body = server.request("GET", "/metrics?format=json")
    assert status == 200
    summary = {v["variant"]: v for v in json.loads(body)["variants"]}
    assert summary["control"]["invocations"] == sent["control"]
    assert summary["challenger"]["invocations"] == sent["challenger"] + 4
    assert summary["challenger"]["invocation_4xx_errors"] == 4
    for variant in ("control", "challenger"):
        for series in ("model_latency_us", "total_latency_us", "overhead_latency_us", "queue_wait_us"):
            stats = summary[variant][series]
            assert {"count", "p50", "p90", "p99", "max"} <= set(stats)
            assert stats["p50"] <= stats["p90"] <= stats["p99"] <= stats["max"]
        assert summary[variant]["total_latency_us"]["count"] == summary[variant]["invocations"]


def test_counts_survive_reload_and_count_shadows(start_server, tmp_repo):
    write_synthetic(tmp_repo, "fast", 1, features=1)
    production = [{"name": "control", "model": "fast", "weight": 1.0}]
    shadows = [{"name": "copy", "model": "fast", "sampling_percentage": 100, "queue": 500}]
    config = write_endpoint(tmp_repo, production, shadows=shadows)
    server = start_server(["--config", str(config), "--workers", "2"])

    first = parallel_invoke(server, 100, threads=2)
    assert all(r[0] == 200 for r in first)
    # A reload that keeps the variant on the same model version keeps its counters.
    write_endpoint(tmp_repo, production, shadows=shadows)
    server.signal(signal.SIGHUP)
    wait_until(lambda: json.loads(server.request("GET", "/variants")[2])["generation"] == 2, timeout=10)
    second = parallel_invoke(server, 50, threads=2)
    assert all(r[0] == 200 for r in second)

    found = samples(server)
    assert found[("tandem_invocations_total", "control")] == 150
    # Every production request was copied to the shadow once its copies finish.
    wait_until(lambda: samples(server).get(("tandem_shadow_invocations_total", "copy"), 0) == 150, timeout=10)
    summary = {v["variant"]: v for v in json.loads(server.request("GET", "/metrics?format=json")[2])["variants"]}
    assert summary["copy"]["role"] == "shadow"
    assert summary["copy"]["shadow_invocations"] == 150
    assert summary["control"]["invocations"] == 150
