#!/usr/bin/env python3
"""Build the "breadth" zoo: real exports of the pipelines people ship, as fixtures.

Issue 8 asks that the models people actually export (skl2onnx pipelines with
imputers, one-hot encoders, KNN, naive Bayes, PCA, calibrated SVMs, ensembles,
a TF-IDF text classifier; CatBoost's own ONNX export; LightGBM and XGBoost
through onnxmltools; PyTorch through both of torch's exporters) load in Tandem
and answer like onnxruntime.  This script trains each one deterministically on
data that ships with scikit-learn or is synthesised with a fixed seed, exports
it the ordinary way, runs onnxruntime 1.31.1 (the oracle) on every test row,
and writes one folder per model in the zoo's layout (fixtures/zoo/README.md):

    fixtures/zoo/<model>/v1/
        model.onnx      the exported model
        input.csv       test rows, no header (multi-input: inputs side by side)
        expected.json   onnxruntime's outputs for every row
        meta.json       estimator, converter, inputs (csv_columns), outputs,
                        opsets, ops (domain, op, count), edge rows, tolerance

plus the index fixtures/zoo/breadth.json (kept apart from zoo.json, which the
Swift parity tests iterate).  onnxruntime is run on the whole batch and on
every row alone; the two must agree (meta.json records the largest difference)
so expected.json does not depend on the batch size.

Usage (versions pinned in requirements-breadth.txt beside this script):
    python3 -m venv .venv-zoo && .venv-zoo/bin/pip install -r scripts/zoo/requirements-breadth.txt
    .venv-zoo/bin/python scripts/zoo/make_breadth_zoo.py            # everything
    .venv-zoo/bin/python scripts/zoo/make_breadth_zoo.py --only knn-iris
PyTorch models are built only when torch imports (see requirements-breadth.txt).
"""

from __future__ import annotations

import os
import sys

# skl2onnx iterates Python sets of strings; a fixed hash seed keeps model.onnx
# byte-for-byte reproducible.
if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    os.execve(sys.executable, [sys.executable] + sys.argv,
              {**os.environ, "PYTHONHASHSEED": "0"})
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import hashlib
import json
import shutil
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import onnx
import onnxruntime as ort

warnings.filterwarnings("ignore")

SEED = 0
REPO = Path(__file__).resolve().parents[2]
ZOO = REPO / "fixtures" / "zoo"
LARGE = 1.0e6
DATA_ROWS = 150
# Tandem implements the default domain up to opset 22 and ai.onnx.ml up to 5.
MAX_OPSET = {"": 22, "ai.onnx": 22, "ai.onnx.ml": 5}
SKL_OPSET = {"": 21, "ai.onnx.ml": 3}
DEFAULT_TOLERANCE = {"abs": 1e-5, "rel": 1e-4}


@dataclass
class InputSpec:
    name: str
    kind: str  # "float" or "string"
    width: int


@dataclass
class Artifact:
    name: str
    description: str
    dataset: str
    estimator: str
    converter: str
    model: onnx.ModelProto
    inputs: list[InputSpec]
    feeds: list[np.ndarray]
    n_data_rows: int
    edge_rows: list[str]
    task: str = "classification"
    params: dict = field(default_factory=dict)
    nan_rows: bool = False
    tolerance: dict = field(default_factory=lambda: dict(DEFAULT_TOLERANCE))
    notes: list[str] = field(default_factory=list)
    version: str = "v1"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def library_versions() -> dict:
    import importlib
    out = {"python": sys.version.split()[0]}
    for mod, name in [("numpy", "numpy"), ("scipy", "scipy"), ("sklearn", "scikit-learn"),
                      ("skl2onnx", "skl2onnx"), ("onnx", "onnx"), ("onnxruntime", "onnxruntime"),
                      ("onnxmltools", "onnxmltools"), ("xgboost", "xgboost"),
                      ("lightgbm", "lightgbm"), ("catboost", "catboost"), ("torch", "torch"),
                      ("onnxscript", "onnxscript")]:
        try:
            out[name] = importlib.import_module(mod).__version__
        except Exception:
            pass
    return out


def f32_text(x) -> str:
    return str(np.float32(x))


def f32_json(x) -> float:
    v = np.float32(x)
    if not np.isfinite(v):
        raise ValueError(f"non-finite output {v!r}; JSON cannot hold it")
    return float(str(v))


def make_session(model: onnx.ModelProto) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])


def _elem(elem_type: int) -> str:
    return {1: "float", 11: "double", 7: "int64", 6: "int32", 8: "string", 9: "bool",
            2: "uint8", 3: "int8", 10: "float16"}.get(elem_type, str(elem_type))


def type_string(vi: onnx.ValueInfoProto) -> str:
    def fmt(t):
        which = t.WhichOneof("value")
        if which == "tensor_type":
            return f"tensor({_elem(t.tensor_type.elem_type)})"
        if which == "sequence_type":
            return f"seq({fmt(t.sequence_type.elem_type)})"
        if which == "map_type":
            return f"map({_elem(t.map_type.key_type)},{fmt(t.map_type.value_type)})"
        return which or "unknown"
    return fmt(vi.type)


def shape_of(vi: onnx.ValueInfoProto):
    t = vi.type
    if t.WhichOneof("value") != "tensor_type" or not t.tensor_type.HasField("shape"):
        return None
    dims = []
    for d in t.tensor_type.shape.dim:
        dims.append(d.dim_value if d.HasField("dim_value") else (d.dim_param or None))
    return dims


def iter_nodes(graph: onnx.GraphProto):
    for node in graph.node:
        yield node
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from iter_nodes(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for g in attr.graphs:
                    yield from iter_nodes(g)


def imported_opsets(model: onnx.ModelProto) -> dict:
    out = {}
    for o in model.opset_import:
        out[o.domain] = max(out.get(o.domain, 0), o.version)
    return out


def ops_used(model: onnx.ModelProto) -> list[dict]:
    """(domain, op, count) with the imported opset and the schema version that applies."""
    imported = imported_opsets(model)
    local_functions = {(f.domain, f.name) for f in model.functions}
    counts = Counter((n.domain, n.op_type) for n in iter_nodes(model.graph))
    for f in model.functions:  # ops inside model-local functions run too
        for n in f.node:
            counts[(n.domain, n.op_type)] += 0
    result = []
    for (domain, op_type), count in sorted(counts.items()):
        if (domain, op_type) in local_functions:
            continue
        try:
            since = onnx.defs.get_schema(op_type, max_inclusive_version=imported[domain],
                                         domain=domain).since_version
        except Exception:
            since = None
        result.append({"domain": domain or "ai.onnx", "op_type": op_type, "count": count,
                       "domain_opset": imported.get(domain), "schema_since_version": since})
    return result


def check_opsets(model: onnx.ModelProto, name: str) -> None:
    for domain, version in imported_opsets(model).items():
        limit = MAX_OPSET.get(domain)
        if limit is not None and version > limit:
            raise ValueError(f"{name}: imports {domain or 'ai.onnx'} {version} > {limit}")


def pick_rows(n_total: int, n_take: int = DATA_ROWS, seed: int = SEED) -> np.ndarray:
    return np.random.RandomState(seed).permutation(n_total)[: min(n_take, n_total)]


def basic_edges(n: int) -> tuple[list[np.ndarray], list[str]]:
    return ([np.zeros(n, np.float32), np.full(n, LARGE, np.float32), np.full(n, -LARGE, np.float32)],
            ["zeros", f"all {LARGE:g}", f"all {-LARGE:g}"])


def nan_edges(base: np.ndarray) -> tuple[list[np.ndarray], list[str]]:
    partial = base.astype(np.float32).copy()
    partial[::3] = np.nan
    return ([np.full(base.shape[0], np.nan, np.float32), partial],
            ["all NaN", "every third feature NaN (0, 3, 6, ...)"])


def stack(X_rows: np.ndarray, *groups) -> tuple[list[np.ndarray], int, list[str]]:
    rows = [X_rows.astype(np.float32)]
    labels: list[str] = []
    for g_rows, g_labels in groups:
        if g_rows:
            rows.append(np.vstack(g_rows).astype(np.float32))
            labels.extend(g_labels)
    return [np.vstack(rows)], X_rows.shape[0], labels


def simple(name, description, dataset, estimator, converter, model, X_rows, edges, **kw) -> Artifact:
    feeds, n, labels = stack(X_rows, *edges)
    return Artifact(name=name, description=description, dataset=dataset, estimator=estimator,
                    converter=converter, model=model,
                    inputs=[InputSpec(model.graph.input[0].name, "float", X_rows.shape[1])],
                    feeds=feeds, n_data_rows=n, edge_rows=labels, **kw)


def skl(model, n_features: int, options=None, input_name="input", target_opset=None):
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType
    return convert_sklearn(model, initial_types=[(input_name, FloatTensorType([None, n_features]))],
                           options=options, target_opset=target_opset or SKL_OPSET)


def nozip(model) -> dict:
    return {id(model): {"zipmap": False}}


# --------------------------------------------------------------------------
# data sets
# --------------------------------------------------------------------------

def iris():
    from sklearn.datasets import load_iris
    X, y = load_iris(return_X_y=True)
    return X.astype(np.float32), y


def breast_cancer():
    from sklearn.datasets import load_breast_cancer
    X, y = load_breast_cancer(return_X_y=True)
    return X.astype(np.float32), y


def diabetes():
    from sklearn.datasets import load_diabetes
    X, y = load_diabetes(return_X_y=True)
    return X.astype(np.float32), y


def digits():
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    return X.astype(np.float32), y


def wine():
    from sklearn.datasets import load_wine
    X, y = load_wine(return_X_y=True)
    return X.astype(np.float32), y


# --------------------------------------------------------------------------
# scikit-learn pipelines (skl2onnx)
# --------------------------------------------------------------------------

def column_transformer_gbc() -> list[Artifact]:
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    rng = np.random.RandomState(SEED)
    n = 1200
    num = rng.normal(size=(n, 3)).astype(np.float32) * [1.0, 10.0, 0.1] + [0.0, 50.0, 1.0]
    num = num.astype(np.float32)
    color = np.array(["red", "green", "blue"], dtype=object)[rng.randint(0, 3, n)]
    plan = np.array(["free", "basic", "pro", "team"], dtype=object)[rng.randint(0, 4, n)]
    logit = (num[:, 0] + (num[:, 1] - 50) / 10 - (num[:, 2] - 1) * 8
             + np.where(color == "blue", 1.5, 0) - np.where(plan == "free", 1.0, 0))
    y = (logit + rng.normal(scale=0.5, size=n) > 0).astype(np.int64)
    # Missing cells: NaN in the numbers, "" in the strings.
    num[rng.rand(n, 3) < 0.08] = np.nan
    color = np.where(rng.rand(n) < 0.05, "", color).astype(object)
    plan = np.where(rng.rand(n) < 0.05, "", plan).astype(object)
    cat = np.stack([color, plan], axis=1)
    X = np.hstack([num.astype(object), cat])
    pipe = Pipeline([
        ("prep", ColumnTransformer([
            ("num", Pipeline([("impute", SimpleImputer(strategy="median")),
                              ("scale", StandardScaler())]), [0, 1, 2]),
            ("cat", Pipeline([("impute", SimpleImputer(strategy="constant", missing_values="",
                                                       fill_value="missing")),
                              ("onehot", OneHotEncoder(handle_unknown="ignore"))]), [3, 4]),
        ])),
        ("gbc", GradientBoostingClassifier(n_estimators=40, max_depth=3, random_state=SEED)),
    ]).fit(X, y)
    onx = convert_sklearn(pipe, initial_types=[("num", FloatTensorType([None, 3])),
                                               ("cat", StringTensorType([None, 2]))],
                          options=nozip(pipe.steps[-1][1]) | {id(pipe): {"zipmap": False}},
                          target_opset=SKL_OPSET)
    idx = pick_rows(n)
    edge_num = np.array([[0, 0, 0], [np.nan, np.nan, np.nan], [LARGE] * 3, [-LARGE] * 3,
                         [0.5, 55, 0.9], [0.5, 55, 0.9]], np.float32)
    edge_cat = np.array([["", ""], ["red", "pro"], ["blue", "team"], ["green", "free"],
                         ["purple", "pro"], ["purple", "enterprise"]], dtype=object)
    labels = ["numeric zeros, both strings missing (\"\")", "all numbers NaN (imputed medians)",
              f"numeric all {LARGE:g}", f"numeric all {-LARGE:g}",
              "unseen color 'purple' (handle_unknown=ignore)", "unseen color and plan"]
    return [Artifact(
        name="churn-columns-gbc",
        description="ColumnTransformer(SimpleImputer(median)+StandardScaler on 3 numeric columns, "
                    "SimpleImputer(constant, missing '')+OneHotEncoder(handle_unknown='ignore') on "
                    "2 string columns) + GradientBoostingClassifier(40 trees); NaN numeric cells and "
                    "empty string cells; two graph inputs; zipmap=False",
        dataset="synthetic: 1200 rows, 3 normal numeric columns + colors/plans, RandomState(0); "
                "8% NaN numbers, 5% empty strings",
        estimator="Pipeline(ColumnTransformer(Pipeline(SimpleImputer, StandardScaler), "
                  "Pipeline(SimpleImputer, OneHotEncoder)), GradientBoostingClassifier)",
        converter="skl2onnx", model=onx,
        inputs=[InputSpec("num", "float", 3), InputSpec("cat", "string", 2)],
        feeds=[np.vstack([num[idx], edge_num]).astype(np.float32), np.vstack([cat[idx], edge_cat])],
        n_data_rows=len(idx), edge_rows=labels, nan_rows=True,
        params={"n_estimators": 40, "max_depth": 3})]


def knn() -> list[Artifact]:
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    X, y = iris()
    clf = KNeighborsClassifier(n_neighbors=5).fit(X, y)
    out = [simple("iris-knn", "KNeighborsClassifier(n_neighbors=5), uniform weights, on iris; zipmap=False",
                  "sklearn.datasets.load_iris", "KNeighborsClassifier", "skl2onnx",
                  skl(clf, 4, nozip(clf)), X[pick_rows(len(X))], [basic_edges(4)],
                  params={"n_neighbors": 5},
                  notes=["rows far from the data (1e6) still have 5 neighbours; ties between equal "
                         "distances are broken the same way by onnxruntime's TopK"])]
    Xd, yd = diabetes()
    reg = KNeighborsRegressor(n_neighbors=7, weights="distance").fit(Xd, yd)
    idx = pick_rows(len(Xd))
    # Training rows themselves have a zero distance: weights='distance' divides by it, so
    # only rows not in the training set are used (the last 142 of a shuffled split).
    perm = np.random.RandomState(SEED).permutation(len(Xd))
    train, test = perm[:300], perm[300:]
    reg = KNeighborsRegressor(n_neighbors=7, weights="distance").fit(Xd[train], yd[train])
    out.append(simple("diabetes-knn-regressor",
                      "KNeighborsRegressor(n_neighbors=7, weights='distance') on diabetes; test rows "
                      "are held out (a zero distance would divide by zero)",
                      "sklearn.datasets.load_diabetes, first 300 of a RandomState(0) shuffle for "
                      "training", "KNeighborsRegressor", "skl2onnx", skl(reg, 10), Xd[test],
                      [([np.full(10, 0.5, np.float32), np.full(10, -0.5, np.float32)],
                        ["all 0.5 (far from the data)", "all -0.5"])],
                      task="regression", params={"n_neighbors": 7, "weights": "distance"}))
    del idx
    return out


def naive_bayes() -> list[Artifact]:
    from sklearn.naive_bayes import BernoulliNB, GaussianNB, MultinomialNB
    out = []
    X, y = iris()
    g = GaussianNB().fit(X, y)
    out.append(simple("iris-gaussian-nb", "GaussianNB on iris; zipmap=False",
                      "sklearn.datasets.load_iris", "GaussianNB", "skl2onnx", skl(g, 4, nozip(g)),
                      X[pick_rows(len(X))],
                      [([np.zeros(4, np.float32), np.full(4, 10, np.float32)], ["zeros", "all 10"])]))
    Xb, yb = breast_cancer()
    b = BernoulliNB(binarize=float(np.median(Xb))).fit(Xb, yb)
    out.append(simple("breast-cancer-bernoulli-nb",
                      "BernoulliNB(binarize=median of all cells) on breast cancer; zipmap=False",
                      "sklearn.datasets.load_breast_cancer", "BernoulliNB", "skl2onnx",
                      skl(b, 30, nozip(b)), Xb[pick_rows(len(Xb))], [basic_edges(30)],
                      params={"binarize": float(np.median(Xb))}))
    Xm, ym = digits()
    m = MultinomialNB(alpha=1.0).fit(Xm, ym)
    out.append(simple("digits-multinomial-nb", "MultinomialNB(alpha=1) on digits pixel counts; zipmap=False",
                      "sklearn.datasets.load_digits", "MultinomialNB", "skl2onnx",
                      skl(m, 64, nozip(m)), Xm[pick_rows(len(Xm))],
                      [([np.zeros(64, np.float32), np.full(64, 16, np.float32)], ["zeros", "all 16"])],
                      tolerance={"abs": 1e-4, "rel": 1e-3},
                      notes=["the joint log-likelihoods are float32 dot products of pixel counts (up to "
                             "16 x 64) with log-probabilities, about -300; their last-bit rounding "
                             "(summation order) is amplified by exp(x - logsumexp), so probabilities "
                             "agree to about 1e-4 relative, not 1e-5"]))
    return out


def decompositions() -> list[Artifact]:
    from sklearn.decomposition import PCA, TruncatedSVD
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.svm import SVC
    X, y = digits()
    pca = Pipeline([("pca", PCA(n_components=16, random_state=SEED)),
                    ("lr", LogisticRegression(max_iter=3000))]).fit(X, y)
    svd = Pipeline([("svd", TruncatedSVD(n_components=12, random_state=SEED)),
                    ("svc", SVC(kernel="rbf", gamma="scale", probability=True, random_state=SEED))]
                   ).fit(X, y)
    edges = [([np.zeros(64, np.float32), np.full(64, 16, np.float32)], ["zeros", "all 16"])]
    rows = X[pick_rows(len(X))]
    return [
        simple("digits-pca-logreg", "PCA(16) + LogisticRegression on digits; zipmap=False",
               "sklearn.datasets.load_digits", "Pipeline(PCA, LogisticRegression)", "skl2onnx",
               skl(pca, 64, nozip(pca)), rows, edges, params={"n_components": 16}),
        simple("digits-svd-svc", "TruncatedSVD(12) + SVC(rbf, probability=True) on digits; zipmap=False",
               "sklearn.datasets.load_digits", "Pipeline(TruncatedSVD, SVC)", "skl2onnx",
               skl(svd, 64, nozip(svd)), rows, edges, params={"n_components": 12},
               tolerance={"abs": 1e-4, "rel": 1e-4},
               notes=["SVC probabilities come from Platt scaling over pairwise decisions in "
                      "float32; 1e-4 absolute allows for summation order in the kernel sums"]),
    ]


def poly_ridge() -> list[Artifact]:
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler
    X, y = diabetes()
    pipe = Pipeline([("scale", StandardScaler()), ("poly", PolynomialFeatures(degree=2)),
                     ("ridge", Ridge(alpha=10.0))]).fit(X, y)
    return [simple("diabetes-poly-ridge",
                   "StandardScaler + PolynomialFeatures(degree 2, 66 terms) + Ridge(alpha=10) on diabetes",
                   "sklearn.datasets.load_diabetes", "Pipeline(StandardScaler, PolynomialFeatures, Ridge)",
                   "skl2onnx", skl(pipe, 10), X[pick_rows(len(X))],
                   [([np.zeros(10, np.float32), np.full(10, 0.2, np.float32)], ["zeros", "all 0.2"])],
                   task="regression", params={"degree": 2, "alpha": 10.0})]


def isolation_forest() -> list[Artifact]:
    from sklearn.ensemble import IsolationForest
    rng = np.random.RandomState(SEED)
    X = np.vstack([rng.normal(size=(500, 4)), rng.uniform(-6, 6, size=(25, 4))]).astype(np.float32)
    model = IsolationForest(n_estimators=50, max_samples=128, random_state=SEED).fit(X)
    return [simple("synthetic-isolation-forest",
                   "IsolationForest(50 trees, max_samples=128) on 500 normal + 25 uniform outliers; "
                   "outputs label (1 inlier, -1 outlier) and scores (decision_function)",
                   "synthetic: RandomState(0) normal(500x4) + uniform(-6, 6, 25x4)",
                   "IsolationForest", "skl2onnx", skl(model, 4), X[pick_rows(len(X))],
                   [basic_edges(4)], task="anomaly detection",
                   params={"n_estimators": 50, "max_samples": 128})]


def calibrated() -> list[Artifact]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC
    X, y = breast_cancer()
    pipe = Pipeline([("scale", StandardScaler()),
                     ("cal", CalibratedClassifierCV(LinearSVC(C=0.1, random_state=SEED),
                                                    method="sigmoid", cv=3))]).fit(X, y)
    return [simple("breast-cancer-calibrated-svc",
                   "StandardScaler + CalibratedClassifierCV(LinearSVC(C=0.1), sigmoid, cv=3); zipmap=False",
                   "sklearn.datasets.load_breast_cancer", "Pipeline(StandardScaler, "
                   "CalibratedClassifierCV(LinearSVC))", "skl2onnx", skl(pipe, 30, nozip(pipe)),
                   X[pick_rows(len(X))], [basic_edges(30)], params={"method": "sigmoid", "cv": 3})]


def ensembles() -> list[Artifact]:
    from sklearn.ensemble import RandomForestClassifier, StackingClassifier, VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    X, y = iris()
    vote = VotingClassifier([("lr", LogisticRegression(max_iter=2000)),
                             ("rf", RandomForestClassifier(n_estimators=15, max_depth=4, random_state=SEED)),
                             ("nb", GaussianNB())], voting="soft",
                            flatten_transform=False).fit(X, y)
    Xb, yb = breast_cancer()
    stackc = StackingClassifier(
        [("rf", RandomForestClassifier(n_estimators=15, max_depth=4, random_state=SEED)),
         ("lr", Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(max_iter=2000))]))],
        final_estimator=LogisticRegression(max_iter=2000), cv=3).fit(Xb, yb)
    return [
        simple("iris-voting-soft", "VotingClassifier(soft: LogisticRegression, RandomForest(15), "
               "GaussianNB) on iris; zipmap=False", "sklearn.datasets.load_iris",
               "VotingClassifier", "skl2onnx", skl(vote, 4, nozip(vote)), X[pick_rows(len(X))],
               [([np.zeros(4, np.float32), np.full(4, 10, np.float32)], ["zeros", "all 10"])]),
        simple("breast-cancer-stacking", "StackingClassifier(RandomForest(15), StandardScaler+"
               "LogisticRegression -> LogisticRegression, cv=3); zipmap=False",
               "sklearn.datasets.load_breast_cancer", "StackingClassifier", "skl2onnx",
               skl(stackc, 30, nozip(stackc)), Xb[pick_rows(len(Xb))], [basic_edges(30)]),
    ]


def tfidf_text() -> list[Artifact]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import StringTensorType
    rng = np.random.RandomState(SEED)
    topics = {
        "sport": "match goal team player score league coach win season referee",
        "tech": "software server model cpu memory network code release bug cloud",
        "food": "recipe bread cheese oven taste sauce garlic dinner spicy soup",
    }
    filler = "the a of and to in with for on today very new".split()
    texts, labels = [], []
    for i in range(600):
        topic = list(topics)[i % 3]
        words = list(rng.choice(topics[topic].split(), size=rng.randint(3, 8))) + \
            list(rng.choice(filler, size=rng.randint(1, 5)))
        if rng.rand() < 0.3:  # noise words from another topic
            words += list(rng.choice(topics[list(topics)[(i + 1) % 3]].split(), size=1))
        rng.shuffle(words)
        text = " ".join(words)
        if rng.rand() < 0.3:
            text = text.capitalize()
        texts.append(text)
        labels.append(topic)
    texts = np.array(texts, dtype=object)
    labels = np.array(labels, dtype=object)
    pipe = Pipeline([("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2)),
                     ("lr", LogisticRegression(max_iter=3000))]).fit(texts, labels)
    onx = convert_sklearn(pipe, initial_types=[("text", StringTensorType([None, 1]))],
                          options={id(pipe): {"zipmap": False},
                                   # skl2onnx leaves StringNormalizer's locale to onnxruntime,
                                   # which then needs en_US.UTF-8 installed; C.UTF-8 is always there
                                   # and lowercases ASCII the same way.
                                   id(pipe.steps[0][1]): {"locale": "C.UTF-8"}},
                          target_opset=SKL_OPSET)
    idx = pick_rows(len(texts))
    edge = ["", "zebra quantum xylophone", "GOAL GOAL GOAL", "Software Release Today",
            "cheese server goal", "the the the"]
    edge_labels = ["empty text (no tokens)", "only unknown words", "upper case (lowercased by the "
                   "vectorizer)", "title case", "one word of each topic", "only filler words"]
    feed = np.array(list(texts[idx]) + edge, dtype=object).reshape(-1, 1)
    return [Artifact(
        name="topics-tfidf-logreg",
        description="TfidfVectorizer(ngram_range=(1, 2), min_df=2) + LogisticRegression on short "
                    "synthetic texts with string labels; one string input of shape [N, 1]; zipmap=False",
        dataset="synthetic: 600 texts of 3 topics (sport, tech, food), RandomState(0)",
        estimator="Pipeline(TfidfVectorizer, LogisticRegression)", converter="skl2onnx", model=onx,
        inputs=[InputSpec("text", "string", 1)], feeds=[feed], n_data_rows=len(idx),
        edge_rows=edge_labels, params={"ngram_range": [1, 2], "min_df": 2},
        notes=["exported with skl2onnx option locale='C.UTF-8' for StringNormalizer: without it "
               "onnxruntime needs the en_US.UTF-8 locale installed to load the model"])]


# --------------------------------------------------------------------------
# boosting libraries
# --------------------------------------------------------------------------

def catboost_model() -> list[Artifact]:
    from catboost import CatBoostClassifier
    X, y = breast_cancer()
    model = CatBoostClassifier(iterations=60, depth=4, learning_rate=0.2, random_seed=SEED,
                               thread_count=1, verbose=False, allow_writing_files=False).fit(X, y)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.onnx")
        model.save_model(path, format="onnx",
                         export_parameters={"onnx_domain": "ai.catboost", "onnx_model_version": 1,
                                            "onnx_doc_string": "breast cancer", "onnx_graph_name": "catboost"})
        onx = onnx.load(path)
    # CatBoost stamps each export with its training time and a random GUID; fixed values keep
    # model.onnx byte-for-byte reproducible (nothing reads them).
    for prop in onx.metadata_props:
        if prop.key == "train_finish_time":
            prop.value = "1970-01-01T00:00:00Z"
        elif prop.key == "model_guid":
            prop.value = "00000000-00000000-00000000-00000000"
    return [simple("breast-cancer-catboost",
                   "CatBoostClassifier(60 trees, depth 4) on breast cancer, exported by CatBoost itself "
                   "(save_model(format='onnx'))", "sklearn.datasets.load_breast_cancer",
                   "CatBoostClassifier", "catboost", onx, X[pick_rows(len(X))], [basic_edges(30)],
                   params={"iterations": 60, "depth": 4, "learning_rate": 0.2})]


def lightgbm_multiclass() -> list[Artifact]:
    import lightgbm as lgb
    import onnxmltools
    from onnxmltools.convert.common.data_types import FloatTensorType
    X, y = wine()
    Xn = X.copy()
    Xn[np.random.RandomState(SEED).rand(*X.shape) < 0.05] = np.nan
    model = lgb.LGBMClassifier(n_estimators=30, num_leaves=8, learning_rate=0.2, random_state=SEED,
                               n_jobs=1, verbose=-1).fit(Xn, y)
    onx = onnxmltools.convert_lightgbm(model, initial_types=[("input", FloatTensorType([None, 13]))],
                                       zipmap=False)
    rows = Xn[pick_rows(len(Xn))]
    return [simple("wine-lightgbm-multiclass",
                   "LGBMClassifier(30 rounds x 3 classes, 8 leaves) on wine with 5% NaN cells; "
                   "onnxmltools, zipmap=False", "sklearn.datasets.load_wine (5% NaN, RandomState(0))",
                   "LGBMClassifier", "onnxmltools", onx, rows, [basic_edges(13), nan_edges(rows[0])],
                   nan_rows=True, params={"n_estimators": 30, "num_leaves": 8})]


def xgboost_models() -> list[Artifact]:
    import onnxmltools
    import xgboost as xgb
    from onnxmltools.convert.common.data_types import FloatTensorType
    X, y = diabetes()
    Xn = X.copy()
    Xn[np.random.RandomState(SEED).rand(*X.shape) < 0.05] = np.nan
    reg = xgb.XGBRegressor(n_estimators=40, max_depth=3, learning_rate=0.2, random_state=SEED,
                           n_jobs=1).fit(Xn, y)
    reg_onx = onnxmltools.convert_xgboost(reg, initial_types=[("input", FloatTensorType([None, 10]))])
    rows = Xn[pick_rows(len(Xn))]
    out = [simple("diabetes-xgboost-regressor",
                  "XGBRegressor(40 trees, depth 3) on diabetes with 5% NaN cells; onnxmltools",
                  "sklearn.datasets.load_diabetes (5% NaN, RandomState(0))", "XGBRegressor",
                  "onnxmltools", reg_onx, rows, [basic_edges(10), nan_edges(rows[0])],
                  task="regression", nan_rows=True, params={"n_estimators": 40, "max_depth": 3})]
    rng = np.random.RandomState(SEED)
    n_groups, per = 60, 10
    Xr = rng.normal(size=(n_groups * per, 6)).astype(np.float32)
    rel = Xr[:, 0] * 2 + Xr[:, 1] - Xr[:, 2] * 0.5 + rng.normal(scale=0.3, size=len(Xr))
    yr = np.clip(np.round(rel - rel.min()) // 2, 0, 4).astype(int)
    ranker = xgb.XGBRanker(n_estimators=30, max_depth=3, learning_rate=0.2, objective="rank:pairwise",
                           random_state=SEED, n_jobs=1).fit(Xr, yr, group=[per] * n_groups)
    # onnxmltools 1.16 has no converter for the XGBRanker class, and given the Booster it guesses
    # "classifier" for any objective outside reg:*.  rank:pairwise scores are the raw margin, as
    # reg:squarederror's are, so a copy of the Booster relabelled reg:squarederror converts to
    # the same graph; it is checked against ranker.predict below.
    booster = ranker.get_booster().copy()
    booster.set_param({"objective": "reg:squarederror"})
    rank_onx = onnxmltools.convert_xgboost(booster,
                                           initial_types=[("input", FloatTensorType([None, 6]))])
    test = Xr[pick_rows(len(Xr))]
    got = make_session(rank_onx).run(None, {"input": test})[0].reshape(-1)
    if not np.allclose(got, ranker.predict(test), atol=1e-4, rtol=1e-4):
        raise AssertionError("XGBRanker: onnxruntime differs from ranker.predict")
    out.append(simple("synthetic-xgboost-ranker",
                      "XGBRanker(rank:pairwise, 30 trees, depth 3) on 60 query groups of 10 documents; "
                      "onnxmltools (its Booster, relabelled reg:squarederror); the output is one relevance score per row",
                      "synthetic: 600x6 normal features, graded relevance 0..4, RandomState(0)",
                      "XGBRanker", "onnxmltools", rank_onx, Xr[pick_rows(len(Xr))], [basic_edges(6)],
                      task="ranking", params={"objective": "rank:pairwise", "n_estimators": 30},
                      notes=["onnxmltools 1.16 has no converter for XGBRanker and reads a rank:* Booster "
                             "as a classifier; the Booster was relabelled reg:squarederror (same "
                             "raw-margin output) and onnxruntime checked against ranker.predict "
                             "on the data rows (1e-4)"]))
    return out


# --------------------------------------------------------------------------
# PyTorch (both exporters)
# --------------------------------------------------------------------------

def torch_models() -> list[Artifact]:
    import torch
    from torch import nn
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    X, y = breast_cancer()
    mu, sd = X.mean(0), X.std(0)
    Xs = ((X - mu) / sd).astype(np.float32)

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(30, 32), nn.GELU(), nn.Linear(32, 16), nn.GELU(),
                                     nn.Linear(16, 2))

        def forward(self, x):
            return torch.softmax(self.net(x), dim=1)

    class CNN1d(nn.Module):
        """Input [N, 30] seen as one channel of 30 samples."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv1d(1, 8, kernel_size=5, padding=2)
            self.conv2 = nn.Conv1d(8, 8, kernel_size=3, padding=1)
            self.pool = nn.MaxPool1d(2)
            self.gap = nn.AdaptiveAvgPool1d(1)
            self.fc = nn.Linear(8, 2)

        def forward(self, x):
            h = x.unsqueeze(1)
            h = self.pool(torch.relu(self.conv1(h)))
            h = nn.functional.gelu(self.conv2(h))
            h = self.gap(h).flatten(1)
            return torch.softmax(self.fc(h), dim=1)

    def train(model):
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        xt, yt = torch.from_numpy(Xs), torch.from_numpy(y.astype(np.int64))
        for _ in range(150):
            opt.zero_grad()
            loss = nn.functional.nll_loss(torch.log(model(xt) + 1e-9), yt)
            loss.backward()
            opt.step()
        return model.eval()

    def export(model, dynamo: bool) -> onnx.ModelProto:
        example = torch.from_numpy(Xs[:4])
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.onnx")
            if dynamo:
                batch = torch.export.Dim("batch")
                program = torch.onnx.export(model, (example,), dynamo=True, opset_version=18,
                                            input_names=["input"], output_names=["probabilities"],
                                            dynamic_shapes={"x": {0: batch}}, external_data=False)
                program.save(path)
            else:
                torch.onnx.export(model, (example,), path, dynamo=False, opset_version=17,
                                  input_names=["input"], output_names=["probabilities"],
                                  dynamic_axes={"input": {0: "batch"}, "probabilities": {0: "batch"}})
            onx = onnx.load(path, load_external_data=True)
        # The dynamo exporter records each node's Python stack trace (this script's path and line
        # numbers) in node metadata; it is debugging information only, and dropping it keeps
        # model.onnx reproducible wherever and however the script is edited or run.
        for graph_node in iter_nodes(onx.graph):
            kept = [p for p in graph_node.metadata_props if p.key != "pkg.torch.onnx.stack_trace"]
            del graph_node.metadata_props[:]
            graph_node.metadata_props.extend(kept)
        return onx

    out = []
    rows = Xs[pick_rows(len(Xs))]
    edges = [([np.zeros(30, np.float32), np.full(30, 3, np.float32), np.full(30, -3, np.float32)],
              ["zeros (the mean row)", "all +3 standard deviations", "all -3 standard deviations"])]
    for name, cls, what in [("mlp-gelu", MLP, "MLP 30-32-16-2 with GELU, softmax output"),
                            ("cnn1d", CNN1d, "1-D CNN: Conv1d(1->8, k5) ReLU MaxPool1d(2) Conv1d(8->8, k3) "
                                             "GELU AdaptiveAvgPool1d(1) Linear(8->2), softmax output")]:
        model = train(cls())
        for exporter, dynamo, opset in [("torchscript", False, 17), ("dynamo", True, 18)]:
            onx = export(model, dynamo)
            out.append(simple(
                f"breast-cancer-torch-{name}-{exporter}",
                f"PyTorch {what}, trained 150 Adam steps on standardised breast cancer features; "
                f"torch.onnx.export(dynamo={dynamo}, opset_version={opset}), dynamic batch axis",
                "sklearn.datasets.load_breast_cancer, standardised (features are z-scores)",
                f"torch.nn.Module ({cls.__name__})", f"torch.onnx.export ({exporter})", onx, rows, edges,
                params={"opset_version": opset, "dynamo": dynamo},
                notes=["the input is already standardised: row values are z-scores"]))
    return out


# --------------------------------------------------------------------------
# running onnxruntime and writing the folders
# --------------------------------------------------------------------------

def run_all(sess, art: Artifact, rows: Optional[slice] = None):
    feed = {s.name: (f if rows is None else f[rows]) for s, f in zip(art.inputs, art.feeds)}
    names = [o.name for o in sess.get_outputs()]
    return names, sess.run(names, feed)


def as_array(value) -> np.ndarray:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        keys = list(value[0].keys())
        return np.array([[row[k] for k in keys] for row in value], np.float64)
    return np.asarray(value)


def row_vs_batch(sess, art: Artifact, names, batch) -> dict:
    """Every row run alone against the batch run: labels exact, largest score difference."""
    n = art.feeds[0].shape[0]
    worst, worst_rel = 0.0, 0.0
    for r in range(n):
        _, single = run_all(sess, art, slice(r, r + 1))
        for name, b, s in zip(names, batch, single):
            b_row, s_row = as_array(b)[r:r + 1], as_array(s)
            if b_row.dtype.kind in "OUSiu":
                if not np.array_equal(b_row.astype(str), s_row.astype(str)):
                    raise AssertionError(f"{art.name}: row {r} output {name} differs alone vs batch")
            else:
                b64, s64 = b_row.astype(np.float64), s_row.astype(np.float64)
                diff = np.abs(b64 - s64)
                rel = diff / np.maximum(np.abs(b64), 1e-30)
                worst = max(worst, float(np.max(diff)))
                # a cell is out of tolerance only when both its abs and rel errors are
                bad = (diff > art.tolerance["abs"]) & (rel > art.tolerance["rel"])
                if np.any(bad):
                    raise AssertionError(f"{art.name}: row {r} output {name} alone vs batch: "
                                         f"{s64.ravel()} vs {b64.ravel()}")
                worst_rel = max(worst_rel, float(np.max(np.where(diff > 0, rel, 0))))
    return {"checked": True, "rows": n, "max_abs_diff": worst, "max_rel_diff": worst_rel}


def encode_output(value, info: onnx.ValueInfoProto) -> dict:
    type_str = type_string(info)
    if type_str.startswith("seq(map("):
        data = [{str(k): f32_json(v) for k, v in row.items()} for row in value]
        return {"type": type_str, "shape": [len(value)], "data": data}
    arr = np.asarray(value)
    if arr.dtype == np.float32:
        data = np.vectorize(f32_json, otypes=[object])(arr).tolist()
    elif arr.dtype == np.float64:
        if not np.all(np.isfinite(arr)):
            raise ValueError("non-finite double output")
        data = arr.tolist()
    elif arr.dtype.kind in "iub":
        data = arr.astype(np.int64).tolist()
    elif arr.dtype.kind in "OUS":
        data = np.array([str(v) for v in arr.ravel()], dtype=object).reshape(arr.shape).tolist()
    else:
        raise TypeError(f"unsupported output dtype {arr.dtype}")
    return {"type": type_str, "shape": list(arr.shape), "data": data}


def write_csv(path: Path, art: Artifact) -> None:
    with path.open("w") as f:
        for r in range(art.feeds[0].shape[0]):
            cells = []
            for spec, arr in zip(art.inputs, art.feeds):
                for v in arr[r].reshape(-1):
                    if spec.kind == "float":
                        cells.append(f32_text(v))
                    else:
                        s = str(v)
                        if any(c in s for c in ',"\n\r'):
                            raise ValueError(f"string cell needs quoting: {s!r}")
                        cells.append(s)
            f.write(",".join(cells) + "\n")


def write_artifact(art: Artifact, versions: dict) -> dict:
    art.model.graph.name = art.name.replace("-", "_")
    check_opsets(art.model, art.name)
    onnx.checker.check_model(art.model)
    sess = make_session(art.model)
    names, values = run_all(sess, art)
    stability = row_vs_batch(sess, art, names, values)
    infos = {o.name: o for o in art.model.graph.output}
    folder = ZOO / art.name / art.version
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    model_bytes = art.model.SerializeToString()
    (folder / "model.onnx").write_bytes(model_bytes)
    write_csv(folder / "input.csv", art)
    n_rows = art.feeds[0].shape[0]
    expected = {"model": art.name, "version": art.version, "input_file": "input.csv", "rows": n_rows,
                "output_names": names,
                "outputs": {n: encode_output(v, infos[n]) for n, v in zip(names, values)}}
    (folder / "expected.json").write_text(json.dumps(expected, allow_nan=False,
                                                     separators=(",", ":")) + "\n")
    graph_inputs = {i.name: i for i in art.model.graph.input}
    col, inputs_meta = 0, []
    for spec in art.inputs:
        info = graph_inputs[spec.name]
        inputs_meta.append({"name": spec.name, "type": type_string(info), "shape": shape_of(info),
                            "csv_columns": [col, col + spec.width]})
        col += spec.width
    meta = {
        "model": art.name, "version": art.version, "description": art.description,
        "task": art.task, "dataset": art.dataset, "estimator": art.estimator, "params": art.params,
        "converter": art.converter, "n_features": col, "inputs": inputs_meta, "output_names": names,
        "outputs": [{"name": n, "type": type_string(infos[n]), "shape": shape_of(infos[n])} for n in names],
        "ir_version": art.model.ir_version,
        "producer": f"{art.model.producer_name} {art.model.producer_version}".strip(),
        "opset_imports": [{"domain": o.domain or "ai.onnx", "version": o.version}
                          for o in art.model.opset_import],
        "ops": ops_used(art.model),
        "onnxruntime_version": ort.__version__, "library_versions": versions,
        "test_vectors": {"input_file": "input.csv", "expected_file": "expected.json", "rows": n_rows,
                         "data_rows": art.n_data_rows,
                         "edge_rows": [{"row": art.n_data_rows + i, "what": w}
                                       for i, w in enumerate(art.edge_rows)]},
        "missing_values": {"nan_rows_included": art.nan_rows},
        "tolerance": art.tolerance,
        "onnxruntime_row_vs_batch": stability,
        "files": {"model.onnx": {"bytes": len(model_bytes),
                                 "sha256": hashlib.sha256(model_bytes).hexdigest()}},
        "notes": art.notes,
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2, allow_nan=False) + "\n")
    return meta


def build_models() -> dict[str, Callable[[], list[Artifact]]]:
    return {
        "column-transformer": column_transformer_gbc,
        "knn": knn,
        "naive-bayes": naive_bayes,
        "decompositions": decompositions,
        "poly-ridge": poly_ridge,
        "isolation-forest": isolation_forest,
        "calibrated": calibrated,
        "ensembles": ensembles,
        "tfidf": tfidf_text,
        "catboost": catboost_model,
        "lightgbm": lightgbm_multiclass,
        "xgboost": xgboost_models,
        "torch": torch_models,
    }


def write_index(metas: list[dict], failures: dict) -> None:
    entries, union = [], {}
    for m in sorted(metas, key=lambda m: m["model"]):
        entries.append({"model": m["model"], "version": m["version"], "task": m["task"],
                        "path": f"{m['model']}/{m['version']}", "converter": m["converter"],
                        "ops": [f"{o['domain']}:{o['op_type']}" for o in m["ops"]],
                        "opset_imports": m["opset_imports"]})
        for o in m["ops"]:
            union.setdefault(f"{o['domain']}:{o['op_type']}", set()).add(o["schema_since_version"])
    index = {"generator": "scripts/zoo/make_breadth_zoo.py", "library_versions": library_versions(),
             "artifacts": entries,
             "ops": {k: sorted(v, key=lambda x: (x is None, x)) for k, v in sorted(union.items())},
             "not_exported": failures}
    (ZOO / "breadth.json").write_text(json.dumps(index, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="model groups to rebuild (default: all)")
    args = parser.parse_args()
    groups = build_models()
    versions = library_versions()
    index_path = ZOO / "breadth.json"
    previous = json.loads(index_path.read_text()) if index_path.exists() else {}
    names = {a["model"] for a in previous.get("artifacts", [])}
    failures = dict(previous.get("not_exported", {}))
    for group in args.only or list(groups):
        print(f"building {group} ...", flush=True)
        try:
            arts = groups[group]()
        except ImportError as error:
            failures[group] = f"not built: {error}"
            print(f"  skipped: {error}", flush=True)
            continue
        failures.pop(group, None)
        for art in arts:
            meta = write_artifact(art, versions)
            names.add(art.name)
            print(f"  wrote {art.name}: {meta['files']['model.onnx']['bytes']} bytes, "
                  f"ops {', '.join(o['op_type'] for o in meta['ops'])}", flush=True)
    # Rebuild the index from every breadth folder on disk (also after --only); the breadth
    # meta.json files are the ones that carry a tolerance.
    metas = [m for m in (json.loads(p.read_text()) for p in sorted(ZOO.glob("*/*/meta.json")))
             if "tolerance" in m or m["model"] in names]
    write_index(metas, failures)


if __name__ == "__main__":
    main()
