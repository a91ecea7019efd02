"""Model lifecycle under a memory budget, with many clients at once: load, invoke and unload racing from many
threads, and least-recently-used eviction under a small budget without failing a request in flight."""
import random
import threading

from conftest import ZOO, zoo_rows
from mme_support import TINY, invoke, load, metric, mme_env

ROW = None


def tiny_model(tmp_path):
    directory = tmp_path / "tiny"
    directory.mkdir()
    (directory / "model.onnx").write_bytes((ZOO / TINY / "v1" / "model.onnx").read_bytes())
    return directory


def run_threads(count, work):
    errors = []

    def guarded(index):
        try:
            work(index)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors[:3]


def test_load_invoke_unload_race(start_server, tmp_path):
    server = start_server(["--workers", "2"], env=mme_env())
    directory = tiny_model(tmp_path)
    row = zoo_rows(TINY)[0]
    names = [f"m{index}" for index in range(4)]
    seen = {"load": set(), "invoke": set(), "delete": set()}
    lock = threading.Lock()

    def work(index):
        rng = random.Random(index)
        for _ in range(40):
            name = rng.choice(names)
            action = rng.choice(["load", "invoke", "invoke", "invoke", "delete"])
            if action == "load":
                status = load(server, name, directory)[0]
                assert status in (200, 409), status
            elif action == "invoke":
                status, _, body = invoke(server, name, row)
                assert status in (200, 404), (status, body)
            else:
                status = server.request("DELETE", f"/models/{name}")[0]
                assert status in (200, 404), status
            with lock:
                seen[action].add(status)

    run_threads(8, work)
    assert 200 in seen["invoke"] and 200 in seen["load"] and 200 in seen["delete"]
    # The table is consistent afterwards: every listed model answers, the count matches the list.
    listed = [m["modelName"] for m in __import__("json").loads(server.request("GET", "/models")[2])["models"]]
    for name in listed:
        assert invoke(server, name, row)[0] == 200
    assert metric(server, "tandem_mme_loaded_model_count") == len(listed)
    assert server.proc.poll() is None


def test_lru_eviction_under_a_small_budget_fails_no_request_in_flight(start_server, tmp_path):
    size = (ZOO / TINY / "v1" / "model.onnx").stat().st_size
    server = start_server(["--workers", "2"], env=mme_env(TANDEM_MME_MEMORY_BUDGET_BYTES=str(size * 3)))
    directory = tiny_model(tmp_path)
    row = zoo_rows(TINY)[0]
    for name in ("a", "b", "c"):
        assert load(server, name, directory)[0] == 200
    assert invoke(server, "a", row)[0] == 200  # b is now the least recently used
    assert load(server, "d", directory)[0] == 200
    assert server.request("GET", "/models/b")[0] == 404
    assert server.request("GET", "/models/a")[0] == 200
    assert metric(server, "tandem_mme_model_evictions_total") == 1

    # Clients hammer the loaded models while others are loaded over them, as SageMaker would after a 404:
    # a request either finds its model (and then succeeds) or gets 404; never a failure mid-flight.
    stop = threading.Event()
    outcomes = []
    lock = threading.Lock()

    def client(index):
        rng = random.Random(index)
        while not stop.is_set():
            name = rng.choice("abcdefgh")
            status, _, body = invoke(server, name, row)
            with lock:
                outcomes.append((status, body))

    clients = [threading.Thread(target=client, args=(index,)) for index in range(6)]
    for thread in clients:
        thread.start()
    try:
        for round_ in range(4):
            for name in "efgh" if round_ % 2 == 0 else "abcd":
                status = load(server, name, directory)[0]
                assert status in (200, 409, 507), status
    finally:
        stop.set()
        for thread in clients:
            thread.join(60)
    statuses = {status for status, _ in outcomes}
    assert statuses <= {200, 404}, [o for o in outcomes if o[0] not in (200, 404)][:3]
    assert 200 in statuses
    assert metric(server, "tandem_mme_loaded_model_count") <= 3
    assert metric(server, "tandem_mme_loaded_model_bytes") <= size * 3
