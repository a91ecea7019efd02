"""What passes locally passes behind a real SageMaker endpoint: boto3's SessionId (stateful sessions),
custom attributes kept, headers SageMaker strips stripped by the emulation too (with a start-up warning
and a check-config warning), and TargetModel / InferenceComponentName refused rather than ignored."""
import time

import pytest

from conftest import run_tandem, zoo_rows
from test_runtime_api import ENDPOINT, error_of, runtime_client, start_ab


def test_sessions_with_boto3_stick_to_one_variant_and_close(start_server, tmp_repo):
    server = start_ab(start_server, tmp_repo)
    client = runtime_client(server)
    row = zoo_rows("breast-cancer-logreg")[0]
    for _ in range(4):
        opened = client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Body=row, SessionId="NEW_SESSION")
        session_id, expires = opened["NewSessionId"].split("; Expires=")
        assert time.strptime(expires, "%Y-%m-%dT%H:%M:%SZ")
        variant = opened["InvokedProductionVariant"]
        for _ in range(10):
            answer = client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Body=row, SessionId=session_id)
            assert answer["InvokedProductionVariant"] == variant
            assert "routing=session" in answer["CustomAttributes"]
            assert "NewSessionId" not in answer
        closed = client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Body=row, SessionId=session_id,
                                        CustomAttributes="session=close")
        assert closed["ClosedSessionId"] == session_id
        error = error_of(lambda: client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Body=row,
                                                        SessionId=session_id))
        assert error["Error"]["Code"] == "ValidationError"
        assert session_id in error["Error"]["Message"]


def test_the_callers_custom_attributes_come_back_first(start_server, tmp_repo):
    server = start_ab(start_server, tmp_repo)
    client = runtime_client(server)
    row = zoo_rows("breast-cancer-logreg")[0]
    answer = client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Body=row,
                                    CustomAttributes="trace_id=abc-123")
    attributes = answer["CustomAttributes"]
    assert attributes.startswith("trace_id=abc-123,variant=")
    assert f"variant={answer['InvokedProductionVariant']}" in attributes
    long_trace = "t" * 1010
    answer = client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Body=row, CustomAttributes=long_trace)
    assert answer["CustomAttributes"].startswith(long_trace)
    assert len(answer["CustomAttributes"]) <= 1024


def test_a_header_keyed_sticky_route_is_warned_about_and_stripped_like_sagemaker(start_server, tmp_repo):
    server = start_ab(start_server, tmp_repo, sticky={"header": "X-User-Id"})
    client = runtime_client(server)
    row = zoo_rows("breast-cancer-logreg")[0]
    # boto3 cannot send X-User-Id; a raw call through the emulation can, and it is stripped as SageMaker does.
    status, headers, _ = server.request("POST", f"/endpoints/{ENDPOINT}/invocations", body=row.encode(),
                                        headers={"Content-Type": "text/csv", "X-User-Id": "alice"})
    assert status == 200
    assert headers["x-tandem-routing"] == "weighted"
    status, headers, _ = server.request("POST", "/invocations", body=row.encode(),
                                        headers={"Content-Type": "text/csv", "X-User-Id": "alice"})
    assert headers["x-tandem-routing"] == "sticky", "a container called directly still sees the header"
    deadline = time.monotonic() + 10
    while not any("SageMaker does not forward" in line for line in server.stderr_lines):
        assert time.monotonic() < deadline, "no start-up warning: " + "".join(server.stderr_lines)
        time.sleep(0.05)
    checked = run_tandem("check-config", "--config", str(tmp_repo / "endpoint.yaml"))
    assert "warning: sticky_key reads header X-User-Id" in checked.stdout, checked.stdout + checked.stderr


@pytest.mark.parametrize("parameter", [{"TargetModel": "customer-17.tar.gz"}, {"InferenceComponentName": "ic-1"}])
def test_parameters_this_endpoint_cannot_honour_are_refused(start_server, tmp_repo, parameter):
    server = start_ab(start_server, tmp_repo)
    client = runtime_client(server)
    error = error_of(lambda: client.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv",
                                                    Body=zoo_rows("breast-cancer-logreg")[0], **parameter))
    assert error["Error"]["Code"] == "ValidationError"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
