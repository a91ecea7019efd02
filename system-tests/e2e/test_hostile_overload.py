"""Overload at several times capacity and a short soak: every request is answered (200 or 503 with Retry-After)
and counted, /ping from a separate client stays under its target, and RSS returns near its start afterwards
(glibc arenas capped, free heap trimmed when idle). Figures printed here are recorded in docs/reliability.md."""
from __future__ import annotations

import json
import os
import random
import threading
import time

from conftest import admin_weights, wait_until, write_endpoint, write_synthetic
from hostile import HOSTILE_YAML, PingProbe, csv_burst, metric_values, rss_bytes

TOKEN = "soak-token"
# RSS after the burst, once idle, must come back within this of the RSS before it.
RSS_RETURN_BOUND = 48 << 20
# And may never exceed this during it.
RSS_PEAK_BOUND = 768 << 20


def start(start_server, tmp_path, env=None):
    write_synthetic(tmp_path, "m", 1, features=2000, latency_ms=2)
    write_synthetic(tmp_path, "m", 2, features=2000, latency_ms=2)
    (tmp_path / "m" / "model.yaml").write_text("versions: all\n")
    config = write_endpoint(tmp_path, [{"name": "a", "model": "m", "version": 1, "weight": 1},
                                       {"name": "b", "model": "m", "version": 2, "weight": 1}],
                            admin={"token_env": "E2E_ADMIN_TOKEN"})
    full_env = {"E2E_ADMIN_TOKEN": TOKEN, "TANDEM_MEMORY_TRIM_MS": "500", **(env or {})}
    full_env.update(json.loads(os.environ.get("TANDEM_SOAK_ENV", "{}")))
    server = start_server(["--config", str(config), "--workers", "2", "--queue-size", "8"], env=full_env)
    server.config_path = config
    return server


def hostile_configs(good: str) -> list[tuple[str, str, str]]:
    """(case, config text, a word its refusal names): every hostile YAML in front of the good config, and the
    good config with weights that are not finite or whose sum overflows."""
    cases = [(name, text + "\n" + good, word) for name, (text, word) in sorted(HOSTILE_YAML.items())]
    for weight in (".nan", ".inf", "1e400"):
        cases.append((f"weight {weight}", good.replace('"weight": 1}', f'"weight": {weight}}}', 1), "finite"))
    cases.append(("weights 1.7e308", good.replace('"weight": 1}', '"weight": 1.7e308}'), "overflows"))
    return cases


def burst(server, seconds: float, threads: int) -> dict[int, int]:
    """`threads` clients each send 4 rows of 2000 features (~72 KB bodies) for `seconds`; returns status -> count."""
    return csv_burst(server, seconds, threads, rows=4, features=2000)


def invocations_counted(server) -> float:
    return sum(metric_values(server, "tandem_invocations_total").values())


def settle_rss(server, base: int) -> int:
    """Polls RSS until it is back within the bound of `base` (or 20 s pass); returns the last reading."""
    deadline = time.monotonic() + 20
    while True:
        rss = rss_bytes(server.pid)
        if rss - base < RSS_RETURN_BOUND or time.monotonic() > deadline:
            return rss
        time.sleep(0.2)


def test_overload_at_several_times_capacity_is_answered_counted_and_memory_returns(start_server, tmp_path):
    server = start(start_server, tmp_path)
    burst(server, 1.0, 2)  # warm up: lazily built state is not a leak
    base = rss_bytes(server.pid)
    before = invocations_counted(server)
    peak = base
    with PingProbe(server) as probe:
        # 16 clients against 2 workers and a queue of 8 per variant: several times capacity.
        counts = burst(server, 6.0, 16)
        peak = max(peak, rss_bytes(server.pid))
    assert set(counts) <= {200, 503}, counts
    assert counts.get(503, 0) > 0, "the burst did not overload the server"
    # Every request is accounted for: the server counted exactly what the clients received.
    wait_until(lambda: invocations_counted(server) - before == sum(counts.values()), timeout=10)
    worst = probe.assert_fast()
    after = settle_rss(server, base)
    print(f"\noverload: {counts}, RSS base {base >> 20} MiB, peak {peak >> 20} MiB, after {after >> 20} MiB, "
          f"worst /ping {worst * 1000:.0f} ms")
    assert peak < RSS_PEAK_BOUND
    assert after - base < RSS_RETURN_BOUND, f"RSS stayed at {after >> 20} MiB after the burst (base {base >> 20})"


def test_soak_mixed_traffic_reloads_weight_changes_and_hostile_configs(start_server, tmp_path):
    """Mixed traffic while, every half second, the weights change and the config is reloaded: alternately the
    good config and a hostile one (alias bombs, deep nesting, a huge file, non-finite or overflowing weights).
    Every hostile reload is refused with its reason while the previous config keeps serving; every request is
    answered and counted; RSS returns near its start."""
    seconds = float(os.environ.get("TANDEM_SOAK_SECONDS", "20"))
    server = start(start_server, tmp_path)
    good = server.config_path.read_text()
    hostile = hostile_configs(good)
    burst(server, 1.0, 2)
    base = rss_bytes(server.pid)
    before = invocations_counted(server)
    stop = threading.Event()
    samples: list[int] = []
    reloads = {"accepted": 0, "refused": 0}
    problems: list[str] = []

    def reload(text: str) -> tuple[int, bytes]:
        server.config_path.write_text(text)
        status, _, body = server.request("POST", "/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"},
                                         timeout=30)
        return status, body

    def churn():
        rng = random.Random(3)
        turn = 0
        while not stop.is_set():
            admin_weights(server, {"weights": {"a": rng.choice([0.1, 1, 5]), "b": rng.choice([0.1, 1, 5])}},
                          token=TOKEN)
            if turn % 2 == 0:
                status, body = reload(good)
                if status == 200:
                    reloads["accepted"] += 1
                else:
                    problems.append(f"good config: {status} {body[:200]!r}")
            else:
                case, text, word = hostile[(turn // 2) % len(hostile)]
                status, body = reload(text)
                answer = json.loads(body) if body.startswith(b"{") else {}
                if status == 400 and answer.get("code") == "config_refused" and word in answer.get("message", ""):
                    reloads["refused"] += 1
                else:
                    problems.append(f"{case}: {status} {body[:200]!r}")
            turn += 1
            samples.append(rss_bytes(server.pid))
            stop.wait(0.5)
        server.config_path.write_text(good)

    churner = threading.Thread(target=churn)
    with PingProbe(server) as probe:
        churner.start()
        counts = burst(server, seconds, 8)
        stop.set()
        churner.join(60)
    assert not problems, problems
    assert set(counts) <= {200, 503}, counts
    wait_until(lambda: invocations_counted(server) - before == sum(counts.values()), timeout=10)
    worst = probe.assert_fast()
    after = settle_rss(server, base)
    print(f"\nsoak {seconds:.0f} s: {counts}, reloads {reloads}, RSS base {base >> 20} MiB, max {max(samples) >> 20} "
          f"MiB, after {after >> 20} MiB, worst /ping {worst * 1000:.0f} ms")
    assert reloads["refused"] >= min(len(hostile), 4), reloads
    assert after - base < RSS_RETURN_BOUND
    assert json.loads(server.request("GET", "/variants")[2])["generation"] > 1
