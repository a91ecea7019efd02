"""Helpers for the training tests: a SageMaker /opt/ml layout, `tandem train` on it, scoring the trained
ONNX file with onnxruntime, and the same training with XGBoost for comparison."""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "training"

# Hyperparameters per fixture, as SageMaker passes them (strings); the test split is held out.
SETS = {
    "breast-cancer": {"objective": "binary:logistic", "num_round": "100", "max_depth": "4", "eta": "0.1"},
    "wine": {"objective": "multi:softprob", "num_class": "3", "num_round": "100", "max_depth": "3", "eta": "0.1"},
    "digits": {"objective": "multi:softmax", "num_class": "10", "num_round": "60", "max_depth": "5", "eta": "0.2"},
    "diabetes": {"objective": "reg:squarederror", "num_round": "100", "max_depth": "3", "eta": "0.05"},
}


def tandem_binary() -> str:
    path = os.environ.get("TANDEM_BIN") or str(REPO / ".build" / "debug" / "tandem")
    if not os.path.exists(path):
        raise RuntimeError(f"tandem binary not found at {path}; run `swift build` or set TANDEM_BIN")
    return path


def make_ml_root(root: pathlib.Path, hyperparameters: dict[str, str], channels: dict[str, list[pathlib.Path]],
                 content_type: str = "text/csv", hosts: int = 1) -> pathlib.Path:
    """Lays out root/input/{config,data} as SageMaker does for a training job and returns root."""
    config = root / "input" / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "hyperparameters.json").write_text(json.dumps({k: str(v) for k, v in hyperparameters.items()}))
    (config / "inputdataconfig.json").write_text(json.dumps({
        name: {"ContentType": content_type, "TrainingInputMode": "File", "S3DistributionType": "FullyReplicated",
               "RecordWrapperType": "None"} for name in channels}))
    (config / "resourceconfig.json").write_text(json.dumps({
        "current_host": "algo-1", "hosts": [f"algo-{i + 1}" for i in range(hosts)], "network_interface_name": "eth0"}))
    for name, files in channels.items():
        directory = root / "input" / "data" / name
        directory.mkdir(parents=True, exist_ok=True)
        for i, f in enumerate(files):
            shutil.copy(f, directory / f"part-{i:03d}{f.suffix}")
    return root


def run_train(root: pathlib.Path, *extra: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("SM_MODEL_DIR", None)
    return subprocess.run([tandem_binary(), "train", "--ml-root", str(root), *extra], capture_output=True, text=True,
                          timeout=timeout, env=env)


def load_csv(path: pathlib.Path):
    import numpy as np
    data = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
    return data[:, 1:].astype(np.float32), data[:, 0]


def onnx_scores(model: pathlib.Path, x):
    """(labels or None, probabilities or values) from onnxruntime for rows x."""
    import onnxruntime as ort
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    outputs = session.run(None, {session.get_inputs()[0].name: x})
    if len(outputs) == 2:
        return outputs[0], outputs[1]
    return None, outputs[0][:, 0]


def metric(objective: str, y, scores) -> dict[str, float]:
    """Held-out quality: accuracy and log-loss for classifiers (scores = class probabilities), RMSE for regression."""
    import numpy as np
    if objective == "reg:squarederror":
        return {"rmse": float(np.sqrt(np.mean((scores - y) ** 2)))}
    p = np.clip(scores, 1e-15, 1 - 1e-15)
    labels = y.astype(int)
    return {"accuracy": float(np.mean(np.argmax(p, axis=1) == labels)),
            "logloss": float(-np.mean(np.log(p[np.arange(len(labels)), labels])))}


def xgboost_train(hyperparameters: dict[str, str], train, validation=None, nthread: int = 1, missing_nan: bool = True):
    """Trains XGBoost (tree_method hist) with the same hyperparameters; returns (booster, seconds)."""
    import xgboost as xgb
    params = {k: v for k, v in hyperparameters.items() if k not in ("num_round", "early_stopping_rounds")}
    params.update({"tree_method": "hist", "nthread": nthread, "verbosity": 0})
    if params.get("objective") == "multi:softmax":
        params["objective"] = "multi:softprob"  # the same model; probabilities for the log-loss
    dtrain = xgb.DMatrix(train[0], label=train[1])
    evals = [(xgb.DMatrix(validation[0], label=validation[1]), "validation")] if validation is not None else []
    start = time.perf_counter()
    booster = xgb.train(params, dtrain, num_boost_round=int(hyperparameters.get("num_round", 100)), evals=evals,
                        early_stopping_rounds=int(hyperparameters["early_stopping_rounds"]) if "early_stopping_rounds" in hyperparameters else None,
                        verbose_eval=False)
    return booster, time.perf_counter() - start


def xgboost_scores(booster, objective: str, x):
    import numpy as np
    import xgboost as xgb
    kwargs = {"iteration_range": (0, booster.best_iteration + 1)} if booster.attributes().get("best_iteration") else {}
    p = booster.predict(xgb.DMatrix(x), **kwargs)
    if objective == "binary:logistic":
        return np.stack([1 - p, p], axis=1)
    return p
