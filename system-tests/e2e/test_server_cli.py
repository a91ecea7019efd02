"""The command line: --version, --help, serve --help, SAGEMAKER_BIND_TO_PORT, SM_MODEL_DIR, and a
broken model.onnx whose load error names the cause."""
from __future__ import annotations

import json
import re
import socket
import time

from conftest import (ZOO, assert_predictions, expected_predictions, free_port, parse_predictions, run_tandem,
                      zoo_model_dir, zoo_rows)


def test_version():
    result = run_tandem("--version")
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+\.\d+\.\d+\s*", result.stdout), result.stdout


def test_help_lists_the_subcommands():
    result = run_tandem("--help")
    assert result.returncode == 0, result.stderr
    assert "USAGE" in result.stdout
    assert "serve" in result.stdout and "check-config" in result.stdout


def test_serve_help_lists_the_options():
    result = run_tandem("serve", "--help")
    assert result.returncode == 0, result.stderr
    for option in ("--model-dir", "--config", "--host", "--port", "--workers", "--queue-size", "--timeout",
                   "--grace", "--log-level"):
        assert option in result.stdout, option
    assert "SAGEMAKER_BIND_TO_PORT" in result.stdout
    assert "SM_MODEL_DIR" in result.stdout


def test_bad_flags_exit_nonzero_with_a_message():
    for args, words in [(["serve", "--workers", "0"], "--workers"), (["serve", "--port", "70000"], "--port"),
                        (["serve", "--no-such-flag"], "--no-such-flag")]:
        result = run_tandem(*args, timeout=10)
        assert result.returncode != 0, args
        assert words in result.stderr, (args, result.stderr)


def test_sagemaker_bind_to_port_is_honoured(start_command, tmp_path):
    port = free_port()
    server = start_command(["serve", "--host", "127.0.0.1", "--model-dir", str(zoo_model_dir(tmp_path, "iris-logreg"))],
                           env={"SAGEMAKER_BIND_TO_PORT": str(port)})
    assert server.port == port, server.listening_line
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    assert server.request("GET", "/ping")[0] == 200


def test_port_flag_overrides_sagemaker_bind_to_port(start_command, tmp_path):
    port = free_port()
    server = start_command(["serve", "--host", "127.0.0.1", "--port", str(port), "--model-dir",
                            str(zoo_model_dir(tmp_path, "iris-logreg"))],
                           env={"SAGEMAKER_BIND_TO_PORT": "1"})
    assert server.port == port


def test_invalid_sagemaker_bind_to_port_is_refused(tmp_path):
    result = run_tandem("serve", "--model-dir", str(zoo_model_dir(tmp_path, "iris-logreg")),
                        env={"SAGEMAKER_BIND_TO_PORT": "eighty"}, timeout=10)
    assert result.returncode != 0
    assert "SAGEMAKER_BIND_TO_PORT" in result.stderr


def test_sm_model_dir_is_honoured(start_command, tmp_path):
    model_dir = zoo_model_dir(tmp_path, "iris-logreg")
    server = start_command(["serve", "--host", "127.0.0.1", "--port", "0"], env={"SM_MODEL_DIR": str(model_dir)})
    assert str(model_dir) in server.listening_line
    rows = zoo_rows("iris-logreg")
    status, headers, body = server.invoke("\n".join(rows), accept="application/json")
    assert status == 200, body
    assert_predictions(parse_predictions(body, headers["content-type"]), expected_predictions("iris-logreg"))


def test_model_dir_flag_overrides_sm_model_dir(start_command, tmp_path):
    breast = zoo_model_dir(tmp_path, "breast-cancer-logreg")
    iris = zoo_model_dir(tmp_path, "iris-logreg")
    server = start_command(["serve", "--host", "127.0.0.1", "--port", "0", "--model-dir", str(breast)],
                           env={"SM_MODEL_DIR": str(iris)})
    status, _, body = server.invoke(zoo_rows("breast-cancer-logreg")[0])
    assert status == 200, body


def test_serve_is_the_default_command(start_command, tmp_path):
    server = start_command(["--host", "127.0.0.1", "--port", "0", "--model-dir",
                            str(zoo_model_dir(tmp_path, "iris-logreg"))])
    assert server.request("GET", "/ping")[0] == 200


def broken_model_dir(tmp_path, name, data):
    directory = tmp_path / name
    directory.mkdir()
    (directory / "model.onnx").write_bytes(data)
    return directory


def test_check_config_names_the_cause_of_a_broken_model(tmp_path):
    for name, data in [("garbage", b"\x00\x01 definitely not onnx \xff" * 10),
                       ("truncated", (ZOO / "breast-cancer-logreg" / "v1" / "model.onnx").read_bytes()[:500])]:
        directory = broken_model_dir(tmp_path, name, data)
        result = run_tandem("check-config", "--model-dir", str(directory))
        assert result.returncode == 1, result.stdout
        out = result.stdout + result.stderr
        assert "FAILED" in out
        assert str(directory / "model.onnx") in out
        assert "not a valid ONNX model" in out, out


def test_serve_logs_the_cause_of_a_broken_model(start_command, tmp_path):
    directory = broken_model_dir(tmp_path, "broken", b"garbage bytes, not a protobuf \xff\xfe")
    server = start_command(["serve", "--host", "127.0.0.1", "--port", "0", "--model-dir", str(directory)],
                           wait_ready=False)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any("not a valid ONNX" in line for line in server.stderr_lines):
        time.sleep(0.05)
    log = "".join(server.stderr_lines)
    assert "not a valid ONNX" in log, log
    assert str(directory / "model.onnx") in log
    status, _, body = server.request("GET", "/ping", headers={"Accept": "application/json"})
    assert status == 503
    assert "not a valid ONNX" in json.loads(body)["variants"][0]["reason"]


def test_missing_model_dir_exits_1_naming_it(tmp_path):
    missing = tmp_path / "nowhere"
    result = run_tandem("serve", "--host", "127.0.0.1", "--port", "0", "--model-dir", str(missing), timeout=20)
    assert result.returncode == 1
    assert str(missing) in result.stderr and "does not exist" in result.stderr


def test_port_in_use_exits_1(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run_tandem("serve", "--host", "127.0.0.1", "--port", str(port), "--model-dir",
                            str(zoo_model_dir(tmp_path, "iris-logreg")), timeout=20)
    assert result.returncode == 1
    assert str(port) in result.stderr
