"""Guarded rollouts inside one process: a challenger made slow is rolled back at the first evaluation that has
its minimum sample, under load, with no failed request; a healthy one takes its linear steps on schedule; a
canary holds for promotion; a restart (and a SIGHUP) in the middle resumes where it was."""
import json
import re
import signal
import threading
import time

from conftest import KeepAliveClient, wait_until, write_endpoint, write_synthetic

TOKEN = "rollout-token"


def endpoint(tmp_repo, rollout, challenger_latency=0, name="rollouts"):
    write_synthetic(tmp_repo, "m", 1, features=1, latency_ms=0)
    write_synthetic(tmp_repo, "m", 2, features=1, latency_ms=challenger_latency)
    config = write_endpoint(tmp_repo, [
        {"name": "control", "model": "m", "version": 1},
        {"name": "challenger", "model": "m", "version": 2, "weight": 0},
    ], name=name, admin={"token": TOKEN})
    config.write_text(config.read_text() + "experiment: {outcomes: true}\n"
                      + f"rollouts:\n  - {json.dumps(rollout)}\n")
    return config


def rollout(server):
    status, _, body = server.request("GET", "/variants")
    assert status == 200
    return (json.loads(body).get("rollouts") or [{}])[0]  # {} until the controller's first evaluation


def variants(server):
    return json.loads(server.request("GET", "/variants")[2])


def dashboard_tick(server, timeout=15.0):
    """The first `tick` event of a /dashboard/events stream, parsed."""
    import socket
    deadline = time.monotonic() + timeout
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(b"GET /dashboard/events HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n\r\n")
        data = b""
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            assert chunk, "the event stream closed"
            data += chunk
            for event in data.split(b"\n\n"):
                lines = event.split(b"\n")
                if b"event: tick" in lines:
                    payload = b"".join(line[len(b"data: "):] for line in lines if line.startswith(b"data: "))
                    try:
                        return json.loads(payload)
                    except ValueError:
                        continue  # the event is not complete yet
    raise AssertionError("no tick event in time")


def share(server, name="challenger"):
    status, _, body = server.request("GET", "/variants")
    return next(v["share"] for v in json.loads(body)["variants"] if v["name"] == name)


class Load:
    """Invocations from two keep-alive connections until stopped; keeps every status and variant."""

    def __init__(self, server):
        self.server, self.stop_flag, self.results = server, threading.Event(), []
        self.threads = [threading.Thread(target=self.work) for _ in range(2)]
        for t in self.threads:
            t.start()

    def work(self):
        client = KeepAliveClient(self.server)
        try:
            while not self.stop_flag.is_set():
                status, headers, _ = client.invoke("1.0")
                self.results.append((time.monotonic(), status, headers.get("x-amzn-invoked-production-variant")))
        finally:
            client.close()

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join()
        return self.results


def test_a_slow_challenger_is_rolled_back_under_load_without_a_failed_request(start_server, tmp_repo):
    config = endpoint(tmp_repo, {
        "variant": "challenger", "policy": "canary", "canary_share": 0.5, "bake_s": 120, "evaluation_interval_s": 0.2,
        "min_requests": 20, "guardrails": {"latency_p99_ms": 15}}, challenger_latency=40)
    server = start_server(["--config", str(config)])
    load = Load(server)
    try:
        wait_until(lambda: rollout(server).get("phase") == "rolled_back", timeout=30)
        rolled_back_at = time.monotonic()
        wait_until(lambda: len([r for r in load.results if r[0] > rolled_back_at + 0.5]) > 20, timeout=30)
    finally:
        results = load.stop()
    assert all(status == 200 for _, status, _ in results), "a request failed during the rollback"
    state = rollout(server)
    assert state["share"] == 0 and "latency p99" in state["reason"]
    assert [e["action"] for e in state["history"]] == ["start", "rollback"]
    # Rolled back at the first evaluation after the minimum sample: the challenger answered at most the
    # minimum plus what two evaluation intervals of load bring.
    challenger = [t for t, _, v in results if v == "challenger"]
    assert len(challenger) >= 20
    twentieth = sorted(challenger)[19]
    assert rolled_back_at - twentieth < 0.2 * 2 + 1.0
    assert not [t for t, _, v in results if v == "challenger" and t > rolled_back_at + 0.5]
    _, _, metrics = server.request("GET", "/metrics")
    assert re.search(r'tandem_rollout_rollbacks_total\{[^}]*guardrail="latency_p99"[^}]*\} 1', metrics.decode())


def test_a_healthy_linear_rollout_takes_its_steps_on_schedule(start_server, tmp_repo):
    config = endpoint(tmp_repo, {
        "variant": "challenger", "policy": "linear", "step_share": 0.25, "interval_s": 0.6, "promote": True,
        "evaluation_interval_s": 0.05, "min_requests": 5, "guardrails": {"error_rate": 0.1}})
    server = start_server(["--config", str(config)])
    load = Load(server)
    try:
        wait_until(lambda: rollout(server).get("phase") == "completed", timeout=30)
    finally:
        results = load.stop()
    assert all(status == 200 for _, status, _ in results)
    history = rollout(server)["history"]
    assert [e["action"] for e in history] == ["start", "step", "step", "complete"]
    assert [e["share"] for e in history] == [0.25, 0.5, 0.75, 1.0]
    gaps = [b["time"] - a["time"] for a, b in zip(history, history[1:])]
    assert all(0.6 <= gap < 0.6 + 1.5 for gap in gaps), gaps
    assert share(server) == 1.0
    _, _, metrics = server.request("GET", "/metrics")
    assert re.search(r'tandem_rollout_steps_total\{[^}]*\} 3', metrics.decode())


def test_a_canary_holds_for_promotion(start_server, tmp_repo):
    config = endpoint(tmp_repo, {
        "variant": "challenger", "policy": "canary", "canary_share": 0.2, "bake_s": 0.3, "evaluation_interval_s": 0.05})
    server = start_server(["--config", str(config)])
    wait_until(lambda: rollout(server).get("phase") == "holding", timeout=20)
    assert abs(share(server) - 0.2) < 1e-9
    # The dashboard's pushed tick carries the same rollout state as /variants, so an open page sees it live.
    tick = dashboard_tick(server)
    assert [(r["variant"], r["phase"]) for r in tick["variants"]["rollouts"]] == [("challenger", "holding")]
    status, _, body = server.request("POST", "/admin/rollouts", json.dumps({"action": "promote", "variant": "challenger"}),
                                     {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and json.loads(body)["rollouts"][0]["phase"] == "completed"
    wait_until(lambda: share(server) == 1.0, timeout=10)


def test_a_restart_and_a_sighup_mid_rollout_resume_it(start_server, tmp_repo):
    config = endpoint(tmp_repo, {
        "variant": "challenger", "policy": "linear", "step_share": 0.2, "interval_s": 1.5, "promote": True,
        "evaluation_interval_s": 0.05})
    server = start_server(["--config", str(config)])
    wait_until(lambda: rollout(server).get("step", 0) >= 2, timeout=20)
    generation = variants(server)["generation"]
    server.signal(signal.SIGHUP)  # the reload brings the config's weight (0) back; the rollout re-applies its share
    wait_until(lambda: variants(server)["generation"] > generation + 1 and share(server) >= 0.4 - 1e-9, timeout=10)
    step = rollout(server)["step"]
    assert server.stop() == 0
    again = start_server(["--config", str(config)])
    state = wait_until(lambda: rollout(again), timeout=10)
    assert state["step"] >= step and "resume" in [e["action"] for e in state["history"]]
    assert share(again) >= 0.2 * step - 1e-9
    wait_until(lambda: rollout(again).get("phase") == "completed", timeout=30)
