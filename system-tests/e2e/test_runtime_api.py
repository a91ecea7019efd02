"""The SageMaker Runtime API emulation: boto3's sagemaker-runtime client, pointed at Tandem with
`endpoint_url`, calls InvokeEndpoint unchanged and gets SageMaker's answer and error shapes."""
import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import (RawClient, assert_predictions, copy_zoo_model, expected_predictions, parse_predictions,
                      write_endpoint, write_synthetic, zoo_model_dir, zoo_rows)

ENDPOINT = "runtime-e2e"


def runtime_client(server):
    # boto3 signs every call (SigV4); Tandem ignores the Authorization header, so any credentials do.
    return boto3.client(
        "sagemaker-runtime", endpoint_url=f"http://127.0.0.1:{server.port}", region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def start_ab(start_server, tmp_repo, sticky=None):
    """control (breast-cancer v1) and challenger (v2), 50/50, as endpoint ENDPOINT."""
    copy_zoo_model(tmp_repo, "breast-cancer-logreg", "v1", "bc", 1)
    copy_zoo_model(tmp_repo, "breast-cancer-logreg", "v2", "bc", 2)
    (tmp_repo / "bc" / "model.yaml").write_text("versions: all\n")
    config = write_endpoint(tmp_repo, [
        {"name": "control", "model": "bc", "version": 1, "weight": 0.5},
        {"name": "challenger", "model": "bc", "version": 2, "weight": 0.5},
    ], sticky=sticky, name=ENDPOINT)
    return start_server(["--config", str(config), "--workers", "2"])


@pytest.fixture
def ab_server(start_server, tmp_repo):
    return start_ab(start_server, tmp_repo)


def error_of(call):
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response


def test_invoke_endpoint_matches_the_zoo_for_the_variant_that_served(ab_server):
    client = runtime_client(ab_server)
    rows = zoo_rows("breast-cancer-logreg")
    body = "\n".join(rows) + "\n"
    expected = {"control": expected_predictions("breast-cancer-logreg", "v1"),
                "challenger": expected_predictions("breast-cancer-logreg", "v2")}
    served = set()
    for _ in range(20):
        answer = client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Accept="application/json",
                                        Body=body)
        variant = answer["InvokedProductionVariant"]
        served.add(variant)
        assert answer["ContentType"] == "application/json"
        assert f"variant={variant}" in answer["CustomAttributes"]
        assert len(answer["ResponseMetadata"]["RequestId"]) == 16
        assert_predictions(parse_predictions(answer["Body"].read(), answer["ContentType"]), expected[variant])
    assert served == {"control", "challenger"}  # 20 draws at 50/50 miss one variant with p = 2e-6

    for variant in ("control", "challenger"):
        answer = client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Accept="text/csv",
                                        TargetVariant=variant, Body=rows[0])
        assert answer["InvokedProductionVariant"] == variant
        assert "routing=target" in answer["CustomAttributes"]
        assert_predictions(parse_predictions(answer["Body"].read(), answer["ContentType"]), expected[variant][:1])


def test_validation_errors_name_what_was_wrong(ab_server):
    client = runtime_client(ab_server)
    row = zoo_rows("breast-cancer-logreg")[0]

    unknown = error_of(lambda: client.invoke_endpoint(EndpointName="other-endpoint", ContentType="text/csv", Body=row))
    assert unknown["Error"]["Code"] == "ValidationError"
    assert unknown["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "other-endpoint" in unknown["Error"]["Message"] and ENDPOINT in unknown["Error"]["Message"]

    # botocore checks only lengths, so a badly formed name reaches the server, which applies SageMaker's pattern.
    malformed = error_of(lambda: client.invoke_endpoint(EndpointName="-bad-", ContentType="text/csv", Body=row))
    assert malformed["Error"]["Code"] == "ValidationError"
    assert "regular expression" in malformed["Error"]["Message"]

    variant = error_of(lambda: client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv",
                                                      TargetVariant="nope", Body=row))
    assert variant["Error"]["Code"] == "ValidationError"
    assert "'nope'" in variant["Error"]["Message"] and "control, challenger" in variant["Error"]["Message"]


def test_model_side_errors_become_model_error_424_with_the_original(ab_server):
    client = runtime_client(ab_server)
    short = error_of(lambda: client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Body="1.0,2.0\n"))
    assert short["Error"]["Code"] == "ModelError"
    assert short["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert short["OriginalStatusCode"] == 400
    original = json.loads(short["OriginalMessage"])
    assert original["code"] == "wrong_feature_count"
    assert original["expected"] == "30 values" and original["got"] == "2 values"
    assert short["Error"]["Message"].startswith("Received client error (400) from primary with message")
    assert short["ResponseMetadata"]["HTTPHeaders"]["x-amzn-invoked-production-variant"] in ("control", "challenger")

    media = error_of(lambda: client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="image/png", Body=b"\x89PNG"))
    assert media["Error"]["Code"] == "ModelError"
    assert media["OriginalStatusCode"] == 415
    assert json.loads(media["OriginalMessage"])["code"] == "unsupported_media_type"


def test_deadline_is_a_model_error_with_the_504(start_server, tmp_repo):
    write_synthetic(tmp_repo, "slow", 1, features=1, latency_ms=1500)
    config = write_endpoint(tmp_repo, [{"name": "only", "model": "slow", "version": 1, "timeout_ms": 200}],
                            name=ENDPOINT)
    server = start_server(["--config", str(config), "--workers", "1"])
    timed_out = error_of(lambda: runtime_client(server).invoke_endpoint(
        EndpointName=ENDPOINT, ContentType="text/csv", Body="1.0"))
    assert timed_out["Error"]["Code"] == "ModelError"
    assert timed_out["OriginalStatusCode"] == 504
    assert json.loads(timed_out["OriginalMessage"])["code"] == "deadline_exceeded"
    assert timed_out["Error"]["Message"].startswith("Received server error (504) from primary")


def test_runtime_calls_count_in_the_variant_metrics(ab_server):
    client = runtime_client(ab_server)
    row = zoo_rows("breast-cancer-logreg")[0]
    for _ in range(12):
        client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Body=row)
    for _ in range(3):
        error_of(lambda: client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv",
                                                TargetVariant="control", Body="1.0"))
    _, _, body = ab_server.request("GET", "/metrics?format=json")
    summary = {v["variant"]: v for v in json.loads(body)["variants"]}
    assert summary["control"]["invocations"] + summary["challenger"]["invocations"] == 15
    assert summary["control"]["invocation_4xx_errors"] == 3


def test_operations_that_are_not_emulated_say_so(ab_server):
    client = runtime_client(ab_server)
    stream = error_of(lambda: client.invoke_endpoint_with_response_stream(
        EndpointName=ENDPOINT, ContentType="text/csv", Body="1.0"))
    assert stream["Error"]["Code"] == "NotImplemented"
    assert stream["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert "InvokeEndpointWithResponseStream" in stream["Error"]["Message"]

    with RawClient(ab_server.port) as raw:
        raw.send(f"GET /endpoints/{ENDPOINT}/invocations HTTP/1.1\r\nHost: x\r\n\r\n")
        wrong_method = raw.read_response()
        assert wrong_method.status == 405
        assert wrong_method.headers["allow"] == "POST"
        raw.send(f"POST /endpoints/{ENDPOINT}/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        unknown = raw.read_response()
        assert unknown.status == 404
        assert unknown.headers["x-amzn-errortype"] == "UnknownOperationException"
        assert unknown.json()["code"] == "UnknownOperationException"


def test_custom_attributes_carry_the_sticky_key(start_server, tmp_repo):
    server = start_ab(start_server, tmp_repo, sticky={"custom_attribute": "user"})
    client = runtime_client(server)
    row = zoo_rows("breast-cancer-logreg")[0]
    assignment = {}
    for round_ in range(3):
        for user in range(20):
            answer = client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Body=row,
                                            CustomAttributes=f"session=s{round_},user=u{user}")
            assert "routing=sticky" in answer["CustomAttributes"]
            assignment.setdefault(user, set()).add(answer["InvokedProductionVariant"])
    assert all(len(variants) == 1 for variants in assignment.values())
    assert set().union(*assignment.values()) == {"control", "challenger"}


def test_a_model_directory_answers_to_any_endpoint_name(start_server, tmp_path):
    # Served as SageMaker runs the container (a model directory, no endpoint config), the endpoint's name is
    # SageMaker's and unknown to Tandem: any valid name is taken, and the variant is SageMaker's default.
    model_dir = zoo_model_dir(tmp_path, "iris-logreg")
    server = start_server(["--model-dir", str(model_dir)])
    client = runtime_client(server)
    rows = zoo_rows("iris-logreg")
    answer = client.invoke_endpoint(EndpointName="my-production-endpoint", ContentType="text/csv",
                                    Accept="application/json", Body="\n".join(rows))
    assert answer["InvokedProductionVariant"] == "AllTraffic"
    assert_predictions(parse_predictions(answer["Body"].read(), answer["ContentType"]),
                       expected_predictions("iris-logreg"))
    malformed = error_of(lambda: client.invoke_endpoint(EndpointName="my_endpoint", ContentType="text/csv",
                                                        Body=rows[0]))
    assert malformed["Error"]["Code"] == "ValidationError"
