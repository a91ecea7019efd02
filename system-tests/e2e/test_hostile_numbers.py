"""Numbers that are not numbers, over real requests: the strict cell grammar (docs/reliability.md#numbers),
and what missing values mean for models that handle them (trees) and models that do not (linear)."""
from __future__ import annotations

import json

import pytest

from conftest import zoo_model_dir, zoo_rows

LINEAR = "breast-cancer-logreg"
TREES = "breast-cancer-random-forest"


def serve(start_server, tmp_path, model):
    return start_server(["--model-dir", str(zoo_model_dir(tmp_path, model)), "--workers", "1"])


@pytest.mark.parametrize("cell", ["0x1p3", "1e400", "1\x00", "1\x005", "inf", "-Infinity", "1e39", "1,5"])
def test_cells_outside_the_grammar_are_400_naming_the_cell(start_server, tmp_path, cell):
    server = serve(start_server, tmp_path, LINEAR)
    cells = zoo_rows(LINEAR)[0].split(",")
    cells[3] = cell
    status, _, body = server.invoke(",".join(cells))
    if cell == "1,5":
        # A comma splits the cell: one value too many.
        assert status == 400 and json.loads(body)["code"] == "wrong_feature_count"
        return
    error = json.loads(body)
    assert status == 400 and error["code"] == "bad_cell", body
    assert (error["row"], error["column"]) == (1, 4)
    assert error["request_id"]


def test_json_numbers_out_of_range_are_400(start_server, tmp_path):
    server = serve(start_server, tmp_path, LINEAR)
    row = zoo_rows(LINEAR)[0].split(",")
    body = '{"instances": [[' + ",".join(["1e400"] + row[1:]) + "]]}"
    status, _, data = server.invoke(body, content_type="application/json")
    assert status == 400 and "out of range" in json.loads(data)["message"]


@pytest.mark.parametrize("missing", ["", "nan", "NaN"])
def test_missing_values_are_refused_by_a_linear_model_and_answered_by_trees(start_server, tmp_path, missing):
    linear = serve(start_server, tmp_path / "linear", LINEAR)
    cells = zoo_rows(LINEAR)[0].split(",")
    cells[0] = missing
    status, _, body = linear.invoke(",".join(cells), accept="application/json")
    error = json.loads(body)
    assert status == 400 and error["code"] == "missing_values_unsupported" and error["row"] == 1, body

    trees = serve(start_server, tmp_path / "trees", TREES)
    status, _, body = trees.invoke(",".join(cells), accept="application/json")
    assert status == 200, body
    prediction = json.loads(body)["predictions"][0]
    assert all(p is not None for p in prediction["probabilities"]), prediction
