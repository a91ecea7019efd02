"""The Open Inference Protocol (KServe v2 / Triton HTTP) with the clients people already have: Triton's
Python client `tritonclient[http]` (binary tensors by default) and Triton's load generator `perf_analyzer`,
against a real tandem process. Outputs are compared with onnxruntime's (the zoo fixtures' expected.json)."""
import csv
import http.client
import json
import math
import os
import pathlib
import re
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
import tritonclient.http as triton
from tritonclient.utils import InferenceServerException

from conftest import ZOO, copy_zoo_model, write_endpoint, zoo_expected

ENDPOINT = "oip-e2e"
TOKEN = "oip-admin-token"


@pytest.fixture(scope="module")
def oip_server(tmp_path_factory):
    """One endpoint: breast cancer v1/v2 A/B at 3:1 (the endpoint model), plus the multi-input churn model
    and the string-input topics model as weight-0 variants, reachable by model name and version."""
    from conftest import Server

    root = tmp_path_factory.mktemp("oip")
    copy_zoo_model(root, "breast-cancer-logreg", "v1", "bc", 1)
    copy_zoo_model(root, "breast-cancer-logreg", "v2", "bc", 2)
    (root / "bc" / "model.yaml").write_text("versions: all\n")
    copy_zoo_model(root, "churn-columns-gbc", "v1", "churn", 1)
    copy_zoo_model(root, "topics-tfidf-logreg", "v1", "topics", 1)
    config = write_endpoint(root, [
        {"name": "control", "model": "bc", "version": 1, "weight": 3},
        {"name": "challenger", "model": "bc", "version": 2, "weight": 1},
        {"name": "churn", "model": "churn", "version": 1, "weight": 0},
        {"name": "topics", "model": "topics", "version": 1, "weight": 0},
    ], name=ENDPOINT, admin={"token": TOKEN})
    server = Server(["--config", str(config), "--workers", "2"])
    yield server
    server.stop()


@pytest.fixture
def client(oip_server):
    c = triton.InferenceServerClient(url=f"127.0.0.1:{oip_server.port}", concurrency=4)
    yield c
    c.close()


def zoo_inputs(zoo_name: str) -> list[list[str]]:
    with open(ZOO / zoo_name / "v1" / "input.csv", newline="") as f:
        return [row for row in csv.reader(f)]


def build_inputs(zoo_name: str, binary: bool, rows: list[int] | None = None) -> list:
    """The zoo rows (those numbered in `rows`, else all) as the model's inputs, split by meta.json's csv_columns."""
    meta = json.loads((ZOO / zoo_name / "v1" / "meta.json").read_text())
    rows = [r for i, r in enumerate(zoo_inputs(zoo_name)) if rows is None or i in rows]
    inputs = []
    for spec in meta["inputs"]:
        start, end = spec["csv_columns"]
        cells = [(row + [""] * end)[start:end] for row in rows]  # an empty line is one empty text cell
        if spec["type"] == "tensor(string)":
            array = np.array(cells, dtype=np.object_)
            datatype = "BYTES"
        else:
            array = np.array([[float(c) for c in r] for r in cells], dtype=np.float32)
            datatype = "FP32"
        tensor = triton.InferInput(spec["name"], list(array.shape), datatype)
        tensor.set_data_from_numpy(array, binary_data=binary)
        inputs.append(tensor)
    return inputs


def assert_matches_onnxruntime(result, zoo_name: str, version: str = "v1", rows: list[int] | None = None):
    expected = zoo_expected(zoo_name, version)["outputs"]
    if rows is not None:
        expected = {name: {"data": [v for i, v in enumerate(out["data"]) if i in rows]} for name, out in expected.items()}
    labels = result.as_numpy("label")
    want_labels = expected["label"]["data"]
    got = [x.decode() if isinstance(x, bytes) else x if isinstance(x, str) else x.item() for x in labels.reshape(-1)]
    assert got == want_labels
    probabilities = result.as_numpy("probabilities")
    want = np.array(expected["probabilities"]["data"], dtype=np.float32)
    assert probabilities.shape == want.shape
    np.testing.assert_allclose(probabilities, want, atol=1e-5, rtol=0)


def test_health_and_metadata(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready(ENDPOINT)
    assert client.is_model_ready("bc", "2")
    assert not client.is_model_ready("no-such-model")
    server = client.get_server_metadata()
    assert server["name"] == "tandem"
    assert {"binary_tensor_data", "statistics", "model_repository"} <= set(server["extensions"])
    meta = client.get_model_metadata(ENDPOINT)
    assert meta["inputs"] == [{"name": "input", "datatype": "FP32", "shape": [-1, 30]}]
    assert [(o["name"], o["datatype"]) for o in meta["outputs"]] == [("label", "INT64"), ("probabilities", "FP32")]
    churn = client.get_model_metadata("churn", "1")
    assert [(i["name"], i["datatype"], i["shape"]) for i in churn["inputs"]] == [
        ("num", "FP32", [-1, 3]), ("cat", "BYTES", [-1, 2])]
    assert client.get_model_metadata("bc")["versions"] == ["1", "2"]
    config = client.get_model_config(ENDPOINT)
    assert config["max_batch_size"] > 0 and config["input"][0]["dims"] == [30]


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "json"])
@pytest.mark.parametrize("model, version, zoo_name", [
    ("bc", "1", "breast-cancer-logreg"),     # one FP32 input
    ("churn", "1", "churn-columns-gbc"),     # two inputs: FP32 (with NaN) and BYTES
    ("topics", "1", "topics-tfidf-logreg"),  # one BYTES input, BYTES labels
])
def test_infer_matches_onnxruntime(client, model, version, zoo_name, binary):
    outputs = [triton.InferRequestedOutput(name, binary_data=binary) for name in ("label", "probabilities")]
    rows = None
    if not binary and any("nan" in row for row in zoo_inputs(zoo_name)):
        # NaN is not a JSON number: tritonclient writes it anyway, and Tandem says to use binary tensors.
        status, message = status_of(lambda: client.infer(model, build_inputs(zoo_name, False), model_version=version))
        assert status == "400" and "binary extension" in message
        rows = [i for i, row in enumerate(zoo_inputs(zoo_name)) if "nan" not in row]
    result = client.infer(model, build_inputs(zoo_name, binary, rows), model_version=version, outputs=outputs,
                          request_id="req-1")
    response = result.get_response()
    assert response["model_name"] == model and response["model_version"] == version
    assert response["id"] == "req-1"
    assert response["parameters"]["routing"] == "target"
    assert_matches_onnxruntime(result, zoo_name, rows=rows)


def test_default_request_gets_binary_outputs(client):
    # outputs=None: tritonclient asks for binary_data_output and reads the binary extension back.
    result = client.infer("bc", build_inputs("breast-cancer-logreg", True), model_version="2")
    assert_matches_onnxruntime(result, "breast-cancer-logreg", "v2")
    assert result.get_response()["parameters"]["variant"] == "challenger"


def test_endpoint_model_splits_by_weights(client, oip_server):
    rows = np.array([[float(c) for c in zoo_inputs("breast-cancer-logreg")[0]]], dtype=np.float32)
    tensor = triton.InferInput("input", [1, 30], "FP32")
    tensor.set_data_from_numpy(rows)
    total = 400
    pending = [client.async_infer(ENDPOINT, [tensor]) for _ in range(total)]
    served = Counter()
    for call in pending:
        response = call.get_result().get_response()
        assert response["model_name"] == ENDPOINT and response["parameters"]["routing"] == "weighted"
        served[response["parameters"]["variant"]] += 1
    assert set(served) == {"control", "challenger"}
    expected = {"control": 0.75, "challenger": 0.25}
    chi2 = sum((served[n] - total * s) ** 2 / (total * s) for n, s in expected.items())
    assert chi2 < 10.828, f"split {dict(served)} departs from 3:1 (chi-square {chi2:.2f})"
    # The usual header names the variant too, and an explicit target variant wins.
    status, headers, body = oip_server.request(
        "POST", f"/v2/models/{ENDPOINT}/infer", json.dumps({"inputs": [
            {"name": "input", "datatype": "FP32", "shape": [1, 30], "data": rows.tolist()}]}),
        {"Content-Type": "application/json", "X-Amzn-SageMaker-Target-Variant": "challenger"})
    assert status == 200, body
    assert headers["x-amzn-invoked-production-variant"] == "challenger"
    assert json.loads(body)["parameters"] == {"variant": "challenger", "model": "bc/2", "routing": "target"}


def status_of(call) -> tuple[str, str]:
    with pytest.raises(InferenceServerException) as caught:
        call()
    return caught.value.status(), caught.value.message()


def test_error_paths_through_the_client(client):
    bc = build_inputs("breast-cancer-logreg", True)
    status, message = status_of(lambda: client.infer("nope", bc))
    assert status == "404" and "unknown model 'nope'" in message
    status, message = status_of(lambda: client.infer("bc", bc, model_version="9"))
    assert status == "404" and "no version '9'" in message
    wrong_type = triton.InferInput("input", [156, 30], "FP64")
    wrong_type.set_data_from_numpy(np.zeros((156, 30), dtype=np.float64))
    status, message = status_of(lambda: client.infer("bc", [wrong_type], model_version="1"))
    assert status == "400" and "FP64" in message and "FP32" in message
    wrong_shape = triton.InferInput("input", [2, 29], "FP32")
    wrong_shape.set_data_from_numpy(np.zeros((2, 29), dtype=np.float32))
    status, message = status_of(lambda: client.infer("bc", [wrong_shape], model_version="1"))
    assert status == "400" and "[2, 29]" in message
    status, message = status_of(lambda: client.get_model_metadata("bc", "7"))
    assert status == "404"


def raw_infer(server, header: dict, binary: bytes, header_length: int | None = None, extra_headers=None):
    head = json.dumps(header).encode()
    headers = {"Content-Type": "application/octet-stream",
               "Inference-Header-Content-Length": str(len(head) if header_length is None else header_length)}
    headers.update(extra_headers or {})
    status, _, body = server.request("POST", "/v2/models/bc/versions/1/infer", head + binary, headers)
    return status, json.loads(body)


def test_error_paths_on_the_wire(oip_server):
    floats = np.zeros((1, 30), dtype=np.float32).tobytes()

    def header(size):
        return {"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 30],
                            "parameters": {"binary_data_size": size}}]}

    # Sizes that do not add up, either way, and a header length past the body: 400 naming both numbers.
    status, body = raw_infer(oip_server, header(100), floats)
    assert status == 400 and "120" in body["error"] and "100" in body["error"]
    status, body = raw_infer(oip_server, header(4000), floats)
    assert status == 400 and "4000" in body["error"]
    status, body = raw_infer(oip_server, header(120), floats, header_length=10_000)
    assert status == 400 and "10000" in body["error"]
    status, body = raw_infer(oip_server, header(120), floats, header_length=-5)
    assert status == 400
    # BYTES whose length prefix points past the data.
    text_header = {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1, 1],
                               "parameters": {"binary_data_size": 8}}]}
    head = json.dumps(text_header).encode()
    status, _, raw = oip_server.request(
        "POST", "/v2/models/topics/infer", head + b"\xff\xff\xff\x7fabcd",
        {"Inference-Header-Content-Length": str(len(head))})
    assert status == 400 and "BYTES element 0" in json.loads(raw)["error"]
    # Garbage never crashes the server.
    for junk in [b"", b"{", b"[]", b"\x00" * 64, b'{"inputs": [{"name": "input"}]}', b'{"inputs": 7}']:
        status, _, raw = oip_server.request("POST", "/v2/models/bc/infer", junk)
        assert status == 400, raw
        assert "error" in json.loads(raw)
    status, _, raw = oip_server.request("GET", "/v2/models/bc/infer")
    assert status == 405
    assert oip_server.request("GET", "/v2/health/live")[0] == 200


@pytest.mark.parametrize("algorithm", ["gzip", "deflate"])
def test_compressed_requests_from_the_client(client, algorithm):
    # tritonclient compresses the whole body (JSON header and binary tensors) and names it in Content-Encoding;
    # it may ask for a compressed answer too, which Tandem is free to send plain.
    rows = [i for i, row in enumerate(zoo_inputs("churn-columns-gbc")) if "nan" not in row][:5]  # JSON has no NaN
    for binary in (True, False):
        result = client.infer("churn", build_inputs("churn-columns-gbc", binary, rows), model_version="1",
                              request_compression_algorithm=algorithm, response_compression_algorithm=algorithm)
        assert_matches_onnxruntime(result, "churn-columns-gbc", rows=rows)


def test_compressed_bomb_is_refused_and_counted(oip_server):
    import gzip
    import zlib

    def hits():
        text = oip_server.request("GET", "/metrics")[2].decode()
        found = re.search(r'^tandem_limit_hits_total\{limit="max_inflated_body_bytes"\} (\d+)', text, re.M)
        return int(found.group(1)) if found else 0

    before = hits()
    # 64 MiB of spaces after a valid start: about 64 KiB on the wire, past the 25 MiB body limit inflated.
    bomb = gzip.compress(b'{"inputs": [' + b" " * (64 << 20), compresslevel=9)
    assert len(bomb) < 200_000
    status, _, raw = oip_server.request("POST", "/v2/models/bc/infer", bomb, {"Content-Encoding": "gzip"})
    assert status == 413 and "inflates to more than" in json.loads(raw)["error"], raw
    assert hits() == before + 1
    # Broken or unknown encodings: a clear 4xx, and the server goes on.
    status, _, raw = oip_server.request("POST", "/v2/models/bc/infer", zlib.compress(b"{}")[:-3],
                                        {"Content-Encoding": "deflate"})
    assert status == 400 and "deflate" in json.loads(raw)["error"]
    status, _, raw = oip_server.request("POST", "/v2/models/bc/infer", b"{}", {"Content-Encoding": "zstd"})
    assert status == 415 and "zstd" in json.loads(raw)["error"]
    assert oip_server.request("GET", "/v2/health/live")[0] == 200


def test_repository_extension_needs_the_admin_token(oip_server, client):
    assert oip_server.request("POST", "/v2/repository/index", "{}")[0] == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    status, _, body = oip_server.request("POST", "/v2/repository/index", "{}", auth)
    assert status == 200
    index = {(m["name"], m["version"]): m["state"] for m in json.loads(body)}
    assert index[(ENDPOINT, "1")] == "READY" and index[("churn", "1")] == "READY" and index[("bc", "2")] == "READY"
    assert oip_server.request("POST", f"/v2/repository/models/{ENDPOINT}/unload", "", auth)[0] == 400
    assert oip_server.request("POST", "/v2/repository/models/topics/load", "", auth)[0] == 200
    assert oip_server.request("POST", "/v2/repository/models/nope/load", "", auth)[0] == 404


def perf_analyzer() -> tuple[str, dict]:
    """Triton's load generator from the tritonclient wheel, with libcudart from nvidia-cuda-runtime-cu12."""
    binary = pathlib.Path(sys.executable).parent / "perf_analyzer"
    assert binary.exists(), f"{binary} missing: scripts/install-deps --test installs tritonclient[http]==2.41.0"
    import nvidia.cuda_runtime  # noqa: PLC0415 - only this test needs it
    lib = pathlib.Path(list(nvidia.cuda_runtime.__path__)[0]) / "lib"
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = f"{lib}:{env.get('LD_LIBRARY_PATH', '')}"
    return str(binary), env


def test_perf_analyzer_runs_with_server_side_statistics(oip_server, tmp_path):
    binary, env = perf_analyzer()
    report = tmp_path / "perf.csv"
    # The server is shared with the error-path tests, whose refused requests count as failures: compare with before.
    before = json.loads(oip_server.request("GET", f"/v2/models/{ENDPOINT}/stats")[2])["model_stats"][0]["inference_stats"]
    run = subprocess.run(
        [binary, "-m", ENDPOINT, "-u", f"127.0.0.1:{oip_server.port}", "-i", "http",
         "--concurrency-range", "1:8", "--max-threads", "8", "--measurement-mode", "count_windows",
         "--measurement-request-count", "40",
         "--stability-percentage", "100", "--max-trials", "10", "-f", str(report)],
        capture_output=True, text=True, env=env, timeout=120)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "error" not in output.lower(), output
    # One measurement per concurrency level, each with the server's own queue and compute split filled in.
    server_counts = [int(n) for n in re.findall(r"Server:\s*\n\s*Inference count: (\d+)", output)]
    assert len(server_counts) == 8 and all(n > 0 for n in server_counts), output
    assert re.search(r"queue \d+ usec \+ compute input \d+ usec \+ compute infer [1-9]\d* usec", output), output
    with open(report, newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(int(r["Concurrency"]) for r in rows) == list(range(1, 9))
    assert all(float(r["Inferences/Second"]) > 0 for r in rows)
    assert all(float(r["Server Compute Infer"]) > 0 for r in rows)
    # Tandem's own count agrees that nothing failed.
    stats = json.loads(oip_server.request("GET", f"/v2/models/{ENDPOINT}/stats")[2])["model_stats"][0]
    assert stats["inference_stats"]["fail"]["count"] == before["fail"]["count"]
    assert stats["inference_stats"]["success"]["count"] - before["success"]["count"] >= sum(server_counts)
    assert not math.isnan(stats["inference_stats"]["queue"]["ns"])
