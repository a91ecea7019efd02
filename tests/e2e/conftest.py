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


class Server:
    """A running tandem process."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None, cwd: str | None = None,
                 wait_ready: bool = True, startup_timeout: float = 30.0):
        full_env = dict(os.environ)
        # Keep the process away from SageMaker paths unless a test opts in.
        for name in ("SM_MODEL_DIR", "SAGEMAKER_BIND_TO_PORT"):
            full_env.pop(name, None)
        full_env.setdefault("TANDEM_LOG_LEVEL", "warning")
        if env:
            full_env.update(env)
        self.args = [tandem_binary(), "serve", "--host", "127.0.0.1", "--port", "0", *args]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=full_env, cwd=cwd or str(REPO), text=True)
        self.pid = self.proc.pid
        self.stderr_lines: list[str] = []
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
            if match:
                return int(match.group(1))
        raise RuntimeError("tandem did not print its port in time")

    def _drain_stderr(self):
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr_lines.append(line)

    def _drain_stdout(self):
        assert self.proc.stdout is not None
        for _ in self.proc.stdout:
            pass

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
