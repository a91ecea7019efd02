"""Helpers for the multi-model endpoint tests (test_mme_*.py): packaging models as model.tar.gz, unpacking them
as SageMaker does (into /opt/ml/models/<hash>/model), and driving the /models routes."""
from __future__ import annotations

import hashlib
import json
import pathlib
import re
import subprocess
import sys
import tarfile

from conftest import REPO, ZOO

# The smallest zoo models: a 289-byte regressor and a 544-byte classifier.
TINY = "diabetes-ridge"
CLASSIFIER = "iris-logreg"


def package(out: pathlib.Path, *args: str) -> pathlib.Path:
    """scripts/package-model ARGS -o OUT, as a user makes the artifact."""
    subprocess.run([sys.executable, str(REPO / "scripts" / "package-model"), *args, "-o", str(out)], check=True,
                   capture_output=True)
    return out


def package_zoo(tmp: pathlib.Path, zoo_name: str, version: str = "v1", name: str | None = None) -> pathlib.Path:
    return package(tmp / f"{name or zoo_name}.tar.gz", str(ZOO / zoo_name / version / "model.onnx"))


def sagemaker_unpack(archive: pathlib.Path, models_root: pathlib.Path, target_model: str) -> tuple[str, pathlib.Path]:
    """What SageMaker does before POST /models: an opaque key (a hash of the TargetModel), the archive extracted
    into <models_root>/<key>/model. Returns (key, model directory)."""
    key = hashlib.sha256(target_model.encode()).hexdigest()[:32]
    directory = models_root / key / "model"
    directory.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(directory, filter="data")
    return key, directory


def load(server, name: str, url: str | pathlib.Path, timeout: float = 60.0):
    status, _, body = server.request("POST", "/models", json.dumps({"model_name": name, "url": str(url)}),
                                     {"Content-Type": "application/json"}, timeout=timeout)
    return status, json.loads(body) if body else {}


def invoke(server, name: str, body: str, target_model: str | None = None, content_type: str = "text/csv",
           timeout: float = 30.0):
    headers = {"Content-Type": content_type}
    if target_model:
        headers["X-Amzn-SageMaker-Target-Model"] = target_model
    return server.request("POST", f"/models/{name}/invoke", body, headers, timeout=timeout)


def metric(server, name: str) -> float:
    """The value of an unlabelled series in /metrics (0 when absent)."""
    _, _, text = server.request("GET", "/metrics")
    match = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text.decode(), re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def mme_env(**extra: str) -> dict[str, str]:
    env = {"SAGEMAKER_MULTI_MODEL": "true"}
    env.update(extra)
    return env
