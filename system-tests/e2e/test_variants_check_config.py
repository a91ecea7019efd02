"""`tandem check-config`: prints the variants with their shares and exits 0; exits 1 with a clear
message for a bad config."""
import subprocess

import pytest

from conftest import REPO, tandem_binary, write_endpoint, write_synthetic


def check(config) -> subprocess.CompletedProcess:
    return subprocess.run([tandem_binary(), "check-config", "--config", str(config)], capture_output=True,
                          text=True, timeout=60, cwd=str(REPO))


def make_repo(root):
    write_synthetic(root, "fast", 1, features=1)
    write_synthetic(root, "fast", 2, features=1)
    (root / "fast" / "model.yaml").write_text("versions: all\n")


def good_variants():
    return [{"name": "control", "model": "fast", "version": 1, "weight": 0.8},
            {"name": "challenger", "model": "fast", "version": 2, "weight": 0.2}]


def test_good_config_prints_variants_and_shares(tmp_repo):
    make_repo(tmp_repo)
    config = write_endpoint(tmp_repo, good_variants(), shadows=[{"name": "shadow", "model": "fast",
                                                                  "sampling_percentage": 10}])
    result = check(config)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    control = next(line for line in lines if line.startswith("production control"))
    challenger = next(line for line in lines if line.startswith("production challenger"))
    assert "80.0%" in control and "ok" in control
    assert "20.0%" in challenger and "ok" in challenger
    assert any(line.startswith("shadow shadow") and "10.0%" in line for line in lines)


def test_bundled_config_is_valid():
    result = subprocess.run([tandem_binary(), "check-config", "--config", str(REPO / "config" / "endpoint.yaml")],
                            capture_output=True, text=True, timeout=60, cwd=str(REPO))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "80.0%" in result.stdout and "20.0%" in result.stdout


@pytest.mark.parametrize("bad,expected", [
    ("unknown_key", "unknown key 'surprise'"),
    ("missing_model", "model 'ghost' is not in the repository"),
    ("bad_weight", "production_variants[0].weight: must be >= 0"),
    ("broken_artifact", "production challenger: broken/1 weight 0.2 share 20.0% (effective 0.0%) - FAILED"),
])
def test_bad_config_exits_1_with_message(tmp_repo, bad, expected):
    make_repo(tmp_repo)
    variants = good_variants()
    if bad == "missing_model":
        variants[1]["model"] = "ghost"
    elif bad == "bad_weight":
        variants[0]["weight"] = -0.5
    elif bad == "broken_artifact":
        directory = tmp_repo / "broken" / "1"
        directory.mkdir(parents=True)
        (directory / "model.onnx").write_bytes(b"garbage")
        variants[1] = {"name": "challenger", "model": "broken", "weight": 0.2}
    config = write_endpoint(tmp_repo, variants)
    if bad == "unknown_key":
        config.write_text(config.read_text() + "surprise: 1\n")
    result = check(config)
    assert result.returncode == 1, result.stdout
    output = result.stdout + result.stderr
    assert expected in output, output


def test_versions_named_by_variants_load_without_a_model_yaml(tmp_repo):
    # No model.yaml: the policy is "latest" (version 2), yet control pins version 1, so it loads too.
    write_synthetic(tmp_repo, "fast", 1, features=1)
    write_synthetic(tmp_repo, "fast", 2, features=1)
    result = check(write_endpoint(tmp_repo, good_variants()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "control: fast/1" in result.stdout and "challenger: fast/2" in result.stdout


def test_a_pinned_version_missing_on_disk_is_refused(tmp_repo):
    write_synthetic(tmp_repo, "fast", 1, features=1)
    result = check(write_endpoint(tmp_repo, [{"name": "control", "model": "fast", "version": 3}]))
    assert result.returncode == 1
    assert "has no version 3" in result.stdout, result.stdout
