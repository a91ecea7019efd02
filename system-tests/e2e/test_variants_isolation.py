"""Variant isolation: a saturated slow variant does not slow down the other one."""
import json
import statistics
import threading
import time

from conftest import KeepAliveClient, write_endpoint, write_synthetic

TARGET = "X-Amzn-SageMaker-Target-Variant"


def fast_latencies(server, count=40):
    client = KeepAliveClient(server)
    latencies = []
    try:
        for _ in range(count):
            start = time.perf_counter()
            status, headers, _ = client.invoke("1.0", headers={TARGET: "fast"})
            latencies.append(time.perf_counter() - start)
            assert status == 200
            assert headers["x-amzn-invoked-production-variant"] == "fast"
    finally:
        client.close()
    return latencies


def test_slow_variant_does_not_slow_the_other(start_server, tmp_repo):
    write_synthetic(tmp_repo, "quick", 1, features=1)
    write_synthetic(tmp_repo, "sluggish", 1, features=1, latency_ms=500)
    config = write_endpoint(tmp_repo, [
        {"name": "fast", "model": "quick", "weight": 0.5},
        {"name": "slow", "model": "sluggish", "weight": 0.5},
    ])
    server = start_server(["--config", str(config), "--workers", "2"])
    fast_latencies(server, 10)  # warm-up
    baseline = fast_latencies(server)

    stop = threading.Event()
    slow_statuses: list[int] = []

    def hammer_slow():
        client = KeepAliveClient(server)
        try:
            while not stop.is_set():
                status, _, _ = client.invoke("1.0", headers={TARGET: "slow"})
                slow_statuses.append(status)
        finally:
            client.close()

    hammers = [threading.Thread(target=hammer_slow) for _ in range(6)]
    for thread in hammers:
        thread.start()
    try:
        time.sleep(0.3)
        _, _, body = server.request("GET", "/variants")
        loaded = fast_latencies(server)
    finally:
        stop.set()
        for thread in hammers:
            thread.join()

    # The slow variant was saturated: one worker busy on its 500 ms model (the other is reserved for
    # the fast variant) and requests queued behind it.
    slow = {v["name"]: v for v in json.loads(body)["variants"]}["slow"]
    assert slow["running"] == 1, slow
    assert slow["queue_depth"] >= 3, slow
    assert statistics.median(loaded) < statistics.median(baseline) + 0.05, (baseline, loaded)
    assert max(loaded) < 0.25, max(loaded)
    assert slow_statuses and all(s in (200, 503) for s in slow_statuses)
