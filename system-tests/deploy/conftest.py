"""Fixtures for the deployment-script tests: paths, and a moto server stopped by pid."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
ZOO = ROOT / "fixtures" / "zoo"


def load_deploy_module():
    """scripts/deploy_sagemaker.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("deploy_sagemaker", SCRIPTS / "deploy_sagemaker.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["deploy_sagemaker"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def deploy():
    return load_deploy_module()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory):
    """moto's server mode on 127.0.0.1, started as a subprocess and stopped by its pid."""
    executable = shutil.which("moto_server")
    command = [executable] if executable else [sys.executable, "-m", "moto.server"]
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command + ["-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def aws_env(monkeypatch, moto_url):
    """Fake credentials so boto3 signs requests; nothing leaves 127.0.0.1."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    return moto_url


@pytest.fixture
def sagemaker(aws_env):
    import boto3

    return boto3.client("sagemaker", region_name="us-east-1", endpoint_url=aws_env)


@pytest.fixture
def s3(aws_env):
    import boto3

    return boto3.client("s3", region_name="us-east-1", endpoint_url=aws_env)
