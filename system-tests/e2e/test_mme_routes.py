"""SageMaker's multi-model endpoint container contract, driven as SageMaker drives it: the artifact made with
scripts/package-model, extracted into /opt/ml/models/<hash>/model, then POST /models, invoke, list, unload."""
import json

import pytest

from conftest import ZOO, assert_predictions, expected_predictions, parse_predictions, zoo_rows
from mme_support import (CLASSIFIER, TINY, invoke, load, mme_env, package, package_zoo, sagemaker_unpack)


@pytest.fixture
def mme(start_server, tmp_path):
    return start_server(["--workers", "2"], env=mme_env(TANDEM_MME_EXTRACT_DIR=str(tmp_path / "extract")))


def test_load_invoke_list_unload_as_sagemaker_does(mme, tmp_path):
    archive = package_zoo(tmp_path, CLASSIFIER, name="customer-17")
    key, directory = sagemaker_unpack(archive, tmp_path / "opt/ml/models", "customer-17.tar.gz")
    status, body = load(mme, key, directory)
    assert status == 200, body
    assert load(mme, key, directory)[0] == 409

    rows = zoo_rows(CLASSIFIER)
    status, headers, answer = invoke(mme, key, "\n".join(rows) + "\n", target_model="customer-17.tar.gz")
    assert status == 200, answer
    assert_predictions(parse_predictions(answer, headers["content-type"]), expected_predictions(CLASSIFIER))

    status, _, listed = mme.request("GET", "/models")
    assert status == 200
    assert json.loads(listed) == {"models": [{"modelName": key, "modelUrl": str(directory)}]}
    status, _, one = mme.request("GET", f"/models/{key}")
    assert status == 200 and json.loads(one)["modelUrl"] == str(directory)

    assert mme.request("DELETE", f"/models/{key}")[0] == 200
    assert mme.request("GET", f"/models/{key}")[0] == 404
    assert invoke(mme, key, rows[0])[0] == 404
    assert mme.request("DELETE", f"/models/{key}")[0] == 404
    # /ping stays healthy with no model loaded: a multi-model endpoint starts empty.
    assert mme.request("GET", "/ping")[0] == 200


def unpacked_ab_endpoint(tmp_path, name: str, extra_yaml: str = ""):
    """An endpoint.yaml splitting `name` between control (iris v1) and challenger (iris v2), plus `extra_yaml`,
    packaged with both versions and unpacked as SageMaker does: (key, model directory)."""
    (tmp_path / "endpoint.yaml").write_text(
        f"endpoint: {name}\nproduction_variants:\n"
        "  - {name: control, model: iris, version: 1, weight: 1}\n"
        "  - {name: challenger, model: iris, version: 2, weight: 1}\n" + extra_yaml)
    archive = package(tmp_path / "ab.tar.gz", "--endpoint", str(tmp_path / "endpoint.yaml"),
                      "--model", f"iris/1={ZOO / CLASSIFIER / 'v1' / 'model.onnx'}",
                      "--model", f"iris/2={ZOO / CLASSIFIER / 'v1' / 'model.onnx'}")
    return sagemaker_unpack(archive, tmp_path / "opt/ml/models", "ab.tar.gz")


def test_each_model_can_be_an_ab_endpoint(mme, tmp_path):
    """A repository with an endpoint.yaml, packaged and loaded as one MME model, serves both its variants."""
    key, directory = unpacked_ab_endpoint(tmp_path, "per-customer")
    assert load(mme, key, directory)[0] == 200
    served = set()
    for _ in range(40):
        status, headers, _ = invoke(mme, key, zoo_rows(CLASSIFIER)[0])
        assert status == 200
        served.add(headers["x-amzn-invoked-production-variant"])
    assert served == {"control", "challenger"}
    status, headers, _ = mme.request("POST", f"/models/{key}/invoke", zoo_rows(CLASSIFIER)[0],
                                     {"Content-Type": "text/csv", "X-Amzn-SageMaker-Target-Variant": "challenger"})
    assert status == 200 and headers["x-amzn-invoked-production-variant"] == "challenger"


def test_each_model_captures_its_own_traffic(start_server, tmp_path):
    """A model whose endpoint.yaml has a data_capture section is captured under <capture dir>/<model key>/<variant>/,
    by a writer of its own that writes what it holds when the model is unloaded; a model without one is not."""
    capture = tmp_path / "capture"
    server = start_server(["--workers", "2"], env=mme_env(TANDEM_MME_EXTRACT_DIR=str(tmp_path / "extract"),
                                                         TANDEM_CAPTURE_DIR=str(capture)))
    # Start-up names both directories a read-only image must leave writable.
    assert f"writes only to: {tmp_path / 'extract'} (TANDEM_MME_EXTRACT_DIR), {capture} (TANDEM_CAPTURE_DIR)" in \
        "".join(server.startup_lines), server.startup_lines
    key, directory = unpacked_ab_endpoint(
        tmp_path, "captured",
        "data_capture: {sampling_percentage: 100, flush_ms: 20, disk_usage_threshold_percentage: 100}\n")
    assert load(server, key, directory)[0] == 200
    plain_key, plain = sagemaker_unpack(package_zoo(tmp_path, TINY), tmp_path / "opt/ml/models", "plain.tar.gz")
    assert load(server, plain_key, plain)[0] == 200
    sent = {}
    for i in range(30):
        status, headers, _ = server.request("POST", f"/models/{key}/invoke", zoo_rows(CLASSIFIER)[0],
                                            {"Content-Type": "text/csv", "X-Amzn-SageMaker-Inference-Id": f"inf-{i}"})
        assert status == 200
        sent[headers["x-amzn-requestid"]] = (f"inf-{i}", headers["x-amzn-invoked-production-variant"])
        assert invoke(server, plain_key, zoo_rows(TINY)[0])[0] == 200
    # The unload is synchronous: once it answers, every record the model's writer held is on disk.
    assert server.request("DELETE", f"/models/{key}")[0] == 200
    records = {}
    for path in capture.rglob("*.jsonl"):
        model_key, variant = path.relative_to(capture).parts[:2]
        assert model_key == key
        for line in path.read_text().splitlines():
            record = json.loads(line)
            records[record["eventMetadata"]["eventId"]] = (record["eventMetadata"]["inferenceId"], variant)
            assert record["captureData"]["endpointInput"]["data"] == zoo_rows(CLASSIFIER)[0]
    assert records == sent
    assert {variant for _, variant in sent.values()} == {"control", "challenger"}


def test_capture_inside_the_extracted_archive_is_refused(mme, tmp_path):
    """A relative capture destination in an archive Tandem extracts would be deleted with it on unload."""
    (tmp_path / "endpoint.yaml").write_text(
        "endpoint: captured\nproduction_variants:\n  - {name: only, model: iris, version: 1}\n"
        "data_capture: {sampling_percentage: 100, destination: capture}\n")
    archive = package(tmp_path / "cap.tar.gz", "--endpoint", str(tmp_path / "endpoint.yaml"),
                      "--model", f"iris/1={ZOO / CLASSIFIER / 'v1' / 'model.onnx'}")
    status, body = load(mme, "cap", archive)
    assert status == 400 and "removed on unload" in json.dumps(body) and "TANDEM_CAPTURE_DIR" in json.dumps(body), body
    assert list((tmp_path / "extract").iterdir()) == []


def test_an_archive_url_is_extracted_by_tandem(mme, tmp_path):
    """package-model's archive, extracted by Tandem's own safe extractor (the round trip), then served."""
    archive = package_zoo(tmp_path, TINY)
    status, body = load(mme, "from-archive", archive)
    assert status == 200, body
    assert invoke(mme, "from-archive", zoo_rows(TINY)[0])[0] == 200
    extracted = list((tmp_path / "extract").iterdir())
    assert len(extracted) == 1
    assert mme.request("DELETE", "/models/from-archive")[0] == 200
    # Unloading removes what the load extracted.
    assert list((tmp_path / "extract").iterdir()) == []


def test_paging_over_250_models(start_server, tmp_path):
    server = start_server(["--workers", "2"], env=mme_env(TANDEM_MME_PAGE_SIZE="100"))
    directory = tmp_path / "tiny"
    directory.mkdir()
    (directory / "model.onnx").write_bytes((ZOO / TINY / "v1" / "model.onnx").read_bytes())
    names = [f"{index:040x}" for index in range(250)]
    for name in names:
        assert load(server, name, directory)[0] == 200
    seen, token, pages = [], None, 0
    while True:
        path = "/models" + (f"?next_page_token={token}" if token else "")
        status, _, body = server.request("GET", path)
        assert status == 200
        page = json.loads(body)
        assert len(page["models"]) <= 100
        seen += [model["modelName"] for model in page["models"]]
        pages += 1
        token = page.get("nextPageToken")
        if token is None:
            break
    assert pages == 3
    assert seen == sorted(names)
    assert server.request("GET", "/models?next_page_token=x")[0] == 400


def test_a_model_larger_than_the_budget_is_507(start_server, tmp_path):
    server = start_server(["--workers", "2"], env=mme_env(TANDEM_MME_MEMORY_BUDGET_BYTES="200"))
    archive = package_zoo(tmp_path, CLASSIFIER)
    key, directory = sagemaker_unpack(archive, tmp_path / "opt/ml/models", "big.tar.gz")
    status, body = load(server, key, directory)
    assert status == 507
    assert body["code"] == "insufficient_memory" and "budget" in body["message"]
    assert server.request("GET", f"/models/{key}")[0] == 404


def test_bad_load_requests_are_400_or_404(mme, tmp_path):
    assert load(mme, "nothing", tmp_path / "missing")[0] == 404
    assert load(mme, "dev", "/dev/zero")[0] == 400
    assert mme.request("POST", "/models", "{", {"Content-Type": "application/json"})[0] == 400
    (tmp_path / "empty").mkdir()
    status, body = load(mme, "empty", tmp_path / "empty")
    assert status == 400 and "model.onnx" in body["message"]
