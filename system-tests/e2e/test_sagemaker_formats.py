"""`application/x-npy` and `application/x-recordio-protobuf` against the zoo's models: bodies written by numpy
and by the SageMaker Python SDK's own serializers (v2, in sagemaker-v2/ of the test environment) get the same
predictions as the CSV request; the responses read back with numpy and the SDK's deserializers; and the SDK
v3 path (`sagemaker.core.resources.Endpoint(...).invoke()` with AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME) works."""
from __future__ import annotations

import io
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from conftest import Server, assert_predictions, parse_predictions, write_endpoint, copy_zoo_model, zoo_model_dir, zoo_rows

MODELS = ["breast-cancer-logreg", "iris-logreg"]
HELPER = pathlib.Path(__file__).with_name("sagemaker_sdk.py")


def sdk_path(major: int) -> pathlib.Path:
    """The --target folder scripts/install-deps puts SageMaker SDK v<major> in."""
    venv = pathlib.Path(os.environ.get("VIRTUAL_ENV") or sys.prefix)
    path = venv / f"sagemaker-v{major}"
    assert path.is_dir(), f"no SageMaker SDK v{major} at {path}: run scripts/install-deps --test"
    return path


def run_sdk(major: int, *args: str, env: dict[str, str] | None = None) -> str:
    full = dict(os.environ, PYTHONPATH=str(sdk_path(major)), SAGEMAKER_SUPPRESS_V2_WARNING="1", **(env or {}))
    done = subprocess.run([sys.executable, str(HELPER), *args], capture_output=True, text=True, timeout=120, env=full)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]  # the SDK prints its own INFO lines first


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    root = tmp_path_factory.mktemp("sdk-formats")
    started = {name: Server(["--model-dir", str(zoo_model_dir(root, name))]) for name in MODELS}
    yield started
    for server in started.values():
        server.stop()


def matrix(model: str, dtype=np.float32) -> np.ndarray:
    return np.array([[float(cell) for cell in row.split(",")] for row in zoo_rows(model)], dtype=dtype)


def csv_answer(server, array: np.ndarray) -> list:
    body = "\n".join(",".join(repr(float(v)) if array.dtype.kind == "f" else str(v) for v in row) for row in array)
    status, headers, data = server.invoke(body, content_type="text/csv", accept="application/json")
    assert status == 200, data[:300]
    return parse_predictions(data, headers["content-type"])


def answer(server, body: bytes, content_type: str, accept="application/json"):
    status, headers, data = server.invoke(body, content_type=content_type, accept=accept)
    assert status == 200, data[:500]
    assert headers["content-type"] == accept
    return data


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@pytest.mark.parametrize("model", MODELS)
def test_npy_bodies_written_by_numpy_equal_the_csv_request(servers, model):
    server = servers[model]
    floats = matrix(model)
    expected = csv_answer(server, floats)
    for array in (floats, floats.astype(np.float64), np.asfortranarray(floats), floats.astype(">f4")):
        got = parse_predictions(answer(server, npy(array), "application/x-npy"), "application/json")
        assert_predictions(got, expected)
    ints = np.rint(floats * 10).astype(np.int64)
    assert_predictions(parse_predictions(answer(server, npy(ints), "application/x-npy"), "application/json"),
                       csv_answer(server, ints))
    assert_predictions(parse_predictions(answer(server, npy(ints.astype(np.int32)), "application/x-npy"), "application/json"),
                       csv_answer(server, ints))
    # Without a Content-Type the magic decides.
    got = parse_predictions(answer(server, npy(floats), None), "application/json")
    assert_predictions(got, expected)


@pytest.mark.parametrize("model", MODELS)
def test_npy_response_reads_back_with_numpy(servers, model):
    server = servers[model]
    floats = matrix(model)
    expected = csv_answer(server, floats)
    array = np.load(io.BytesIO(answer(server, npy(floats), "application/x-npy", accept="application/x-npy")))
    assert array.shape[0] == len(expected)
    for row, (label, probabilities) in zip(array, expected):
        if array.dtype.kind == "U":  # string labels: numpy's own typing of a mixed table
            assert row[0] == label
            assert np.allclose(row[1:].astype(np.float64), probabilities, atol=1e-5)
        else:
            assert row[0] == label and np.allclose(row[1:], probabilities, atol=1e-5)


def test_npy_errors_are_precise(servers):
    server = servers["breast-cancer-logreg"]
    cases = [
        (npy(matrix("iris-logreg")), "wrong_feature_count"),
        (npy(np.array(["a", "b"])), "unsupported_dtype"),
        (npy(matrix("breast-cancer-logreg"))[:-4], "bad_npy"),
        (b"\x93NUMPY\x09\x00", "bad_npy"),
    ]
    for body, code in cases:
        status, _, data = server.invoke(body, content_type="application/x-npy")
        assert status == 400 and json.loads(data)["code"] == code, data


@pytest.fixture(scope="module")
def sdk_bodies(tmp_path_factory):
    """The zoo inputs as the SageMaker SDK v2's serializers write them, per model."""
    out = {}
    for model in MODELS:
        directory = tmp_path_factory.mktemp(f"sdk-{model}")
        (directory / "rows.json").write_text(json.dumps(matrix(model).tolist()))
        version = run_sdk(2, "serialize", str(directory / "rows.json"), str(directory)).strip()
        assert version.startswith("2."), version
        out[model] = {path.stem: path.read_bytes() for path in directory.glob("*.bin")}
    return out


@pytest.mark.parametrize("model", MODELS)
def test_bodies_from_the_sdk_v2_serializers_equal_the_csv_request(servers, sdk_bodies, model):
    server = servers[model]
    expected = csv_answer(server, matrix(model))
    bodies = sdk_bodies[model]
    assert set(bodies) == {"numpy_serializer", "record_serializer", "dense_tensor", "sparse_tensor"}
    got = parse_predictions(answer(server, bodies["numpy_serializer"], "application/x-npy"), "application/json")
    assert_predictions(got, expected)
    for name in ("record_serializer", "dense_tensor", "sparse_tensor"):
        got = parse_predictions(answer(server, bodies[name], "application/x-recordio-protobuf"), "application/json")
        assert_predictions(got, expected)


@pytest.mark.parametrize("model", MODELS)
def test_responses_read_back_with_the_sdk_v2_deserializers(servers, sdk_bodies, model, tmp_path):
    server = servers[model]
    expected = csv_answer(server, matrix(model))
    body = sdk_bodies[model]["record_serializer"]
    (tmp_path / "answer.npy").write_bytes(answer(server, body, "application/x-recordio-protobuf", accept="application/x-npy"))
    read = json.loads(run_sdk(2, "deserialize", "npy", str(tmp_path / "answer.npy")))
    assert len(read["rows"]) == len(expected)
    assert [row[0] for row in read["rows"]] == [label if read["dtype"].startswith("<U") else float(label)
                                                for label, _ in expected]
    (tmp_path / "answer.rec").write_bytes(answer(server, body, "application/x-recordio-protobuf",
                                                 accept="application/x-recordio-protobuf"))
    records = json.loads(run_sdk(2, "deserialize", "recordio", str(tmp_path / "answer.rec")))
    assert len(records) == len(expected)
    for record, (label, probabilities) in zip(records, expected):
        assert record["predicted_label"] == [label if isinstance(label, str) else float(label)]
        assert np.allclose(record["score"], probabilities, atol=1e-5)


def test_recordio_errors_are_precise(servers):
    server = servers["breast-cancer-logreg"]
    for body, code in [(b"\x0a\x23\xd7\xce\x10\x00\x00\x00abc", "bad_recordio"), (b"not recordio at all", "bad_recordio")]:
        status, _, data = server.invoke(body, content_type="application/x-recordio-protobuf")
        assert status == 400 and json.loads(data)["code"] == code, data


def test_sdk_v3_endpoint_invoke_through_the_runtime_api(start_server, tmp_repo):
    copy_zoo_model(tmp_repo, "breast-cancer-logreg", "v1", "bc", 1)
    config = write_endpoint(tmp_repo, [{"name": "AllTraffic", "model": "bc"}], name="tandem-v3")
    server = start_server(["--config", str(config)])
    rows = zoo_rows("breast-cancer-logreg")
    (tmp_repo / "body.csv").write_text("\n".join(rows) + "\n")
    env = {"AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": f"http://127.0.0.1:{server.port}", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    result = json.loads(run_sdk(3, "invoke-v3", "tandem-v3", str(tmp_repo / "body.csv"), "text/csv", "application/json", env=env))
    assert result["version"].startswith("3."), result
    assert result["variant"] == "AllTraffic"
    status, headers, data = server.invoke("\n".join(rows) + "\n", accept="application/json")
    assert parse_predictions(result["body"].encode(), "application/json") == parse_predictions(data, headers["content-type"])
