"""Real exports served over HTTP answer like onnxruntime (issue 8, "Real exports").

For every artifact in fixtures/zoo/breadth.json (made by scripts/zoo/make_breadth_zoo.py): serve its
model.onnx with `tandem serve --model-dir`, POST every row of input.csv to /invocations (as one CSV
batch, one row per request, and as JSON records: keyed by input name for multi-input models), and
compare each record with onnxruntime's outputs in expected.json: labels exact, numbers within the
tolerance meta.json gives (1e-5 absolute or 1e-4 relative unless it says why not). Also: `tandem
inspect` lists every op of every model as supported, and `tandem run --csv` answers as HTTP does.
"""
from __future__ import annotations

import json
import math
import pathlib

import pytest

from conftest import REPO, ZOO, KeepAliveClient, Server, run_tandem

INDEX = json.loads((ZOO / "breadth.json").read_text())
MODELS = [a["model"] for a in INDEX["artifacts"]]


def folder(model: str) -> pathlib.Path:
    return ZOO / model / "v1"


def meta(model: str) -> dict:
    return json.loads((folder(model) / "meta.json").read_text())


def expected(model: str) -> dict:
    return json.loads((folder(model) / "expected.json").read_text())


def rows(model: str) -> list[str]:
    return (folder(model) / "input.csv").read_text().splitlines()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """One server per model, started on first use (a model that fails to load fails its own tests)."""
    root = tmp_path_factory.mktemp("breadth")
    started: dict[str, Server] = {}
    loads: dict[str, tuple[bool, str]] = {}

    def get(model: str) -> Server:
        if model not in loads:
            # A model Tandem cannot load keeps the server unready (503) until the start timeout:
            # ask `tandem inspect` first and fail at once with its reason.
            result = run_tandem("inspect", str(folder(model) / "model.onnx"))
            loads[model] = (result.returncode == 0,
                            next((l for l in result.stdout.splitlines() if l.startswith("loads:")),
                                 result.stderr.strip()))
        ok, reason = loads[model]
        if not ok:
            pytest.fail(f"{model} does not load: {reason}", pytrace=False)
        if model not in started:
            directory = root / model
            directory.mkdir()
            (directory / "model.onnx").write_bytes((folder(model) / "model.onnx").read_bytes())
            started[model] = Server(["--model-dir", str(directory)])
        return started[model]

    yield get
    for server in started.values():
        server.stop()


# --- expected outputs, per record ------------------------------------------------------------------

def output_rows(spec: dict) -> list:
    """One entry per record: a scalar, a flat list, or a {class: p} dict (ZipMap)."""
    data = spec["data"]
    out = []
    for item in data:
        if isinstance(item, dict):
            out.append(list(item.values()))
        elif isinstance(item, list):
            flat = []
            stack = [item]
            while stack:  # flatten nested lists in order
                top = stack.pop(0)
                if isinstance(top, list):
                    stack = list(top) + stack
                else:
                    flat.append(top)
            out.append(flat[0] if len(flat) == 1 else flat)
        else:
            out.append(item)
    return out


def is_label(spec: dict) -> bool:
    return spec["type"] in ("tensor(int64)", "tensor(string)", "tensor(int32)")


def match_record_keys(record: dict, outputs: dict) -> dict[str, str]:
    """Which expected output each key of a response record stands for."""
    mapping: dict[str, str] = {}
    free = [n for n in outputs]
    for key in record:
        if key in outputs:
            mapping[key] = key
            free.remove(key)
    for key in record:
        if key in mapping:
            continue
        if key == "label":
            candidates = [n for n in free if is_label(outputs[n])]
        else:  # probabilities / scores / score: the (first) numeric output left
            candidates = [n for n in free if not is_label(outputs[n])]
        assert candidates, f"response key {key!r} matches no output of {list(outputs)}"
        mapping[key] = candidates[0]
        free.remove(candidates[0])
    assert not free, f"outputs {free} missing from the response record {sorted(record)}"
    return mapping


def close(got, want, tol: dict) -> bool:
    if isinstance(want, (str, bool)) or isinstance(got, str):
        return str(got) == str(want)
    if isinstance(want, int) and not isinstance(want, bool) and isinstance(got, int):
        return got == want
    if got is None:
        return False
    diff = abs(float(got) - float(want))
    return diff <= tol["abs"] or diff <= tol["rel"] * abs(float(want)) or (math.isnan(got) and math.isnan(want))


def assert_records(model: str, records: list[dict], first_row: int = 0):
    m, exp = meta(model), expected(model)
    outputs = exp["outputs"]
    per_output = {name: output_rows(spec) for name, spec in outputs.items()}
    labels = {name for name, spec in outputs.items() if is_label(spec)}
    tol = m["tolerance"]
    want_rows = len(per_output[next(iter(per_output))]) - first_row
    assert len(records) <= want_rows
    for i, record in enumerate(records):
        row = first_row + i
        mapping = match_record_keys(record, outputs)
        for key, name in mapping.items():
            got, want = record[key], per_output[name][row]
            if isinstance(got, dict):
                got = list(got.values())
            if not isinstance(want, list):
                want = [want]
            if not isinstance(got, list):
                got = [got]
            assert len(got) == len(want), f"{model} row {row + 1} {name}: {got} vs {want}"
            for j, (g, w) in enumerate(zip(got, want)):
                if name in labels:
                    ok = str(g) == str(w)
                else:
                    ok = close(g, w, tol)
                assert ok, (f"{model} row {row + 1} ({key} = output {name!r}) [{j}]: got {g!r}, "
                            f"onnxruntime {w!r} (tolerance {tol})")


def invoke_json(server: Server, body: str, content_type: str) -> list[dict]:
    status, _, data = server.invoke(body, content_type=content_type, accept="application/json")
    assert status == 200, data[:800]
    return json.loads(data)["predictions"]


# --- request bodies ---------------------------------------------------------------------------------

def json_record(model: str, line: str):
    """A row of input.csv as a JSON record: keyed by input name for multi-input models."""
    inputs = meta(model)["inputs"]
    cells = line.split(",")

    def value(cell: str, kind: str):
        if kind == "tensor(string)":
            return cell
        number = float(cell)
        return None if math.isnan(number) else number

    if len(inputs) == 1:
        return [value(c, inputs[0]["type"]) for c in cells]
    return {spec["name"]: [value(c, spec["type"]) for c in cells[spec["csv_columns"][0]:spec["csv_columns"][1]]]
            for spec in inputs}


# --- tests ------------------------------------------------------------------------------------------

def test_index_lists_every_breadth_folder():
    on_disk = {p.parent.parent.name for p in ZOO.glob("*/v1/meta.json") if "tolerance" in json.loads(p.read_text())}
    assert on_disk == set(MODELS)
    for model in MODELS:
        m = meta(model)
        assert (folder(model) / "model.onnx").stat().st_size == m["files"]["model.onnx"]["bytes"]
        assert len(rows(model)) == m["test_vectors"]["rows"] == expected(model)["rows"]


@pytest.mark.parametrize("model", MODELS)
def test_csv_batch_matches_onnxruntime(servers, model):
    records = invoke_json(servers(model), "\n".join(rows(model)) + "\n", "text/csv")
    assert len(records) == len(rows(model))
    assert_records(model, records)


@pytest.mark.parametrize("model", MODELS)
def test_one_row_per_request_matches_onnxruntime(servers, model):
    server = servers(model)
    client = KeepAliveClient(server)
    try:
        for row, line in enumerate(rows(model)):
            # A lone empty string (the text model's empty document) is quoted: an empty body is no record.
            body = (line if line.strip() else '""') + "\n"
            status, _, data = client.invoke(body, headers={"Accept": "application/json"})
            assert status == 200, f"row {row + 1}: {data[:800]}"
            assert_records(model, json.loads(data)["predictions"], first_row=row)
    finally:
        client.close()


@pytest.mark.parametrize("model", MODELS)
def test_json_instances_match_onnxruntime(servers, model):
    body = json.dumps({"instances": [json_record(model, line) for line in rows(model)]})
    records = invoke_json(servers(model), body, "application/json")
    assert len(records) == len(rows(model))
    assert_records(model, records)


@pytest.mark.parametrize("model", MODELS)
def test_inspect_lists_every_op_as_supported(model):
    result = run_tandem("inspect", str(folder(model) / "model.onnx"))
    listed = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1].startswith("x") and parts[1][1:].isdigit():
            listed[parts[0]] = " ".join(parts[2:])
    for op in meta(model)["ops"]:
        name = f"{'ai.onnx' if op['domain'] == 'ai.onnx' else op['domain']}.{op['op_type']}"
        candidates = [k for k in listed if k.endswith("." + op["op_type"]) and
                      (k == name or k == f".{op['op_type']}" or op["domain"] in k)]
        assert candidates, f"{model}: {name} not listed by tandem inspect:\n{result.stdout}"
        assert listed[candidates[0]] == "supported", f"{model}: {candidates[0]} {listed[candidates[0]]}"
    assert result.returncode == 0, result.stdout + result.stderr
    assert "loads: yes" in result.stdout


def test_run_csv_answers_as_http_does(servers, tmp_path):
    model = "churn-columns-gbc"  # two inputs, NaN and empty string cells
    csv = tmp_path / "input.csv"
    csv.write_text("\n".join(rows(model)) + "\n")
    result = run_tandem("run", str(folder(model) / "model.onnx"), "--csv", str(csv))
    assert result.returncode == 0, result.stderr
    offline = json.loads(result.stdout)["predictions"]
    http = invoke_json(servers(model), csv.read_text(), "text/csv")
    assert offline == http
    assert_records(model, offline)
