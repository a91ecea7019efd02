"""`tandem run` and `tandem inspect`: a model checked without a server, as a user does before deploying.

The TensorProto files are written and read with the onnx package itself, so the layout is the ONNX
backend tests' own; the --csv answer must equal what /invocations answers for the same body.
"""
from __future__ import annotations

import json
import pathlib

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from conftest import REPO, run_tandem, zoo_rows

ZOO = REPO / "fixtures" / "zoo"


def write_model(path: pathlib.Path, nodes, inputs, outputs, opset=17, initializers=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    path.write_bytes(model.SerializeToString())


def test_run_writes_outputs_in_graph_order(tmp_path):
    model = tmp_path / "model.onnx"
    write_model(model, [helper.make_node("Add", ["a", "b"], ["sum"]), helper.make_node("Mul", ["a", "b"], ["product"])],
                [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 3]),
                 helper.make_tensor_value_info("b", TensorProto.FLOAT, [2, 3])],
                [helper.make_tensor_value_info("product", TensorProto.FLOAT, [2, 3]),
                 helper.make_tensor_value_info("sum", TensorProto.FLOAT, [2, 3])])
    inputs = tmp_path / "in"
    inputs.mkdir()
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.full((2, 3), 2.5, dtype=np.float32)
    (inputs / "input_0.pb").write_bytes(numpy_helper.from_array(a, "a").SerializeToString())
    (inputs / "input_1.pb").write_bytes(numpy_helper.from_array(b, "b").SerializeToString())
    out = tmp_path / "out"
    proc = run_tandem("run", str(model), "--inputs", str(inputs), "--output-dir", str(out))
    assert proc.returncode == 0, proc.stderr
    got = [numpy_helper.to_array(onnx.load_tensor(str(out / f"output_{k}.pb"))) for k in range(2)]
    np.testing.assert_array_equal(got[0], a * b)
    np.testing.assert_array_equal(got[1], a + b)


def test_run_fails_with_the_reason(tmp_path):
    model = tmp_path / "model.onnx"
    write_model(model, [helper.make_node("Add", ["a", "b"], ["sum"])],
                [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2]),
                 helper.make_tensor_value_info("b", TensorProto.FLOAT, [2])],
                [helper.make_tensor_value_info("sum", TensorProto.FLOAT, [2])])
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "input_0.pb").write_bytes(numpy_helper.from_array(np.ones(2, np.float32), "a").SerializeToString())
    (inputs / "input_1.pb").write_bytes(numpy_helper.from_array(np.ones(3, np.float32), "b").SerializeToString())
    proc = run_tandem("run", str(model), "--inputs", str(inputs), "--output-dir", str(tmp_path / "out"))
    assert proc.returncode != 0
    assert "cannot be broadcast" in proc.stderr or "shape" in proc.stderr, proc.stderr
    proc = run_tandem("run", str(tmp_path / "missing.onnx"), "--inputs", str(inputs), "--output-dir", str(tmp_path / "o"))
    assert proc.returncode != 0 and "cannot read model file" in proc.stderr


def test_run_csv_prints_what_invocations_answers(start_server, tmp_path):
    model = ZOO / "breast-cancer-logreg" / "v1" / "model.onnx"
    body = "\n".join(zoo_rows("breast-cancer-logreg")[:3]) + "\n"
    rows = tmp_path / "rows.csv"
    rows.write_text(body)
    proc = run_tandem("run", str(model), "--csv", str(rows))
    assert proc.returncode == 0, proc.stderr
    server = start_server(["--model-dir", str(model.parent)])
    status, _, answer = server.invoke(body)
    assert status == 200
    assert json.loads(proc.stdout) == json.loads(answer)
    proc = run_tandem("run", str(model), "--csv", str(rows), "--accept", "text/csv")
    assert proc.returncode == 0 and len(proc.stdout.strip().splitlines()) == 3


def test_inspect_lists_signature_opsets_and_operators():
    proc = run_tandem("inspect", str(ZOO / "digits-mlp" / "v1" / "model.onnx"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "input: tensor(float)[?,64]" in out
    assert "ai.onnx.ml 1" in out and "ai.onnx " in out
    assert "ai.onnx.MatMul" in out and "x2" in out
    assert "loads: yes" in out


def test_inspect_and_load_list_every_missing_operator(tmp_path):
    model = tmp_path / "model.onnx"
    write_model(model, [helper.make_node("Add", ["x", "x"], ["y"]),
                        helper.make_node("NoSuchOp", ["y"], ["z"]),
                        helper.make_node("AnotherMissingOp", ["z"], ["w"], domain="com.example")],
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                [helper.make_tensor_value_info("w", TensorProto.FLOAT, [1])])
    proc = run_tandem("inspect", str(model))
    assert proc.returncode == 1
    assert "ai.onnx.Add" in proc.stdout and "supported" in proc.stdout
    assert "ai.onnx.NoSuchOp" in proc.stdout and "UNSUPPORTED: not implemented" in proc.stdout
    assert "com.example.AnotherMissingOp" in proc.stdout and "domain com.example is not supported" in proc.stdout
    assert "needs 2 operators Tandem does not support" in proc.stdout


def test_unsupported_element_type_names_the_tensor(tmp_path):
    model = tmp_path / "model.onnx"
    write_model(model, [helper.make_node("Add", ["x", "x"], ["y"])],
                [helper.make_tensor_value_info("x", TensorProto.FLOAT16, [1])],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [1])])
    proc = run_tandem("inspect", str(model))
    assert proc.returncode == 1
    assert "graph input 'x'" in proc.stdout and "float16" in proc.stdout
    weights = numpy_helper.from_array(np.ones(2, np.float16), "w")
    write_model(model, [helper.make_node("Add", ["x", "w"], ["y"])],
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])], initializers=[weights])
    proc = run_tandem("inspect", str(model))
    assert proc.returncode == 1 and "initializer 'w'" in proc.stdout and "float16" in proc.stdout
