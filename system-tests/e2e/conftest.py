"""Shared fixtures for Tandem's end-to-end tests.

Every test talks to a real `tandem` process over real sockets: the server is started on an ephemeral
port (`--port 0`; the port is read from the "listening on" line it prints), spoken to over HTTP, and
stopped by its process id. The binary is $TANDEM_BIN, else .build/debug/tandem (scripts/test builds it).
"""
from __future__ import annotations

import http.client
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
ZOO = REPO / "fixtures" / "zoo"


def tandem_binary() -> str:
    path = os.environ.get("TANDEM_BIN") or str(REPO / ".build" / "debug" / "tandem")
    if not os.path.exists(path):
        raise RuntimeError(f"tandem binary not found at {path}; run `swift build` or set TANDEM_BIN")
    return path


def tandem_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a test's tandem process runs with: this one, minus the SageMaker paths (a test
    opts in by passing them in `extra`), quiet logging unless asked otherwise."""
    env = dict(os.environ)
    for name in ("SM_MODEL_DIR", "SAGEMAKER_BIND_TO_PORT"):
        env.pop(name, None)
    env.setdefault("TANDEM_LOG_LEVEL", "warning")
    if extra:
        env.update(extra)
    return env


class Server:
    """A running tandem process."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None, cwd: str | None = None,
                 wait_ready: bool = True, startup_timeout: float = 30.0, argv: list[str] | None = None):
        """`args` follow `serve --host 127.0.0.1 --port 0`; `argv`, when given, replaces the whole
        command line after the binary (to test how flags and the environment choose the port)."""
        full_env = tandem_env(env)
        if argv is not None:
            self.args = [tandem_binary(), *argv]
        else:
            self.args = [tandem_binary(), "serve", "--host", "127.0.0.1", "--port", "0", *args]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=full_env, cwd=cwd or str(REPO), text=True)
        self.pid = self.proc.pid
        self.stderr_lines: list[str] = []
        self.stdout_lines: list[str] = []  # after the listening line (the access log, when on)
        self.listening_line = ""
        self.startup_lines: list[str] = []  # stdout before the listening line (which directories it writes)
        self.port = self._read_port(startup_timeout)
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        threading.Thread(target=self._drain_stdout, daemon=True).start()
        if wait_ready:
            self.wait_ready(startup_timeout)

    def _read_port(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                err = self.proc.stderr.read() if self.proc.stderr else ""
                raise RuntimeError(f"tandem exited before listening (code {self.proc.poll()}): {err}")
            match = re.search(r"listening on [^ ]+:(\d+)", line)
            if not match:
                self.startup_lines.append(line)
            if match:
                self.listening_line = line
                return int(match.group(1))
        raise RuntimeError("tandem did not print its port in time")

    def _drain_stderr(self):
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr_lines.append(line)

    def _drain_stdout(self):
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.stdout_lines.append(line)

    def wait_ready(self, timeout: float = 30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status, _, _ = self.request("GET", "/ping")
                if status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"tandem exited with {self.proc.returncode}: {''.join(self.stderr_lines)}")
            time.sleep(0.05)
        raise RuntimeError("tandem did not become ready")

    def connection(self, timeout: float = 30.0) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30.0):
        """One request on a fresh connection: (status, headers dict with lower-case names, body bytes)."""
        conn = self.connection(timeout)
        try:
            if isinstance(body, str):
                body = body.encode()
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def invoke(self, body, content_type="text/csv", accept=None, headers=None, timeout=30.0):
        h = {"Content-Type": content_type} if content_type else {}
        if accept:
            h["Accept"] = accept
        if headers:
            h.update(headers)
        return self.request("POST", "/invocations", body, h, timeout)

    def signal(self, sig=signal.SIGTERM):
        os.kill(self.pid, sig)

    def stop(self, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture
def start_server():
    """Factory: start_server(args=[...], env={...}) -> Server; every server is stopped after the test."""
    servers: list[Server] = []

    def start(args: list[str] | None = None, env: dict[str, str] | None = None, **kwargs) -> Server:
        server = Server(args or [], env=env, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def tmp_repo(tmp_path):
    """A scratch directory for model repositories and endpoint files."""
    return tmp_path


def zoo_rows(model: str, version: str = "v1") -> list[str]:
    return (ZOO / model / version / "input.csv").read_text().splitlines()


def zoo_expected(model: str, version: str = "v1") -> dict:
    return json.loads((ZOO / model / version / "expected.json").read_text())


def write_synthetic(root: pathlib.Path, model: str, version: int, **fields) -> pathlib.Path:
    """Writes root/model/version/synthetic.yaml with the given fields."""
    directory = root / model / str(version)
    directory.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}: {json.dumps(value)}" for key, value in fields.items()]
    (directory / "synthetic.yaml").write_text("\n".join(lines) + "\n")
    return directory


def copy_zoo_model(root: pathlib.Path, zoo_name: str, zoo_version: str, model: str, version: int) -> pathlib.Path:
    directory = root / model / str(version)
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(ZOO / zoo_name / zoo_version / "model.onnx", directory / "model.onnx")
    return directory


# ---------------------------------------------------------------------------------------------------
# Helpers for the variant, routing, metrics and health tests (test_variants_*.py).


def write_endpoint(root: pathlib.Path, production: list[dict], shadows: list[dict] | None = None,
                   sticky: dict | None = None, health: dict | None = None, admin: dict | None = None,
                   name: str = "e2e", salt: str | None = None, filename: str = "endpoint.yaml") -> pathlib.Path:
    """Writes root/filename (an endpoint config whose repository is `root`) and returns its path.

    Variants are dicts with the YAML keys (name, model, version, weight, ...); they are written as JSON
    flow mappings, which YAML reads as they are."""
    lines = [f"endpoint: {name}", "repository: ."]
    if sticky or salt:
        lines.append("routing:")
        lines.append(f"  salt: {json.dumps(salt or name)}")
        if sticky:
            lines.append(f"  sticky_key: {json.dumps(sticky)}")
    if health:
        lines.append(f"health: {json.dumps(health)}")
    if admin:
        lines.append(f"admin: {json.dumps(admin)}")
    lines.append("production_variants:")
    lines.extend(f"  - {json.dumps(v)}" for v in production)
    if shadows:
        lines.append("shadow_variants:")
        lines.extend(f"  - {json.dumps(v)}" for v in shadows)
    path = root / filename
    path.write_text("\n".join(lines) + "\n")
    return path


class KeepAliveClient:
    """One persistent HTTP/1.1 connection that reconnects if the server closes it."""

    def __init__(self, server: Server, timeout: float = 30.0):
        self.server = server
        self.timeout = timeout
        self.conn = server.connection(timeout)

    def request(self, method: str, path: str, body: bytes | str | None = None, headers: dict[str, str] | None = None):
        if isinstance(body, str):
            body = body.encode()
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.will_close:
                    self.conn.close()
                    self.conn = self.server.connection(self.timeout)
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = self.server.connection(self.timeout)
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def invoke(self, body, content_type="text/csv", headers: dict[str, str] | None = None):
        h = {"Content-Type": content_type}
        if headers:
            h.update(headers)
        return self.request("POST", "/invocations", body, h)

    def close(self):
        self.conn.close()


def parallel_invoke(server: Server, total: int, threads: int = 4, body: str = "1.0",
                    headers_for=None) -> list[tuple[int, dict, bytes]]:
    """Sends `total` invocations from `threads` keep-alive connections; returns every (status, headers, body)
    in request order. `headers_for(i)` gives request i's extra headers."""
    results: list = [None] * total
    errors: list[BaseException] = []

    def work(start: int):
        client = KeepAliveClient(server)
        try:
            for i in range(start, total, threads):
                extra = headers_for(i) if headers_for else None
                results[i] = client.invoke(body, headers=extra)
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            errors.append(error)
        finally:
            client.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
    return results


def variant_of(response) -> str | None:
    """The X-Amzn-Invoked-Production-Variant header of a (status, headers, body) response."""
    return response[1].get("x-amzn-invoked-production-variant")


def ping_json(server: Server):
    """GET /ping with Accept: application/json: (status, parsed body)."""
    status, _, body = server.request("GET", "/ping", headers={"Accept": "application/json"})
    return status, json.loads(body)


def admin_weights(server: Server, body: dict, token: str | None = None):
    """POST /admin/weights: (status, parsed body)."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    status, _, data = server.request("POST", "/admin/weights", json.dumps(body), headers)
    return status, json.loads(data) if data else None


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05):
    """Polls `predicate` until it returns a truthy value (returned) or `timeout` passes (AssertionError)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(interval)
# Helpers for the server-contract tests (system-tests/e2e/test_server_*.py).

import socket  # noqa: E402


def zoo_model_dir(root: pathlib.Path, zoo_name: str, zoo_version: str = "v1") -> pathlib.Path:
    """A SageMaker-style model directory (`--model-dir`): root/<zoo_name>-<version>/model.onnx."""
    directory = root / f"{zoo_name}-{zoo_version}"
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(ZOO / zoo_name / zoo_version / "model.onnx", directory / "model.onnx")
    return directory


def synthetic_model_dir(root: pathlib.Path, name: str = "synthetic", **fields) -> pathlib.Path:
    """A model directory holding only synthetic.yaml (served as the single variant AllTraffic)."""
    directory = root / name
    directory.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}: {json.dumps(value)}" for key, value in fields.items()]
    (directory / "synthetic.yaml").write_text("\n".join(lines) + "\n")
    return directory


def csv_row(n: int, value: float = 1.0) -> str:
    return ",".join([repr(value)] * n)


class RawResponse:
    """One HTTP/1.1 response read off a raw socket."""

    def __init__(self, status: int, reason: str, headers: dict[str, str], body: bytes):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"RawResponse({self.status} {self.reason}, {self.headers}, {self.body[:200]!r})"


class RawClient:
    """A plain TCP socket that speaks just enough HTTP/1.1 to test framing: pipelining, partial bodies,
    garbage, chunked uploads. Responses are read with Content-Length framing (Tandem never chunks)."""

    def __init__(self, port: int, timeout: float = 10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def send(self, data: bytes | str):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        if not chunk:
            return False
        self.buffer += chunk
        return True

    def read_response(self) -> RawResponse:
        """Reads one response; raises ConnectionError if the server closes first."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                raise ConnectionError(f"connection closed before a response head (got {self.buffer!r})")
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        version, status, *reason = lines[0].split(" ", 2)
        assert version.startswith("HTTP/1."), lines[0]
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        self.buffer = rest
        while len(self.buffer) < length:
            if not self._fill():
                raise ConnectionError("connection closed inside a response body")
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return RawResponse(int(status), reason[0] if reason else "", headers, body)

    def is_closed_by_peer(self, timeout: float = 5.0) -> bool:
        """True if the server closes (EOF or reset) within `timeout` without sending more bytes."""
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
        if chunk:
            self.buffer += chunk
            return False
        return True

    def nothing_arrives(self, seconds: float) -> bool:
        """True if no byte arrives (and the connection stays open) for `seconds`."""
        self.sock.settimeout(seconds)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return True
        self.buffer += chunk
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def http_request(method: str, path: str, body: bytes | str = b"", headers: dict[str, str] | None = None) -> bytes:
    """The bytes of one HTTP/1.1 request with Content-Length framing (for raw sockets)."""
    if isinstance(body, str):
        body = body.encode()
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def assert_serving(server: Server):
    """The server still answers /ping with 200 on a fresh connection."""
    status, _, _ = server.request("GET", "/ping", timeout=5)
    assert status == 200
    assert server.proc.poll() is None, "tandem exited"


def run_tandem(*args: str, env: dict[str, str] | None = None, timeout: float = 30.0) -> subprocess.CompletedProcess:
    """Runs `tandem <args>` to completion (for CLI subcommands and failing starts)."""
    return subprocess.run([tandem_binary(), *args], capture_output=True, text=True, env=tandem_env(env),
                          cwd=str(REPO), timeout=timeout)


def expected_predictions(zoo_name: str, version: str = "v1") -> list[tuple[object, list[float]]]:
    """(label, class probabilities in class order) per input row, from onnxruntime's expected.json.
    Works for plain classifiers (label/probabilities) and ZipMap ones (output_label/output_probability)."""
    outputs = zoo_expected(zoo_name, version)["outputs"]
    names = list(outputs)
    label_name = next(n for n in names if "label" in n)
    prob_name = next(n for n in names if "prob" in n)
    labels = outputs[label_name]["data"]
    probabilities = [list(p.values()) if isinstance(p, dict) else p for p in outputs[prob_name]["data"]]
    return list(zip(labels, probabilities))


def parse_predictions(body: bytes, content_type: str) -> list[tuple[object, list[float]]]:
    """(label, probabilities) per record from a classifier's response in any of the three formats."""
    media = content_type.split(";")[0].strip()
    if media == "application/json":
        records = json.loads(body)["predictions"]
    elif media == "application/jsonlines":
        records = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
    elif media == "text/csv":
        rows = []
        for line in body.decode().splitlines():
            cells = line.split(",")
            label: object = cells[0]
            try:
                label = int(cells[0])
            except ValueError:
                pass
            rows.append((label, [float(c) for c in cells[1:]]))
        return rows
    else:
        raise AssertionError(f"unexpected Content-Type {content_type!r}")
    out = []
    for record in records:
        probabilities = record["probabilities"]
        if isinstance(probabilities, dict):
            probabilities = list(probabilities.values())
        out.append((record["label"], probabilities))
    return out


def assert_predictions(got, expected, tolerance: float = 1e-5):
    """Labels exact, probabilities within `tolerance` absolute, same number of records in order."""
    assert len(got) == len(expected), f"{len(got)} records for {len(expected)} inputs"
    for row, ((label, probs), (want_label, want_probs)) in enumerate(zip(got, expected), start=1):
        assert label == want_label, f"row {row}: label {label!r}, expected {want_label!r}"
        assert len(probs) == len(want_probs), f"row {row}: {probs} vs {want_probs}"
        for column, (p, q) in enumerate(zip(probs, want_probs), start=1):
            assert abs(p - q) <= tolerance, f"row {row} class {column}: {p} vs {q}"


class CommandServer(Server):
    """A tandem process started with exactly `argv` (after the binary), e.g. without `--port 0`, to test
    how the command line and the environment choose the port and the model directory."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None, wait_ready: bool = True,
                 startup_timeout: float = 30.0):
        super().__init__([], env=env, wait_ready=wait_ready, startup_timeout=startup_timeout, argv=argv)


@pytest.fixture
def start_command():
    """Factory: start_command([...argv], env={...}) -> CommandServer; stopped after the test."""
    servers: list[Server] = []

    def start(argv: list[str], env: dict[str, str] | None = None, **kwargs) -> CommandServer:
        server = CommandServer(argv, env=env, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def free_port() -> int:
    """A TCP port that was free a moment ago (bind to 0, read, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
