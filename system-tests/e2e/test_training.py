"""`tandem train` under SageMaker's training contract: the model directory it writes, its metric lines,
the failure file, checkpoints, LIBSVM, onnxruntime parity and quality against XGBoost on the same split.

Margins against XGBoost (tree_method hist, the same hyperparameters, trained on the same train split,
scored on the held-out test split): accuracy at most 0.03 lower, log-loss at most 10% + 0.02 higher,
RMSE at most 5% higher (docs/training.md).
"""
from __future__ import annotations

import json
import pathlib
import re

import pytest

from training_support import (FIXTURES, SETS, load_csv, make_ml_root, metric, onnx_scores, run_train,
                              xgboost_scores, xgboost_train)

np = pytest.importorskip("numpy")
pytest.importorskip("onnxruntime")


def channels(name: str, validation: bool = True) -> dict[str, list[pathlib.Path]]:
    result = {"train": [FIXTURES / name / "train.csv"]}
    if validation:
        result["validation"] = [FIXTURES / name / "validation.csv"]
    return result


def test_contract_writes_a_servable_model_and_metric_lines(tmp_path, start_server):
    hp = {**SETS["breast-cancer"], "num_round": "30", "eval_metric": "logloss,auc"}
    root = make_ml_root(tmp_path / "ml", hp, channels("breast-cancer"))
    result = run_train(root)
    assert result.returncode == 0, result.stderr
    assert not (root / "output" / "failure").exists()
    lines = result.stdout.splitlines()
    for name in ("train-logloss", "train-auc", "validation-logloss", "validation-auc"):
        values = [float(m.group(1)) for line in lines if (m := re.fullmatch(rf"{name}: ([0-9.e+-]+)", line))]
        assert len(values) == 30, (name, result.stdout[-2000:])
    assert [line for line in lines if line.startswith("round: ")] == [f"round: {i}" for i in range(30)]
    meta = json.loads((root / "model" / "tandem-model.json").read_text())
    assert meta["objective"] == "binary:logistic" and meta["booster"] == "gbtree"
    assert meta["hyperparameters"]["max_depth"] == "4"
    assert meta["data"] == {"train_rows": 341, "validation_rows": 114, "features": 30, "classes": 2}
    assert meta["metrics"]["validation-auc"] > 0.95 and meta["tandem_version"]
    assert meta["rounds"] == 30 and meta["trees"] == 30

    # `tandem serve` of the model directory answers at once; its scores equal onnxruntime's on the same file.
    x, y = load_csv(FIXTURES / "breast-cancer" / "test.csv")
    labels, probabilities = onnx_scores(root / "model" / "model.onnx", x)
    server = start_server(["--model-dir", str(root / "model")])
    body = "\n".join(",".join(repr(float(v)) for v in row) for row in x)
    status, _, data = server.invoke(body, accept="application/json")
    assert status == 200, data
    answer = json.loads(data)
    predictions = answer["predictions"]
    assert len(predictions) == len(x)
    assert [p["label"] for p in predictions] == [int(v) for v in labels]
    served = np.array([p["probabilities"] for p in predictions], dtype=np.float64)
    assert np.max(np.abs(served - probabilities)) < 1e-6
    assert np.mean(labels == y) > 0.9


@pytest.mark.parametrize("name, booster", [
    ("wine", "gbtree"), ("diabetes", "gbtree"), ("breast-cancer", "gblinear"), ("wine", "gblinear"), ("diabetes", "gblinear"),
])
def test_parity_served_predictions_equal_onnxruntime(tmp_path, start_server, name, booster):
    hp = {**SETS[name], "num_round": "20", "booster": booster}
    root = make_ml_root(tmp_path / "ml", hp, channels(name))
    result = run_train(root)
    assert result.returncode == 0, result.stderr
    x, _ = load_csv(FIXTURES / name / "test.csv")
    labels, scores = onnx_scores(root / "model" / "model.onnx", x)
    server = start_server(["--model-dir", str(root / "model")])
    status, _, data = server.invoke("\n".join(",".join(repr(float(v)) for v in row) for row in x), accept="application/json")
    assert status == 200, data
    predictions = json.loads(data)["predictions"]
    if labels is None:
        served = np.array([p["score"] for p in predictions])
        assert np.max(np.abs(served - scores) / np.maximum(1, np.abs(scores))) < 1e-6
    else:
        assert [p["label"] for p in predictions] == [int(v) for v in labels]
        assert np.max(np.abs(np.array([p["probabilities"] for p in predictions]) - scores)) < 1e-6


@pytest.mark.parametrize("name", ["breast-cancer", "wine", "digits", "diabetes"])
def test_quality_within_margin_of_xgboost(tmp_path, name):
    pytest.importorskip("xgboost")
    hp = SETS[name]
    root = make_ml_root(tmp_path / "ml", hp, channels(name, validation=False))
    result = run_train(root)
    assert result.returncode == 0, result.stderr
    x, y = load_csv(FIXTURES / name / "test.csv")
    _, scores = onnx_scores(root / "model" / "model.onnx", x)
    ours = metric(hp["objective"], y, scores)
    booster, _ = xgboost_train(hp, load_csv(FIXTURES / name / "train.csv"))
    theirs = metric(hp["objective"], y, xgboost_scores(booster, hp["objective"], x))
    if "rmse" in ours:
        assert ours["rmse"] <= theirs["rmse"] * 1.05, (ours, theirs)
    else:
        assert ours["accuracy"] >= theirs["accuracy"] - 0.03, (ours, theirs)
        assert ours["logloss"] <= theirs["logloss"] * 1.10 + 0.02, (ours, theirs)


@pytest.mark.parametrize("objective", ["binary:logistic", "multi:softprob", "reg:squarederror"])
def test_gblinear_close_to_xgboost_gblinear(tmp_path, objective):
    pytest.importorskip("xgboost")
    name = {"binary:logistic": "breast-cancer", "multi:softprob": "wine", "reg:squarederror": "diabetes"}[objective]
    hp = {"booster": "gblinear", "objective": objective, "num_round": "50", "eta": "0.5"}
    if objective == "multi:softprob":
        hp["num_class"] = "3"
    # Standardised features (from the train split's statistics), as a linear model wants them.
    tx, ty = load_csv(FIXTURES / name / "train.csv")
    x, y = load_csv(FIXTURES / name / "test.csv")
    mean, std = tx.mean(axis=0), tx.std(axis=0) + 1e-9
    tx, x = (tx - mean) / std, (x - mean) / std
    train_file = tmp_path / "train.csv"
    np.savetxt(train_file, np.column_stack([ty, tx]), delimiter=",", fmt="%.9g")
    root = make_ml_root(tmp_path / "ml", hp, {"train": [train_file]})
    result = run_train(root)
    assert result.returncode == 0, result.stderr
    _, scores = onnx_scores(root / "model" / "model.onnx", x.astype(np.float32))
    ours = metric(objective, y, scores)
    booster, _ = xgboost_train({**hp, "updater": "coord_descent"}, (tx, ty))
    theirs = metric(objective, y, xgboost_scores(booster, objective, x))
    if "rmse" in ours:
        assert ours["rmse"] <= theirs["rmse"] * 1.05, (ours, theirs)
    else:
        assert ours["accuracy"] >= theirs["accuracy"] - 0.03, (ours, theirs)
        assert ours["logloss"] <= theirs["logloss"] * 1.10 + 0.02, (ours, theirs)


def test_libsvm_channels_with_several_files(tmp_path):
    x, y = load_csv(FIXTURES / "wine" / "train.csv")
    files = []
    for part in range(2):
        path = tmp_path / f"part{part}.libsvm"
        with path.open("w") as f:
            for row, label in list(zip(x, y))[part::2]:
                f.write(f"{int(label)} " + " ".join(f"{i}:{v:.9g}" for i, v in enumerate(row) if v != 0) + "\n")
        files.append(path)
    hp = {**SETS["wine"], "num_round": "30"}
    root = make_ml_root(tmp_path / "ml", hp, {"train": files}, content_type="text/libsvm")
    result = run_train(root)
    assert result.returncode == 0, result.stderr
    assert "train: 106 rows, 13 features" in result.stdout
    tx, ty = load_csv(FIXTURES / "wine" / "test.csv")
    _, scores = onnx_scores(root / "model" / "model.onnx", tx)
    assert metric("multi:softprob", ty, scores)["accuracy"] > 0.85


def failure(root: pathlib.Path, result) -> str:
    assert result.returncode != 0
    text = (root / "output" / "failure").read_text()
    assert text.strip() in result.stderr
    return text


def test_broken_channel_writes_the_failure_file(tmp_path):
    bad = tmp_path / "bad.csv"
    good = (FIXTURES / "wine" / "train.csv").read_text().splitlines()
    good[4] = ",".join(good[4].split(",")[:-1])  # a ragged row on line 5
    bad.write_text("\n".join(good) + "\n")
    root = make_ml_root(tmp_path / "ml", SETS["wine"], {"train": [bad]})
    text = failure(root, run_train(root))
    assert re.search(r"input/data/train/part-000\.csv:5: ragged row: 13 columns where the data has 14", text), text
    assert not (root / "model" / "model.onnx").exists()


@pytest.mark.parametrize("case, expected", [
    ("no-train", "channel train is missing"),
    ("label", "part-000.csv:2: non-numeric label 'yes'"),
    ("hyperparameter", "hyperparameter max_depth = 'deep' is not an integer"),
    ("pipe", "uses input mode Pipe"),
    ("hosts", "this job has 2 instances"),
    ("memory", "the training data needs about"),
])
def test_failures_name_the_problem(tmp_path, case, expected):
    data = tmp_path / "train.csv"
    data.write_text("1,2,3\nyes,4,5\n" if case == "label" else "1,2,3\n0,4,5\n")
    hp = {"objective": "binary:logistic", "max_depth": "deep" if case == "hyperparameter" else "3"}
    root = make_ml_root(tmp_path / "ml", hp, {} if case == "no-train" else {"train": [data]}, hosts=2 if case == "hosts" else 1)
    if case == "pipe":
        (root / "input" / "config" / "inputdataconfig.json").write_text(json.dumps({"train": {"TrainingInputMode": "Pipe"}}))
    extra = ["--memory-limit", "1000"] if case == "memory" else []
    text = failure(root, run_train(root, *extra))
    assert expected in text, text


def test_checkpoints_resume_to_the_same_model(tmp_path):
    hp = {**SETS["breast-cancer"], "num_round": "12", "subsample": "0.8", "seed": "3"}
    fresh = make_ml_root(tmp_path / "fresh", hp, channels("breast-cancer"))
    assert run_train(fresh).returncode == 0
    resumed = make_ml_root(tmp_path / "resumed", {**hp, "num_round": "10"}, channels("breast-cancer"))
    (resumed / "checkpoints").mkdir()
    assert run_train(resumed).returncode == 0
    assert (resumed / "checkpoints" / "tandem-checkpoint.json").exists()
    make_ml_root(resumed, hp, {})
    result = run_train(resumed)
    assert result.returncode == 0, result.stderr
    assert "resuming from checkpoint after round 9" in result.stdout
    assert "round: 9\n" not in result.stdout and "round: 11" in result.stdout
    assert (resumed / "model" / "model.onnx").read_bytes() == (fresh / "model" / "model.onnx").read_bytes()


def test_early_stopping_keeps_the_best_round(tmp_path):
    hp = {**SETS["breast-cancer"], "num_round": "400", "eta": "0.5", "early_stopping_rounds": "5"}
    root = make_ml_root(tmp_path / "ml", hp, channels("breast-cancer"))
    result = run_train(root)
    assert result.returncode == 0, result.stderr
    best = int(re.search(r"early stopping: best round (\d+)", result.stdout).group(1))
    meta = json.loads((root / "model" / "tandem-model.json").read_text())
    assert meta["rounds"] == best + 1 and meta["trees"] == best + 1
    assert f"round: {best + 5}" in result.stdout and f"round: {best + 6}\n" not in result.stdout


def test_two_trained_versions_serve_as_control_and_challenger(tmp_path, start_server):
    from conftest import parallel_invoke, variant_of, write_endpoint
    repo = tmp_path / "repo"
    for version, hp in ((1, {"max_depth": "2", "num_round": "10"}), (2, {"max_depth": "5", "num_round": "40"})):
        root = make_ml_root(tmp_path / f"ml{version}", {**SETS["breast-cancer"], **hp}, channels("breast-cancer"))
        assert run_train(root).returncode == 0
        target = repo / "breast-cancer" / str(version)
        target.mkdir(parents=True)
        for f in (root / "model").iterdir():
            target.joinpath(f.name).write_bytes(f.read_bytes())
    (repo / "breast-cancer" / "model.yaml").write_text("versions: all\n")
    config = write_endpoint(repo, [
        {"name": "control", "model": "breast-cancer", "version": 1, "weight": 0.7},
        {"name": "challenger", "model": "breast-cancer", "version": 2, "weight": 0.3},
    ])
    server = start_server(["--config", str(config), "--workers", "2"])
    x, _ = load_csv(FIXTURES / "breast-cancer" / "test.csv")
    row = ",".join(repr(float(v)) for v in x[0])
    responses = parallel_invoke(server, 2000, threads=4, body=row)
    assert all(r[0] == 200 for r in responses)
    counts = {name: sum(1 for r in responses if variant_of(r) == name) for name in ("control", "challenger")}
    assert counts["control"] + counts["challenger"] == 2000
    assert abs(counts["challenger"] / 2000 - 0.3) < 0.05, counts
    # The two versions are different models: their scores for the same row differ.
    by_variant = {variant_of(r): r[2] for r in responses}
    assert by_variant["control"] != by_variant["challenger"]
