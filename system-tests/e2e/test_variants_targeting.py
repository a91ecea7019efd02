"""Explicit targeting with X-Amzn-SageMaker-Target-Variant, and 400 for an unknown target."""
import json

from conftest import write_endpoint, write_synthetic


def test_target_variant_overrides_weights_and_sticky(start_server, tmp_repo):
    write_synthetic(tmp_repo, "fast", 1, features=1)
    write_synthetic(tmp_repo, "fast", 2, features=1)
    (tmp_repo / "fast" / "model.yaml").write_text("versions: all\n")
    config = write_endpoint(tmp_repo, [
        {"name": "control", "model": "fast", "version": 1, "weight": 1.0},
        {"name": "challenger", "model": "fast", "version": 2, "weight": 0.0},
    ], sticky={"header": "X-User-Id"})
    server = start_server(["--config", str(config), "--workers", "2"])

    # Weight 0 takes no routed traffic...
    for i in range(30):
        status, headers, _ = server.invoke("1.0", headers={"X-User-Id": f"u{i}"})
        assert status == 200
        assert headers["x-amzn-invoked-production-variant"] == "control"
    # ...but can still be targeted, and the target beats the sticky key.
    for i in range(10):
        status, headers, _ = server.invoke("1.0", headers={"X-Amzn-SageMaker-Target-Variant": "challenger",
                                                           "X-User-Id": f"u{i}"})
        assert status == 200
        assert headers["x-amzn-invoked-production-variant"] == "challenger"
        assert headers["x-tandem-routing"] == "target"
        assert headers["x-tandem-model"].endswith("2") or "2" in headers["x-tandem-model"]


def test_unknown_target_is_400_listing_variants(start_server, tmp_repo):
    write_synthetic(tmp_repo, "fast", 1, features=1)
    config = write_endpoint(tmp_repo, [
        {"name": "control", "model": "fast", "weight": 0.5},
        {"name": "challenger", "model": "fast", "weight": 0.5},
    ])
    server = start_server(["--config", str(config)])
    status, headers, body = server.invoke("1.0", headers={"X-Amzn-SageMaker-Target-Variant": "nope"})
    assert status == 400
    error = json.loads(body)
    assert error["code"] == "unknown_variant"
    assert error["variants"] == ["control", "challenger"]
    assert "nope" in error["message"] and "control" in error["message"] and "challenger" in error["message"]
    assert error["request_id"]


def test_target_header_name_is_case_insensitive(start_server, tmp_repo):
    write_synthetic(tmp_repo, "fast", 1, features=1)
    config = write_endpoint(tmp_repo, [
        {"name": "control", "model": "fast", "weight": 1.0},
        {"name": "challenger", "model": "fast", "weight": 0.0},
    ])
    server = start_server(["--config", str(config)])
    for name in ("x-amzn-sagemaker-target-variant", "X-AMZN-SAGEMAKER-TARGET-VARIANT"):
        status, headers, _ = server.invoke("1.0", headers={name: "challenger"})
        assert status == 200
        assert headers["x-amzn-invoked-production-variant"] == "challenger"


def test_routing_facts_travel_in_custom_attributes(start_server, tmp_repo):
    # Behind SageMaker only InvokedProductionVariant and CustomAttributes reach the client.
    write_synthetic(tmp_repo, "fast", 1, features=1)
    config = write_endpoint(tmp_repo, [{"name": "control", "model": "fast", "version": 1}],
                            sticky={"header": "X-User-Id"})
    server = start_server(["--config", str(config)])
    status, headers, _ = server.invoke("1.0", headers={"X-User-Id": "alice"})
    assert status == 200
    assert headers["x-amzn-sagemaker-custom-attributes"] == "variant=control,model=fast/1,routing=sticky"
    status, headers, _ = server.invoke("1.0", headers={"X-Amzn-SageMaker-Target-Variant": "control"})
    assert headers["x-amzn-sagemaker-custom-attributes"] == "variant=control,model=fast/1,routing=target"
