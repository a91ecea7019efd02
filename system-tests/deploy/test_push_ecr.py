"""scripts/push-ecr: URI computation and the dry run, with a fake `aws` on PATH."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import SCRIPTS

PUSH = SCRIPTS / "push-ecr"


@pytest.fixture
def fake_aws(tmp_path):
    """An `aws` that answers sts/configure and logs every call; no network, no credentials."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "aws.log"
    script = bin_dir / "aws"
    script.write_text(f"""#!/usr/bin/env bash
echo "$*" >> {log}
case "$1 $2" in
  "sts get-caller-identity") echo 210987654321 ;;
  "configure get") echo ap-southeast-2 ;;
  *) echo "fake aws: unexpected $*" >&2; exit 1 ;;
esac
""")
    script.chmod(0o755)
    return bin_dir, log


def run(args, fake_aws, extra_env=None, cwd=None):
    bin_dir, _ = fake_aws
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    env.update(extra_env or {})
    return subprocess.run([str(PUSH)] + args, capture_output=True, text=True, env=env, cwd=cwd, timeout=30)


def test_uri_with_explicit_account_region_tag(fake_aws):
    out = run(["--repository", "tandem", "--account", "123456789012", "--region", "eu-west-1",
               "--tag", "v1.2.0", "--print-uri"], fake_aws)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/tandem:v1.2.0"


def test_account_from_sts_and_region_from_env(fake_aws):
    out = run(["--repository", "ml/tandem", "--tag", "t", "--print-uri"], fake_aws, {"AWS_REGION": "us-east-2"})
    assert out.stdout.strip() == "210987654321.dkr.ecr.us-east-2.amazonaws.com/ml/tandem:t"
    assert "sts get-caller-identity --query Account --output text" in fake_aws[1].read_text()


def test_region_from_aws_configure_and_china_domain(fake_aws):
    out = run(["--repository", "tandem", "--tag", "t", "--account", "123456789012", "--print-uri"], fake_aws)
    assert out.stdout.strip() == "123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/tandem:t"
    out = run(["--repository", "tandem", "--tag", "t", "--account", "123456789012", "--region", "cn-north-1",
               "--print-uri"], fake_aws)
    assert out.stdout.strip() == "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/tandem:t"


def test_default_tag_is_git_commit(fake_aws, tmp_path):
    repo = tmp_path / "ctx"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(git + ["init", "-q"], check=True)
    (repo / "f").write_text("x")
    subprocess.run(git + ["add", "f"], check=True)
    subprocess.run(git + ["commit", "-qm", "c"], check=True)
    sha = subprocess.run(git + ["rev-parse", "--short=12", "HEAD"], capture_output=True, text=True).stdout.strip()
    args = ["--repository", "tandem", "--account", "123456789012", "--region", "us-east-1", "--context", str(repo),
            "--print-uri"]
    assert run(args, fake_aws).stdout.strip().endswith(f"/tandem:{sha}")
    (repo / "f").write_text("changed")
    assert run(args, fake_aws).stdout.strip().endswith(f"/tandem:{sha}-dirty")
    plain = tmp_path / "plain"
    plain.mkdir()
    args[args.index(str(repo))] = str(plain)
    assert run(args, fake_aws).stdout.strip().endswith("/tandem:latest")


def test_dry_run_prints_every_command_and_runs_none(fake_aws, tmp_path):
    out = run(["--repository", "tandem", "--account", "123456789012", "--region", "us-west-2", "--tag", "v1",
               "--context", str(tmp_path), "--create-repository", "--dry-run"], fake_aws)
    assert out.returncode == 0, out.stderr
    registry = "123456789012.dkr.ecr.us-west-2.amazonaws.com"
    assert out.stdout.splitlines() == [
        f"+ docker build --platform linux/amd64 -t tandem:v1 {tmp_path}",
        f"+ docker tag tandem:v1 {registry}/tandem:v1",
        "+ aws ecr describe-repositories --region us-west-2 --repository-names tandem"
        " || aws ecr create-repository --region us-west-2 --repository-name tandem",
        f"+ aws ecr get-login-password --region us-west-2 | docker login --username AWS --password-stdin {registry}",
        f"+ docker push {registry}/tandem:v1",
        f"{registry}/tandem:v1",
    ]
    assert not fake_aws[1].exists()  # with --account given, the dry run calls nothing


def test_dry_run_podman_without_build(fake_aws):
    out = run(["--repository", "tandem", "--account", "123456789012", "--region", "us-east-1", "--tag", "x",
               "--engine", "podman", "--no-build", "--dry-run"], fake_aws)
    lines = out.stdout.splitlines()
    assert lines[0] == "+ podman tag tandem:x 123456789012.dkr.ecr.us-east-1.amazonaws.com/tandem:x"
    assert "podman login --username AWS --password-stdin" in lines[1]
    assert not any("build" in line for line in lines)


@pytest.mark.parametrize("args, message", [
    ([], "--repository is required"),
    (["--repository", "Tandem"], "invalid repository"),
    (["--repository", "tandem", "--tag", "bad tag!"], "invalid tag"),
    (["--repository", "tandem", "--account", "12345"], "invalid account"),
    (["--repository", "tandem", "--region", "mars"], "invalid region"),
    (["--repository", "tandem", "--engine", "nerdctl"], "--engine"),
    (["--repository", "tandem", "--frobnicate"], "unknown argument"),
])
def test_rejects_bad_input(fake_aws, args, message):
    out = run(args + ["--print-uri"], fake_aws, {"AWS_REGION": "us-east-1"})
    assert out.returncode == 2
    assert message in out.stderr
