"""Live weight changes under load: no request fails while the admin call flips weights."""
import threading
import time
from collections import Counter

from conftest import KeepAliveClient, admin_weights, write_endpoint, write_synthetic

TOKEN = "live-token"


def test_weight_flips_under_load_lose_no_request(start_server, tmp_repo):
    write_synthetic(tmp_repo, "fast", 1, features=1, latency_ms=1)
    config = write_endpoint(tmp_repo, [
        {"name": "a", "model": "fast", "weight": 1.0},
        {"name": "b", "model": "fast", "weight": 0.0},
    ], admin={"token_env": "E2E_ADMIN_TOKEN"})
    server = start_server(["--config", str(config), "--workers", "2"], env={"E2E_ADMIN_TOKEN": TOKEN})

    stop = threading.Event()
    results: list[tuple[int, str | None]] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def send():
        client = KeepAliveClient(server)
        try:
            while not stop.is_set():
                status, headers, _ = client.invoke("1.0")
                with lock:
                    results.append((status, headers.get("x-amzn-invoked-production-variant")))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            client.close()

    senders = [threading.Thread(target=send) for _ in range(4)]
    for thread in senders:
        thread.start()
    flips = [{"a": 0.0, "b": 1.0}, {"a": 1.0, "b": 0.0}, {"a": 0.5, "b": 0.5},
             {"a": 0.0, "b": 1.0}, {"a": 0.9, "b": 0.1}, {"a": 0.0, "b": 1.0}]
    try:
        for weights in flips:
            time.sleep(0.3)
            status, body = admin_weights(server, {"weights": weights}, token=TOKEN)
            assert status == 200, body
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in senders:
            thread.join()

    assert not errors, errors
    assert len(results) > 200
    assert Counter(status for status, _ in results) == {200: len(results)}
    assert {variant for _, variant in results} == {"a", "b"}
    # The last flip sent everything to b.
    tail = [variant for _, variant in results[-20:]]
    assert tail.count("b") >= 16
    status, _, body = server.request("GET", "/admin/weights", headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
