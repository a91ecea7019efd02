"""scripts/package-model: archives SageMaker extracts into /opt/ml/model."""

from __future__ import annotations

import subprocess
import tarfile

import pytest

from conftest import SCRIPTS, ZOO

PACKAGE = SCRIPTS / "package-model"
V1 = ZOO / "breast-cancer-logreg" / "v1" / "model.onnx"
V2 = ZOO / "breast-cancer-logreg" / "v2" / "model.onnx"
ENDPOINT = """endpoint: tandem-demo
production_variants:
  - {name: control, model: breast-cancer-logreg, version: 1, weight: 0.8}
  - {name: challenger, model: breast-cancer-logreg, version: 2, weight: 0.2}
"""


def package(*args):
    return subprocess.run([str(PACKAGE), *map(str, args)], capture_output=True, text=True, timeout=30)


def extract(archive, destination):
    """What SageMaker does with ModelDataUrl: tar -xzf into an empty /opt/ml/model."""
    destination.mkdir()
    subprocess.run(["tar", "-xzf", str(archive), "-C", str(destination)], check=True)
    return sorted(str(p.relative_to(destination)) for p in destination.rglob("*") if p.is_file())


def test_single_model_at_archive_root(tmp_path):
    out = package(V1, "-o", tmp_path / "model.tar.gz")
    assert out.returncode == 0, out.stderr
    assert extract(tmp_path / "model.tar.gz", tmp_path / "opt-ml-model") == ["model.onnx"]
    assert (tmp_path / "opt-ml-model" / "model.onnx").read_bytes() == V1.read_bytes()


def test_single_model_with_warmup_requests(tmp_path):
    samples = tmp_path / "samples.CSV"
    samples.write_text((ZOO / "breast-cancer-logreg" / "v1" / "input.csv").read_text().splitlines()[0] + "\n")
    out = package(V1, "--warmup", samples, "-o", tmp_path / "model.tar.gz")
    assert out.returncode == 0, out.stderr
    assert extract(tmp_path / "model.tar.gz", tmp_path / "opt-ml-model") == ["model.onnx", "warmup.csv"]
    assert (tmp_path / "opt-ml-model" / "warmup.csv").read_text() == samples.read_text()
    wrong = tmp_path / "samples.txt"
    wrong.write_text("1,2\n")
    refused = package(V1, "--warmup", wrong, "-o", tmp_path / "other.tar.gz")
    assert refused.returncode == 2 and ".csv, .json or .jsonl" in refused.stderr
    misplaced = package("--repository", tmp_path, "--warmup", samples, "-o", tmp_path / "other.tar.gz")
    assert misplaced.returncode == 2 and "version directory" in misplaced.stderr


def test_repository_from_files(tmp_path):
    (tmp_path / "endpoint.yaml").write_text(ENDPOINT)
    out = package("--endpoint", tmp_path / "endpoint.yaml", "--model", f"breast-cancer-logreg/1={V1}",
                  "--model", f"breast-cancer-logreg/2={V2}", "-o", tmp_path / "model.tar.gz")
    assert out.returncode == 0, out.stderr
    assert extract(tmp_path / "model.tar.gz", tmp_path / "x") == [
        "breast-cancer-logreg/1/model.onnx", "breast-cancer-logreg/2/model.onnx", "endpoint.yaml"]
    assert (tmp_path / "x" / "breast-cancer-logreg" / "2" / "model.onnx").read_bytes() == V2.read_bytes()


def test_repository_directory_and_reproducible(tmp_path):
    repo = tmp_path / "repo"
    (repo / "breast-cancer-logreg" / "1").mkdir(parents=True)
    (repo / "breast-cancer-logreg" / "2").mkdir(parents=True)
    (repo / "breast-cancer-logreg" / "1" / "model.onnx").write_bytes(V1.read_bytes())
    (repo / "breast-cancer-logreg" / "2" / "model.onnx").write_bytes(V2.read_bytes())
    (repo / "breast-cancer-logreg" / "2" / "labels.txt").write_text("malignant\nbenign\n")
    (repo / "endpoint.yaml").write_text(ENDPOINT)
    assert package("--repository", repo, "-o", tmp_path / "a.tar.gz").returncode == 0
    assert package("--repository", repo, "-o", tmp_path / "b.tar.gz").returncode == 0
    assert (tmp_path / "a.tar.gz").read_bytes() == (tmp_path / "b.tar.gz").read_bytes()
    with tarfile.open(tmp_path / "a.tar.gz") as tar:
        members = tar.getmembers()
    assert all(m.uid == 0 and m.gid == 0 and m.mtime == 0 for m in members)
    assert "breast-cancer-logreg/2/labels.txt" in [m.name for m in members]


@pytest.mark.parametrize("setup, message", [
    ("missing-version", "not in archive"),
    ("non-numeric", "numeric"),
    ("no-endpoint", "needs endpoint.yaml"),
    ("bad-weight", "weight"),
    ("stray-file", "unexpected file"),
])
def test_repository_validation(tmp_path, setup, message):
    repo = tmp_path / "repo"
    version = repo / "breast-cancer-logreg" / ("v1" if setup == "non-numeric" else "1")
    version.mkdir(parents=True)
    (version / "model.onnx").write_bytes(V1.read_bytes())
    endpoint = ENDPOINT.replace("weight: 0.2", "weight: -1") if setup == "bad-weight" else ENDPOINT
    if setup == "bad-weight":
        (repo / "breast-cancer-logreg" / "2").mkdir()
        (repo / "breast-cancer-logreg" / "2" / "model.onnx").write_bytes(V2.read_bytes())
    if setup != "no-endpoint":
        (repo / "endpoint.yaml").write_text(endpoint)
    if setup == "stray-file":
        (repo / "README").write_text("x")
    out = package("--repository", repo, "-o", tmp_path / "m.tar.gz")
    assert out.returncode == 2
    assert message in out.stderr
    assert not (tmp_path / "m.tar.gz").exists()


def test_usage_errors(tmp_path):
    assert package("-o", tmp_path / "m.tar.gz").returncode == 2
    assert package(tmp_path / "nope.onnx").returncode == 2
    assert package(V1, "--model", f"a/1={V1}").returncode == 2
    assert package("--model", f"a/latest={V1}", "--endpoint", tmp_path / "e.yaml").returncode == 2


def test_source_tree_layout_models_and_config(tmp_path):
    """The repository's own models/ + config/endpoint.yaml (repository: ../models) package as-is."""
    models = tmp_path / "models" / "breast-cancer-logreg"
    for version, source in (("1", V1), ("2", V2)):
        (models / version).mkdir(parents=True)
        (models / version / "model.onnx").write_bytes(source.read_bytes())
    (models / "model.yaml").write_text("versions: all\n")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "endpoint.yaml").write_text(ENDPOINT.replace(
        "endpoint: tandem-demo\n", "endpoint: tandem-demo\nrepository: ../models   # source tree\n"))
    out = package("--repository", tmp_path / "models", "--endpoint", tmp_path / "config" / "endpoint.yaml",
                  "-o", tmp_path / "m.tar.gz")
    assert out.returncode == 0, out.stderr
    assert "repository set to '.'" in out.stderr
    files = extract(tmp_path / "m.tar.gz", tmp_path / "x")
    assert "breast-cancer-logreg/model.yaml" in files
    endpoint = (tmp_path / "x" / "endpoint.yaml").read_text()
    assert "repository: .   # source tree\n" in endpoint and "../models" not in endpoint
