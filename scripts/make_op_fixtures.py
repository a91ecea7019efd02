#!/usr/bin/env python3
"""Builds small ONNX models for operators and corner cases the zoo does not cover, runs them
with onnxruntime (the reference oracle) and writes <case>.onnx + <case>.json under
Tests/TandemONNXTests/Fixtures/ops/. Tests read only the committed files; Python is needed
only to regenerate them:

    pip install onnxruntime==1.31.1 onnx==1.23.2 numpy
    python3 scripts/make_op_fixtures.py
"""
import json
import math
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "TandemONNXTests", "Fixtures", "ops")
ML = "ai.onnx.ml"
rng = np.random.RandomState(7)


def tinfo(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def model(name, nodes, inputs, outputs, opsets, initializers=(), ir=10):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets], producer_name="tandem-fixtures")
    m.ir_version = ir
    return m


def encode(value):
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return {"type": "maps", "data": [{str(k): float(v) for k, v in row.items()} for row in value]}
    arr = np.asarray(value)
    if arr.dtype.kind in "US" or arr.dtype == object:
        return {"type": "string", "shape": list(arr.shape), "data": [str(v) for v in arr.reshape(-1)]}
    kind = {"f": "float" if arr.dtype == np.float32 else "double", "i": "int64" if arr.dtype == np.int64 else "int32", "b": "bool"}[arr.dtype.kind]
    data = arr.reshape(-1).tolist()
    if kind in ("float", "double"):
        data = [None if math.isnan(v) else v for v in data]
    return {"type": kind, "shape": list(arr.shape), "data": data}


def emit(case, m, feeds, note):
    onnx.checker.check_model(m)
    path = os.path.join(OUT, case + ".onnx")
    onnx.save(m, path)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    results = sess.run(names, feeds)
    doc = {
        "case": case,
        "note": note,
        "onnxruntime": ort.__version__,
        "inputs": {k: encode(v) for k, v in feeds.items()},
        "outputs": {n: encode(r) for n, r in zip(names, results)},
    }
    with open(os.path.join(OUT, case + ".json"), "w") as f:
        json.dump(doc, f, indent=1)
    print(case, {n: np.asarray(r).shape if not isinstance(r, list) else len(r) for n, r in zip(names, results)})


def svm_classifier(case, kernel, params, k, proba, features=3, vectors_per_class=(2, 3, 2), linear_mode=False, labels_str=False, post="NONE"):
    vpc = list(vectors_per_class[:k])
    v = sum(vpc)
    attrs = dict(kernel_type=kernel, kernel_params=params, post_transform=post)
    if linear_mode:
        attrs.update(coefficients=rng.randn(k * features).astype(np.float32).tolist(), rho=[0.1 * (i + 1) for i in range(k)])
    else:
        attrs.update(
            vectors_per_class=vpc,
            support_vectors=rng.randn(v * features).astype(np.float32).tolist(),
            coefficients=rng.randn((k - 1) * v).astype(np.float32).tolist(),
            rho=rng.randn(k * (k - 1) // 2).astype(np.float32).tolist(),
        )
        if proba:
            attrs.update(prob_a=(-rng.rand(k * (k - 1) // 2) - 0.5).astype(np.float32).tolist(),
                         prob_b=(rng.randn(k * (k - 1) // 2) * 0.1).astype(np.float32).tolist())
    if labels_str:
        attrs["classlabels_strings"] = ["c%d" % i for i in range(k)]
        ltype = TensorProto.STRING
    else:
        attrs["classlabels_ints"] = [10 + i for i in range(k)]
        ltype = TensorProto.INT64
    node = helper.make_node("SVMClassifier", ["X"], ["label", "scores"], domain=ML, **attrs)
    m = model(case, [node], [tinfo("X", TensorProto.FLOAT, [None, features])],
              [tinfo("label", ltype, [None]), tinfo("scores", TensorProto.FLOAT, [None, None])], [("", 13), (ML, 1)])
    x = rng.randn(12, features).astype(np.float32)
    emit(case, m, {"X": x}, f"SVMClassifier {kernel} k={k} proba={proba} linear_mode={linear_mode} post={post}")


def svm_regressor(case, kernel, params, one_class=0, linear_mode=False, features=4):
    n = 5
    attrs = dict(kernel_type=kernel, kernel_params=params, one_class=one_class, rho=[0.3])
    if linear_mode:
        attrs.update(coefficients=rng.randn(features).astype(np.float32).tolist(), n_supports=0)
    else:
        attrs.update(n_supports=n, support_vectors=rng.randn(n * features).astype(np.float32).tolist(),
                     coefficients=rng.randn(n).astype(np.float32).tolist())
    node = helper.make_node("SVMRegressor", ["X"], ["variable"], domain=ML, **attrs)
    m = model(case, [node], [tinfo("X", TensorProto.FLOAT, [None, features])], [tinfo("variable", TensorProto.FLOAT, [None, 1])], [("", 13), (ML, 1)])
    emit(case, m, {"X": rng.randn(10, features).astype(np.float32)}, f"SVMRegressor {kernel} one_class={one_class} linear_mode={linear_mode}")


def tree_ensemble_v5(case, dtype, aggregate, post, n_targets=2):
    # Tree 0: node0 x0 <= 0.5 ? node1 : leaf0 ; node1 x1 in {1,3,5} (MEMBER) ? leaf1 : leaf2
    # Tree 1: node2 x2 < 0 (LT, NaN -> true) ? leaf3 : node3 ; node3 x0 != 2 (NEQ) ? leaf4 : leaf5
    # Tree 2: one-leaf tree: node4 (GTE) with both branches at leaf6
    np_t = np.float32 if dtype == TensorProto.FLOAT else np.float64
    splits = np.array([0.5, 0.0, 0.0, 2.0, 1.0], dtype=np_t)
    modes = np.array([0, 6, 1, 5, 2], dtype=np.uint8)
    node = helper.make_node(
        "TreeEnsemble", ["X"], ["Y"], domain=ML,
        n_targets=n_targets, aggregate_function=aggregate, post_transform=post,
        tree_roots=[0, 2, 4],
        nodes_featureids=[0, 1, 2, 0, 1],
        nodes_splits=numpy_helper.from_array(splits),
        nodes_modes=numpy_helper.from_array(modes),
        nodes_truenodeids=[1, 1, 3, 4, 6], nodes_trueleafs=[0, 1, 1, 1, 1],
        nodes_falsenodeids=[0, 2, 3, 5, 6], nodes_falseleafs=[1, 1, 0, 1, 1],
        nodes_missing_value_tracks_true=[0, 0, 1, 0, 0],
        membership_values=numpy_helper.from_array(np.array([1, 3, 5, np.nan], dtype=np_t)),
        leaf_targetids=[min(t, n_targets - 1) for t in [0, 1, 0, 1, 0, 1, 0]],
        leaf_weights=numpy_helper.from_array(np.array([1.5, -2.0, 0.25, 4.0, -1.0, 0.75, 10.0], dtype=np_t)),
    )
    m = model(case, [node], [tinfo("X", dtype, [None, 3])], [tinfo("Y", dtype, [None, n_targets])], [("", 21), (ML, 5)])
    x = np.array([[0.0, 1.0, -1.0], [0.5, 3.0, 0.0], [0.6, 2.0, 1.0], [2.0, 5.0, np.nan], [np.nan, 3.0, -5.0],
                  [0.5, np.nan, np.nan], [-1.0, 4.0, 0.5], [3.0, 1.0, -0.1]], dtype=np_t)
    emit(case, m, {"X": x}, f"TreeEnsemble v5 aggregate={aggregate} post={post}")


def tree_classifier(case, k, post, base_values, both_classes=False, strings=False):
    # Two trees of depth 1 over features 0 and 1; leaves vote per class.
    nodes = dict(nodes_treeids=[0, 0, 0, 1, 1, 1], nodes_nodeids=[0, 1, 2, 0, 1, 2],
                 nodes_featureids=[0, 0, 0, 1, 0, 0], nodes_values=[0.5, 0, 0, -0.25, 0, 0],
                 nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_GT", "LEAF", "LEAF"],
                 nodes_truenodeids=[1, 0, 0, 1, 0, 0], nodes_falsenodeids=[2, 0, 0, 2, 0, 0])
    if k == 2 and not both_classes:
        votes = dict(class_treeids=[0, 0, 1, 1], class_nodeids=[1, 2, 1, 2], class_ids=[0, 0, 0, 0], class_weights=[0.3, -0.6, 0.9, -0.2])
    else:
        cid = lambda i: i % k
        votes = dict(class_treeids=[0, 0, 0, 1, 1, 1], class_nodeids=[1, 1, 2, 1, 2, 2],
                     class_ids=[cid(0), cid(1), cid(2), cid(1), cid(0), cid(2)], class_weights=[0.8, 0.2, 0.5, 0.4, -0.3, 0.6])
    attrs = dict(post_transform=post, **nodes, **votes)
    if base_values is not None:
        attrs["base_values"] = base_values
    if strings:
        attrs["classlabels_strings"] = ["k%d" % i for i in range(k)]
    else:
        attrs["classlabels_int64s"] = list(range(100, 100 + k))
    node = helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "scores"], domain=ML, **attrs)
    m = model(case, [node], [tinfo("X", TensorProto.FLOAT, [None, 2])],
              [tinfo("label", TensorProto.STRING if strings else TensorProto.INT64, [None]), tinfo("scores", TensorProto.FLOAT, [None, k])],
              [("", 13), (ML, 1)])
    x = np.array([[0.0, 0.0], [1.0, -1.0], [0.5, -0.25], [0.6, 0.3], [np.nan, np.nan], [-3, 2]], dtype=np.float32)
    emit(case, m, {"X": x}, f"TreeEnsembleClassifier k={k} post={post} base={base_values} both={both_classes}")


def tree_regressor(case, aggregate, base_values, n_targets=1, post="NONE"):
    attrs = dict(nodes_treeids=[0, 0, 0, 1, 1, 1], nodes_nodeids=[0, 1, 2, 0, 1, 2],
                 nodes_featureids=[0, 0, 0, 1, 0, 0], nodes_values=[0.5, 0, 0, 1.0, 0, 0],
                 nodes_modes=["BRANCH_LT", "LEAF", "LEAF", "BRANCH_GTE", "LEAF", "LEAF"],
                 nodes_truenodeids=[1, 0, 0, 1, 0, 0], nodes_falsenodeids=[2, 0, 0, 2, 0, 0],
                 nodes_missing_value_tracks_true=[1, 0, 0, 0, 0, 0],
                 target_treeids=[0, 0, 1, 1], target_nodeids=[1, 2, 1, 2], target_ids=[0, (n_targets - 1), 0, (n_targets - 1)],
                 target_weights=[10.0, 20.0, 1.0, 2.0], n_targets=n_targets, aggregate_function=aggregate, post_transform=post)
    if base_values is not None:
        attrs["base_values"] = base_values
    node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, **attrs)
    m = model(case, [node], [tinfo("X", TensorProto.FLOAT, [None, 2])], [tinfo("Y", TensorProto.FLOAT, [None, n_targets])], [("", 13), (ML, 1)])
    x = np.array([[0.0, 0.0], [1.0, 2.0], [0.5, 1.0], [np.nan, 0.5], [0.4, np.nan]], dtype=np.float32)
    emit(case, m, {"X": x}, f"TreeEnsembleRegressor {aggregate} base={base_values} targets={n_targets} post={post}")


def main():
    os.makedirs(OUT, exist_ok=True)
    # SVMs.
    svm_classifier("svm_classifier_rbf_proba", "RBF", [0.5, 0.0, 3.0], 3, True)
    svm_classifier("svm_classifier_poly_votes", "POLY", [0.3, 1.0, 3.0], 3, False, labels_str=True)
    svm_classifier("svm_classifier_sigmoid_binary", "SIGMOID", [0.2, 0.1, 0.0], 2, False)
    svm_classifier("svm_classifier_linear_binary_proba", "LINEAR", [0.0, 0.0, 0.0], 2, True)
    svm_classifier("svm_classifier_rbf_binary_logistic", "RBF", [0.7, 0.0, 0.0], 2, False, post="LOGISTIC")
    svm_classifier("svm_classifier_liblinear", "LINEAR", [0.0, 0.0, 0.0], 3, False, linear_mode=True)
    svm_regressor("svm_regressor_rbf", "RBF", [0.4, 0.0, 0.0])
    svm_regressor("svm_regressor_poly", "POLY", [0.5, 1.0, 2.0])
    svm_regressor("svm_regressor_one_class", "RBF", [0.4, 0.0, 0.0], one_class=1)
    svm_regressor("svm_regressor_linear_mode", "LINEAR", [0.0, 0.0, 0.0], linear_mode=True)
    # TreeEnsemble v5.
    tree_ensemble_v5("tree_ensemble_v5_sum", TensorProto.FLOAT, 1, 0)
    tree_ensemble_v5("tree_ensemble_v5_average_logistic", TensorProto.FLOAT, 0, 2)
    tree_ensemble_v5("tree_ensemble_v5_min_double", TensorProto.DOUBLE, 2, 0)
    tree_ensemble_v5("tree_ensemble_v5_max_softmax", TensorProto.FLOAT, 3, 1)
    tree_ensemble_v5("tree_ensemble_v5_one_target", TensorProto.FLOAT, 1, 0, n_targets=1)
    # Tree classifier / regressor corners.
    tree_classifier("tree_classifier_multiclass_softmax", 3, "SOFTMAX", [0.1, -0.2, 0.05])
    tree_classifier("tree_classifier_multiclass_none_strings", 3, "NONE", None, strings=True)
    tree_classifier("tree_classifier_binary_mixed_logistic", 2, "LOGISTIC", [0.25])
    tree_classifier("tree_classifier_binary_mixed_none", 2, "NONE", None)
    tree_classifier("tree_classifier_binary_both_classes", 2, "NONE", None, both_classes=True)
    tree_regressor("tree_regressor_average_base", "AVERAGE", [100.0])
    tree_regressor("tree_regressor_min", "MIN", [100.0])
    tree_regressor("tree_regressor_max", "MAX", None)
    tree_regressor("tree_regressor_two_targets_sum", "SUM", [1.0, -1.0], n_targets=2)

    # MLP at old opsets (IR 4): Cast 9, MatMul 9, Add 7, Tanh 6, Softmax 1, ArgMax 1, label lookup, Reshape 5, Identity 1.
    w1 = rng.randn(5, 4).astype(np.float32); b1 = rng.randn(1, 4).astype(np.float32)
    w2 = rng.randn(4, 3).astype(np.float32); b2 = rng.randn(1, 3).astype(np.float32)
    inits = [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(b1, "b1"), numpy_helper.from_array(w2, "w2"),
             numpy_helper.from_array(b2, "b2"), numpy_helper.from_array(np.array([7, 8, 9], dtype=np.int64), "classes"),
             numpy_helper.from_array(np.array([-1], dtype=np.int64), "shape")]
    nodes = [helper.make_node("Cast", ["input"], ["c"], to=TensorProto.FLOAT),
             helper.make_node("MatMul", ["c", "w1"], ["m1"]), helper.make_node("Add", ["m1", "b1"], ["a1"]),
             helper.make_node("Tanh", ["a1"], ["h"]), helper.make_node("MatMul", ["h", "w2"], ["m2"]),
             helper.make_node("Add", ["m2", "b2"], ["a2"]), helper.make_node("Softmax", ["a2"], ["sm"]),
             helper.make_node("Identity", ["sm"], ["probabilities"]), helper.make_node("ArgMax", ["probabilities"], ["am"], axis=1),
             helper.make_node("ArrayFeatureExtractor", ["classes", "am"], ["lab"], domain=ML),
             helper.make_node("Reshape", ["lab", "shape"], ["label"])]
    m = model("mlp_tanh_opset9", nodes, [tinfo("input", TensorProto.FLOAT, [None, 5])],
              [tinfo("label", TensorProto.INT64, [None]), tinfo("probabilities", TensorProto.FLOAT, [None, 3])], [("", 9), (ML, 1)], inits, ir=4)
    emit("mlp_tanh_opset9", m, {"input": rng.randn(9, 5).astype(np.float32) * 3}, "tanh MLP exported at default opset 9, IR 4")

    # Softmax v1 (2-D coercion) vs v13 (one axis) on a 3-D input: different results.
    x3 = rng.randn(2, 3, 4).astype(np.float32)
    for case, opset in [("softmax_v1_axis1_3d", 9), ("softmax_v13_axis1_3d", 13)]:
        m = model(case, [helper.make_node("Softmax", ["X"], ["Y"], axis=1)], [tinfo("X", TensorProto.FLOAT, [2, 3, 4])],
                  [tinfo("Y", TensorProto.FLOAT, [2, 3, 4])], [("", opset)])
        emit(case, m, {"X": x3}, f"Softmax axis=1 at opset {opset}")
    m = model("softmax_huge", [helper.make_node("Softmax", ["X"], ["Y"])], [tinfo("X", TensorProto.FLOAT, [None, 3])],
              [tinfo("Y", TensorProto.FLOAT, [None, 3])], [("", 13)])
    emit("softmax_huge", m, {"X": np.array([[1e30, 0, -1e30], [-1e30, -1e30, -1e30], [1, 2, 3]], dtype=np.float32)}, "max-subtracted softmax")

    # Gather: negative indices, scalar index, axis 0.
    data = np.arange(20, dtype=np.float32).reshape(4, 5)
    m = model("gather_negative", [helper.make_node("Gather", ["X", "I"], ["Y"], axis=1),
                                  helper.make_node("Gather", ["X", "S"], ["Z"], axis=1),
                                  helper.make_node("Gather", ["X", "R"], ["W"], axis=0)],
              [tinfo("X", TensorProto.FLOAT, [4, 5])],
              [tinfo("Y", TensorProto.FLOAT, [4, 3]), tinfo("Z", TensorProto.FLOAT, [4]), tinfo("W", TensorProto.FLOAT, [1, 2, 5])], [("", 13)],
              [numpy_helper.from_array(np.array([-1, 0, -5], dtype=np.int64), "I"), numpy_helper.from_array(np.array(-2, dtype=np.int64), "S"),
               numpy_helper.from_array(np.array([[3, -4]], dtype=np.int64), "R")])
    emit("gather_negative", m, {"X": data}, "Gather with negative, scalar and 2-D indices")

    # ArgMax ties, NaN, keepdims=0, select_last_index.
    xa = np.array([[1, 3, 3], [np.nan, 1, 2], [1, np.nan, 2], [2, 2, 2]], dtype=np.float32)
    m = model("argmax_variants", [helper.make_node("ArgMax", ["X"], ["A"], axis=1),
                                  helper.make_node("ArgMax", ["X"], ["B"], axis=-1, keepdims=0, select_last_index=1),
                                  helper.make_node("ArgMax", ["X"], ["C"], axis=0, keepdims=0)],
              [tinfo("X", TensorProto.FLOAT, [4, 3])],
              [tinfo("A", TensorProto.INT64, [4, 1]), tinfo("B", TensorProto.INT64, [4]), tinfo("C", TensorProto.INT64, [3])], [("", 13)])
    emit("argmax_variants", m, {"X": xa}, "ArgMax first/last index, NaN, keepdims")

    # OneHotEncoder with integer categories on float input (zeros=1) and Normalizer variants.
    m = model("onehot_int_categories", [helper.make_node("OneHotEncoder", ["X"], ["Y"], domain=ML, cats_int64s=[3, 1, 7], zeros=1)],
              [tinfo("X", TensorProto.FLOAT, [None, 2])], [tinfo("Y", TensorProto.FLOAT, [None, 2, 3])], [("", 13), (ML, 1)])
    emit("onehot_int_categories", m, {"X": np.array([[3, 1.9], [7, 5], [-1, 1]], dtype=np.float32)}, "OneHotEncoder cats_int64s, float input cast to int")
    xn = np.array([[-2, -1, -1], [3, -4, 0], [0, 0, 0], [1, 2, 3]], dtype=np.float32)
    for norm in ["MAX", "L1", "L2"]:
        case = "normalizer_" + norm.lower()
        m = model(case, [helper.make_node("Normalizer", ["X"], ["Y"], domain=ML, norm=norm)],
                  [tinfo("X", TensorProto.FLOAT, [None, 3])], [tinfo("Y", TensorProto.FLOAT, [None, 3])], [("", 13), (ML, 1)])
        emit(case, m, {"X": xn}, f"Normalizer {norm} with signs and a zero row")

    # LinearClassifier corners: one coefficient row, SOFTMAX_ZERO; LinearRegressor with 2 targets; Scaler broadcast of length 1.
    for post in ["LOGISTIC", "NONE"]:
        case = "linear_classifier_one_row_" + post.lower()
        m = model(case, [helper.make_node("LinearClassifier", ["X"], ["label", "scores"], domain=ML, coefficients=[1.0], intercepts=[0.0],
                                          classlabels_ints=[4, 9], post_transform=post)],
                  [tinfo("X", TensorProto.FLOAT, [None, 1])], [tinfo("label", TensorProto.INT64, [None]), tinfo("scores", TensorProto.FLOAT, [None, 2])],
                  [("", 13), (ML, 1)])
        emit(case, m, {"X": np.array([[-2], [0], [0.5], [3]], dtype=np.float32)}, f"LinearClassifier E=1 {post}")
    m = model("linear_classifier_softmax_zero", [helper.make_node("LinearClassifier", ["X"], ["label", "scores"], domain=ML,
                                                                  coefficients=[1.0, 0.0, 0.0, 1.0, 0.0, 0.0], intercepts=[0.0, 0.0, 0.0],
                                                                  classlabels_strings=["a", "b", "c"], post_transform="SOFTMAX_ZERO")],
              [tinfo("X", TensorProto.FLOAT, [None, 2])], [tinfo("label", TensorProto.STRING, [None]), tinfo("scores", TensorProto.FLOAT, [None, 3])],
              [("", 13), (ML, 1)])
    emit("linear_classifier_softmax_zero", m, {"X": np.array([[1, 2], [0, 3], [-1, 0.5]], dtype=np.float32)}, "SOFTMAX_ZERO keeps exact zeros")
    m = model("linear_regressor_two_targets_scaler", [
        helper.make_node("Scaler", ["X"], ["S"], domain=ML, offset=[1.0], scale=[0.5]),
        helper.make_node("LinearRegressor", ["S"], ["Y"], domain=ML, coefficients=[1.0, 2.0, 3.0, -1.0, 0.5, 0.25], intercepts=[0.5, -0.5], targets=2)],
        [tinfo("X", TensorProto.DOUBLE, [None, 3])], [tinfo("Y", TensorProto.FLOAT, [None, 2])], [("", 13), (ML, 1)])
    emit("linear_regressor_two_targets_scaler", m, {"X": rng.randn(5, 3)}, "Scaler with length-1 offset/scale on double input, LinearRegressor 2 targets")

    # Concat (negative axis) + Reshape (0 and -1) + Cast float->int64 truncation + Mul/Add broadcasting.
    m = model("shape_ops", [
        helper.make_node("Concat", ["A", "B"], ["C"], axis=-1),
        helper.make_node("Reshape", ["C", "shape"], ["R"]),
        helper.make_node("Cast", ["R"], ["I"], to=TensorProto.INT64),
        helper.make_node("Mul", ["A", "k"], ["M"]),
        helper.make_node("Add", ["M", "col"], ["P"])],
        [tinfo("A", TensorProto.FLOAT, [2, 3]), tinfo("B", TensorProto.FLOAT, [2, 1])],
        [tinfo("R", TensorProto.FLOAT, [2, 4]), tinfo("I", TensorProto.INT64, [2, 4]), tinfo("P", TensorProto.FLOAT, [2, 3])], [("", 13)],
        [numpy_helper.from_array(np.array([0, -1], dtype=np.int64), "shape"), numpy_helper.from_array(np.array(2.5, dtype=np.float32), "k"),
         numpy_helper.from_array(np.array([[1.0], [-1.0]], dtype=np.float32), "col")])
    emit("shape_ops", m, {"A": np.array([[1.7, -1.7, 2.5], [0.2, -0.9, 7.99]], dtype=np.float32), "B": np.array([[3.0], [-4.5]], dtype=np.float32)},
         "Concat axis=-1, Reshape [0,-1], Cast truncation, scalar and column broadcasting")


if __name__ == "__main__":
    main()
