"""POST /invocations: every accepted request format and every response format, checked against
onnxruntime's outputs for the zoo's breast-cancer (int labels) and iris (string labels) models."""
from __future__ import annotations

import json

import pytest

from conftest import (Server, assert_predictions, expected_predictions, parse_predictions, zoo_model_dir,
                      zoo_rows)

MODELS = ["breast-cancer-logreg", "iris-logreg"]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    root = tmp_path_factory.mktemp("formats")
    started = {name: Server(["--model-dir", str(zoo_model_dir(root, name))]) for name in MODELS}
    yield started
    for server in started.values():
        server.stop()


def json_row(line: str) -> str:
    # The zoo's CSV cells (0.1106, 1e+06, ...) are valid JSON numbers as written.
    return "[" + line + "]"


def check(server, body, content_type, model, accept=None, rows=None, expect_type="application/json"):
    status, headers, data = server.invoke(body, content_type=content_type, accept=accept)
    assert status == 200, data[:500]
    assert headers["content-type"].split(";")[0] == expect_type
    expected = expected_predictions(model)
    if rows is not None:
        expected = [expected[i] for i in rows]
    assert_predictions(parse_predictions(data, headers["content-type"]), expected)
    return headers, data


# --- request formats --------------------------------------------------------------------------------

@pytest.mark.parametrize("model", MODELS)
def test_csv_whole_file_lf(servers, model):
    check(servers[model], "\n".join(zoo_rows(model)), "text/csv", model)


@pytest.mark.parametrize("model", MODELS)
def test_csv_crlf_with_trailing_newline(servers, model):
    check(servers[model], "\r\n".join(zoo_rows(model)) + "\r\n", "text/csv", model)


@pytest.mark.parametrize("model", MODELS)
def test_csv_trailing_newline_and_charset_parameter(servers, model):
    check(servers[model], "\n".join(zoo_rows(model)) + "\n", "text/csv; charset=utf-8", model)


@pytest.mark.parametrize("model", MODELS)
def test_csv_single_row(servers, model):
    check(servers[model], zoo_rows(model)[4] + "\n", "text/csv", model, rows=[4])


@pytest.mark.parametrize("model", MODELS)
def test_json_instances_of_arrays(servers, model):
    body = '{"instances": [' + ",".join(json_row(r) for r in zoo_rows(model)) + "]}"
    check(servers[model], body, "application/json", model)


@pytest.mark.parametrize("model", MODELS)
def test_json_instances_of_features_objects(servers, model):
    body = '{"instances": [' + ",".join('{"features": ' + json_row(r) + "}" for r in zoo_rows(model)) + "]}"
    check(servers[model], body, "application/json", model)


@pytest.mark.parametrize("model", MODELS)
def test_json_bare_array_of_rows(servers, model):
    body = "[" + ",".join(json_row(r) for r in zoo_rows(model)) + "]"
    check(servers[model], body, "application/json", model)


@pytest.mark.parametrize("model", MODELS)
def test_json_one_flat_row(servers, model):
    check(servers[model], json_row(zoo_rows(model)[7]), "application/json", model, rows=[7])


@pytest.mark.parametrize("model", MODELS)
def test_json_one_features_object(servers, model):
    check(servers[model], '{"features": ' + json_row(zoo_rows(model)[2]) + "}", "application/json", model,
          rows=[2])


@pytest.mark.parametrize("model", MODELS)
def test_jsonlines_arrays(servers, model):
    body = "\n".join(json_row(r) for r in zoo_rows(model)) + "\n"
    check(servers[model], body, "application/jsonlines", model)


@pytest.mark.parametrize("model", MODELS)
def test_jsonlines_features_objects_crlf(servers, model):
    body = "\r\n".join('{"features": ' + json_row(r) + "}" for r in zoo_rows(model))
    check(servers[model], body, "application/jsonlines", model)


def test_missing_content_type_sniffs_json_and_csv(servers):
    model = "iris-logreg"
    rows = zoo_rows(model)[:5]
    check(servers[model], "\n".join(rows), None, model, rows=range(5))
    check(servers[model], '{"instances": [' + ",".join(json_row(r) for r in rows) + "]}", None, model,
          rows=range(5))


# --- response formats -------------------------------------------------------------------------------

ACCEPTS = [
    ("text/csv", "text/csv"),
    ("application/json", "application/json"),
    ("application/jsonlines", "application/jsonlines"),
    (None, "application/json"),
    ("*/*", "application/json"),
    ("text/csv;q=0.5, application/jsonlines;q=0.9", "application/jsonlines"),
    ("application/json;q=0.1, text/csv", "text/csv"),
    ("application/xml, text/csv;q=0.8", "text/csv"),
    ("text/*", "text/csv"),
    ("application/jsonlines, */*;q=0.1", "application/jsonlines"),
]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("accept,expect_type", ACCEPTS)
def test_accept(servers, model, accept, expect_type):
    rows = zoo_rows(model)
    headers, data = check(servers[model], "\n".join(rows), "text/csv", model, accept=accept,
                          expect_type=expect_type)
    if expect_type == "text/csv":
        assert data.count(b"\n") == len(rows) and data.endswith(b"\n")
    if expect_type == "application/jsonlines":
        assert len(data.decode().splitlines()) == len(rows)


def test_json_response_shape(servers):
    model = "iris-logreg"
    status, headers, data = servers[model].invoke(zoo_rows(model)[0], accept="application/json")
    assert status == 200
    document = json.loads(data)
    assert list(document) == ["predictions"]
    (record,) = document["predictions"]
    assert isinstance(record["label"], str)
    assert len(record["probabilities"]) == 3
    assert headers["x-amzn-invoked-production-variant"] == "AllTraffic"
    assert headers.get("x-amzn-requestid")


@pytest.fixture(scope="module")
def csv_default_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("default-accept")
    server = Server(["--model-dir", str(zoo_model_dir(root, "breast-cancer-logreg"))],
                    env={"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"})
    yield server
    server.stop()


@pytest.mark.parametrize("accept,expect_type", [
    (None, "text/csv"),
    ("*/*", "text/csv"),
    ("application/json", "application/json"),
    ("application/jsonlines", "application/jsonlines"),
])
def test_sagemaker_default_invocations_accept(csv_default_server, accept, expect_type):
    model = "breast-cancer-logreg"
    rows = zoo_rows(model)[:20]
    check(csv_default_server, "\n".join(rows), "text/csv", model, accept=accept, rows=range(20),
          expect_type=expect_type)


@pytest.mark.parametrize("model", MODELS)
def test_json_instances_of_data_features_values(servers, model):
    # The built-in algorithms' dense form: {"data": {"features": {"values": [...]}}}.
    body = '{"instances": [' + ",".join('{"data": {"features": {"values": ' + json_row(r) + "}}}"
                                        for r in zoo_rows(model)) + "]}"
    check(servers[model], body, "application/json", model)


def test_jsonlines_mixed_record_forms(servers):
    model = "breast-cancer-logreg"
    rows = zoo_rows(model)[:3]
    body = "\n".join([json_row(rows[0]), '{"features": ' + json_row(rows[1]) + "}",
                      '{"data": {"features": {"values": ' + json_row(rows[2]) + "}}}"])
    check(servers[model], body, "application/jsonlines", model, rows=range(3))


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "text/json"])
def test_json_content_type_variants(servers, content_type):
    model = "iris-logreg"
    rows = zoo_rows(model)[:4]
    check(servers[model], "[" + ",".join(json_row(r) for r in rows) + "]", content_type, model, rows=range(4))


@pytest.mark.parametrize("content_type", ["application/x-ndjson", "application/jsonl"])
def test_jsonlines_content_type_aliases(servers, content_type):
    model = "iris-logreg"
    rows = zoo_rows(model)[:4]
    check(servers[model], "\n".join(json_row(r) for r in rows), content_type, model, rows=range(4))
