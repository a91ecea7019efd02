"""Local multi-model endpoints: boto3's invoke_endpoint(TargetModel=...) against the Runtime API emulation
loads <TANDEM_MME_MODEL_ROOT>/<TargetModel> on first use (extracting the archive), then serves it from the
cache; SageMaker's MME metrics in /metrics say which was which."""
import shutil
import threading

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import ZOO, assert_predictions, expected_predictions, parse_predictions, zoo_rows
from mme_support import CLASSIFIER, TINY, metric, package_zoo


def runtime_client(server):
    return boto3.client(
        "sagemaker-runtime", endpoint_url=f"http://127.0.0.1:{server.port}", region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}))


@pytest.fixture
def local_mme(start_server, tmp_path):
    root = tmp_path / "models"
    root.mkdir()
    shutil.move(str(package_zoo(tmp_path, CLASSIFIER, name="customer-17")), root / "customer-17.tar.gz")
    (root / "region" / "eu").mkdir(parents=True)
    shutil.move(str(package_zoo(tmp_path, TINY, name="tiny")), root / "region" / "eu" / "tiny.tar.gz")
    server = start_server(["--workers", "2"], env={
        "SAGEMAKER_MULTI_MODEL": "true", "TANDEM_MME_MODEL_ROOT": str(root),
        "TANDEM_MME_EXTRACT_DIR": str(tmp_path / "extract")})
    return server


def test_target_model_cold_then_warm(local_mme):
    client = runtime_client(local_mme)
    body = "\n".join(zoo_rows(CLASSIFIER)) + "\n"
    cold = client.invoke_endpoint(EndpointName="any-name", TargetModel="customer-17.tar.gz", ContentType="text/csv",
                                  Accept="application/json", Body=body)
    assert_predictions(parse_predictions(cold["Body"].read(), cold["ContentType"]), expected_predictions(CLASSIFIER))
    assert metric(local_mme, "tandem_mme_model_cache_miss_total") == 1
    assert metric(local_mme, "tandem_mme_model_cache_hit_total") == 0
    assert metric(local_mme, "tandem_mme_model_loading_time_seconds_count") == 1
    assert metric(local_mme, "tandem_mme_model_loading_wait_time_seconds_count") == 1
    assert metric(local_mme, "tandem_mme_loaded_model_count") == 1

    for _ in range(3):
        warm = client.invoke_endpoint(EndpointName="any-name", TargetModel="customer-17.tar.gz",
                                      ContentType="text/csv", Accept="application/json", Body=body)
        assert warm["InvokedProductionVariant"] == "AllTraffic"
    assert metric(local_mme, "tandem_mme_model_cache_hit_total") == 3
    assert metric(local_mme, "tandem_mme_model_loading_time_seconds_count") == 1

    # A TargetModel in a subfolder of the root, as S3 prefixes are.
    nested = client.invoke_endpoint(EndpointName="any-name", TargetModel="region/eu/tiny.tar.gz",
                                    ContentType="text/csv", Body=zoo_rows(TINY)[0])
    assert nested["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert metric(local_mme, "tandem_mme_loaded_model_count") == 2
    # The TargetModel is the key the /models routes list it by.
    assert b"region/eu/tiny.tar.gz" in local_mme.request("GET", "/models")[2]


def test_concurrent_cold_requests_share_one_load(local_mme):
    client = runtime_client(local_mme)
    answers, errors = [], []

    def call():
        try:
            answers.append(client.invoke_endpoint(EndpointName="e", TargetModel="customer-17.tar.gz",
                                                  ContentType="text/csv", Body=zoo_rows(CLASSIFIER)[0]))
        except Exception as error:  # noqa: BLE001 - asserted below
            errors.append(error)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and len(answers) == 8
    assert metric(local_mme, "tandem_mme_model_loading_time_seconds_count") == 1
    assert metric(local_mme, "tandem_mme_model_cache_hit_total") + metric(local_mme, "tandem_mme_model_cache_miss_total") == 8


def test_unknown_and_escaping_target_models_are_validation_errors(local_mme):
    client = runtime_client(local_mme)
    for target in ("customer-99.tar.gz", "../outside.tar.gz"):
        with pytest.raises(ClientError) as caught:
            client.invoke_endpoint(EndpointName="e", TargetModel=target, ContentType="text/csv", Body="1")
        assert caught.value.response["Error"]["Code"] == "ValidationError", caught.value.response
        assert target in caught.value.response["Error"]["Message"]


def test_target_model_without_a_model_root_is_refused(start_server, tmp_path):
    directory = tmp_path / "single"
    directory.mkdir()
    (directory / "model.onnx").write_bytes((ZOO / TINY / "v1" / "model.onnx").read_bytes())
    server = start_server(["--model-dir", str(directory)])
    with pytest.raises(ClientError) as caught:
        runtime_client(server).invoke_endpoint(EndpointName="e", TargetModel="x.tar.gz", ContentType="text/csv",
                                               Body="1")
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert "TANDEM_MME_MODEL_ROOT" in caught.value.response["Error"]["Message"]
