"""SageMaker's environment variables: SAGEMAKER_MODEL_SERVER_TIMEOUT, SAGEMAKER_MODEL_SERVER_WORKERS,
SAGEMAKER_MAX_CONCURRENT_TRANSFORMS, SAGEMAKER_BATCH_STRATEGY (and bad values refused at start)."""
from __future__ import annotations

import json
import threading
import time

import pytest

from conftest import run_tandem, synthetic_model_dir


def params(server):
    status, _, body = server.request("GET", "/execution-parameters")
    assert status == 200
    return json.loads(body)


def test_model_server_timeout_gives_504(start_server, tmp_path):
    model = synthetic_model_dir(tmp_path, features=2, latency_ms=2500)
    server = start_server(["--model-dir", str(model)], env={"SAGEMAKER_MODEL_SERVER_TIMEOUT": "1"})
    started = time.monotonic()
    status, _, body = server.invoke("1,2")
    elapsed = time.monotonic() - started
    assert status == 504, body
    assert "1.0 s" in json.loads(body)["message"]
    assert 0.9 < elapsed < 2.0


def test_model_server_workers_sets_the_pool_and_execution_parameters(start_server, tmp_path):
    model = synthetic_model_dir(tmp_path, features=2, latency_ms=400)
    server = start_server(["--model-dir", str(model)], env={"SAGEMAKER_MODEL_SERVER_WORKERS": "3"})
    assert params(server)["MaxConcurrentTransforms"] == 3
    # Three requests run side by side: all answered in about one model latency.
    results = []
    threads = [threading.Thread(target=lambda: results.append(server.invoke("1,2")[0])) for _ in range(3)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == [200, 200, 200]
    assert time.monotonic() - started < 1.1


def test_batch_variables_shape_execution_parameters(start_server, tmp_path):
    model = synthetic_model_dir(tmp_path, features=2)
    # (No --workers here: the flag also sets the advertised concurrency and wins over the variable.)
    server = start_server(["--model-dir", str(model)],
                          env={"SAGEMAKER_MODEL_SERVER_WORKERS": "2", "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS": "4", "SAGEMAKER_BATCH_STRATEGY": "SINGLE_RECORD",
                               "SAGEMAKER_MAX_PAYLOAD_IN_MB": "6"})
    assert params(server) == {"MaxConcurrentTransforms": 4, "BatchStrategy": "SingleRecord", "MaxPayloadInMB": 6}


def test_execution_parameters_keep_concurrency_times_payload_within_100(start_server, tmp_path):
    model = synthetic_model_dir(tmp_path, features=2)
    server = start_server(["--model-dir", str(model)],
                          env={"SAGEMAKER_MAX_CONCURRENT_TRANSFORMS": "8", "SAGEMAKER_MAX_PAYLOAD_IN_MB": "50"})
    p = params(server)
    assert p["MaxConcurrentTransforms"] == 8
    assert p["MaxConcurrentTransforms"] * p["MaxPayloadInMB"] <= 100


@pytest.mark.parametrize("name,value", [
    ("SAGEMAKER_MODEL_SERVER_TIMEOUT", "soon"),
    ("SAGEMAKER_MODEL_SERVER_WORKERS", "0"),
    ("SAGEMAKER_MAX_PAYLOAD_IN_MB", "-1"),
    ("SAGEMAKER_BATCH_STRATEGY", "EVERYTHING"),
    ("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "application/xml"),
])
def test_bad_environment_values_are_refused_at_start(tmp_path, name, value):
    model = synthetic_model_dir(tmp_path, features=2)
    result = run_tandem("serve", "--host", "127.0.0.1", "--port", "0", "--model-dir", str(model),
                        env={name: value}, timeout=10)
    assert result.returncode != 0
    assert name in result.stderr, result.stderr
