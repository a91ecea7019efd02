"""POST /invocations on models with a richer signature: a multi-input model (float and string inputs)
and ZipMap classifiers (probabilities as a sequence of maps), against onnxruntime's outputs."""
from __future__ import annotations

import json

import pytest

from conftest import (Server, assert_predictions, expected_predictions, parse_predictions, zoo_model_dir,
                      zoo_rows)

MIXED = "mixed-columns-logreg"
ZIPMAPS = ["breast-cancer-logreg-zipmap", "iris-logreg-zipmap"]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    root = tmp_path_factory.mktemp("zoo-models")
    started = {name: Server(["--model-dir", str(zoo_model_dir(root, name))]) for name in [MIXED, *ZIPMAPS]}
    yield started
    for server in started.values():
        server.stop()


def mixed_record(line: str) -> tuple[list[float], list[str]]:
    cells = line.split(",")
    return [float(c) for c in cells[:4]], cells[4:]


def invoke_ok(server, body, content_type, accept=None):
    status, headers, data = server.invoke(body, content_type=content_type, accept=accept)
    assert status == 200, data[:500]
    return parse_predictions(data, headers["content-type"])


# --- multi-input: num (4 floats) + cat (2 strings) ----------------------------------------------------

@pytest.mark.parametrize("accept", ["application/json", "text/csv", "application/jsonlines"])
def test_mixed_csv_with_string_cells(servers, accept):
    got = invoke_ok(servers[MIXED], "\n".join(zoo_rows(MIXED)) + "\n", "text/csv", accept)
    assert_predictions(got, expected_predictions(MIXED))


def test_mixed_csv_quoted_string_cells(servers):
    rows = zoo_rows(MIXED)[:10]
    quoted = []
    for line in rows:
        num, cat = mixed_record(line)
        quoted.append(",".join([*map(repr, num), *(f'"{c}"' for c in cat)]))
    got = invoke_ok(servers[MIXED], "\r\n".join(quoted), "text/csv")
    assert_predictions(got, expected_predictions(MIXED)[:10])


def test_mixed_json_keyed_by_input_name(servers):
    instances = []
    for line in zoo_rows(MIXED):
        num, cat = mixed_record(line)
        instances.append({"num": num, "cat": cat})
    got = invoke_ok(servers[MIXED], json.dumps({"instances": instances}), "application/json")
    assert_predictions(got, expected_predictions(MIXED))


def test_mixed_json_keyed_in_another_key_order(servers):
    instances = []
    for line in zoo_rows(MIXED)[:15]:
        num, cat = mixed_record(line)
        instances.append({"cat": cat, "num": num})
    got = invoke_ok(servers[MIXED], json.dumps({"instances": instances}), "application/json")
    assert_predictions(got, expected_predictions(MIXED)[:15])


def test_mixed_json_flat_rows(servers):
    rows = []
    for line in zoo_rows(MIXED):
        num, cat = mixed_record(line)
        rows.append([*num, *cat])
    got = invoke_ok(servers[MIXED], json.dumps(rows), "application/json")
    assert_predictions(got, expected_predictions(MIXED))


def test_mixed_jsonlines_keyed(servers):
    lines = []
    for line in zoo_rows(MIXED):
        num, cat = mixed_record(line)
        lines.append(json.dumps({"num": num, "cat": cat}))
    got = invoke_ok(servers[MIXED], "\n".join(lines) + "\n", "application/jsonlines", "application/jsonlines")
    assert_predictions(got, expected_predictions(MIXED))


def test_mixed_unknown_input_key_is_400(servers):
    num, cat = mixed_record(zoo_rows(MIXED)[0])
    body = json.dumps({"instances": [{"num": num, "cat": cat}, {"num": num, "colour": cat}]})
    status, _, data = servers[MIXED].invoke(body, content_type="application/json")
    assert status == 400
    error = json.loads(data)
    assert error["code"] == "unknown_input"
    assert error["row"] == 2
    assert error["got"] == "colour"
    assert "'colour'" in error["message"] and "'num'" in error["message"] and "'cat'" in error["message"]


def test_mixed_missing_input_key_is_400(servers):
    num, _ = mixed_record(zoo_rows(MIXED)[0])
    status, _, data = servers[MIXED].invoke(json.dumps({"instances": [{"num": num}]}),
                                            content_type="application/json")
    assert status == 400
    error = json.loads(data)
    assert error["code"] == "missing_input"
    assert "cat" in error["message"]


def test_mixed_number_in_a_float_column_must_parse(servers):
    # Column 2 belongs to the float input: a word there names the row and column.
    status, _, data = servers[MIXED].invoke("0.1,0.2,0.3,0.4,blue,XL\n0.1,oops,0.3,0.4,blue,XL\n")
    assert status == 400
    error = json.loads(data)
    assert error["code"] == "bad_cell"
    assert (error["row"], error["column"]) == (2, 2)
    assert error["got"] == "oops"


# --- ZipMap classifiers --------------------------------------------------------------------------------

@pytest.mark.parametrize("model", ZIPMAPS)
@pytest.mark.parametrize("accept", ["application/json", "text/csv", "application/jsonlines"])
def test_zipmap_csv(servers, model, accept):
    got = invoke_ok(servers[model], "\n".join(zoo_rows(model)), "text/csv", accept)
    assert_predictions(got, expected_predictions(model))


@pytest.mark.parametrize("model", ZIPMAPS)
def test_zipmap_json_instances(servers, model):
    body = '{"instances": [' + ",".join("[" + r + "]" for r in zoo_rows(model)) + "]}"
    got = invoke_ok(servers[model], body, "application/json")
    assert_predictions(got, expected_predictions(model))


def test_iris_zipmap_labels_are_strings(servers):
    model = "iris-logreg-zipmap"
    status, _, data = servers[model].invoke(zoo_rows(model)[0], accept="application/json")
    assert status == 200
    (record,) = json.loads(data)["predictions"]
    assert record["label"] in ("setosa", "versicolor", "virginica")
    assert len(record["probabilities"]) == 3
