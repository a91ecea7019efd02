"""Data capture end to end: a real tandem process, real sockets, the capture files read back from disk.

10,000 requests at 30% sampling across two variants give JSON Lines files in SageMaker's capture schema
whose records match the requests one for one (ids, bodies, answers, variants), at a sampling rate within a
binomial bound; a capture directory that cannot be written in the middle of a run (replaced by a file, which
stops writes for root too) costs no invocation, and the records it could not write are counted and logged.
"""
from __future__ import annotations

import json
import math
import pathlib
import re
import shutil
import threading

from conftest import KeepAliveClient, wait_until, write_endpoint, write_synthetic


def capture_endpoint(root: pathlib.Path, sampling: float, flush_ms: int = 50) -> pathlib.Path:
    write_synthetic(root, "fast", 1, features=3)
    config = write_endpoint(root, [
        {"name": "a", "model": "fast", "version": 1, "weight": 1},
        {"name": "b", "model": "fast", "version": 1, "weight": 1},
    ], name="cap")
    # The disk threshold is pinned so that writes do not depend on how full the test machine's disk is.
    capture = {"sampling_percentage": sampling, "destination": "capture", "flush_ms": flush_ms,
               "disk_usage_threshold_percentage": 100}
    with config.open("a") as f:
        f.write(f"data_capture: {json.dumps(capture)}\n")
    return config


def metric(server, series: str) -> int:
    _, _, body = server.request("GET", "/metrics")
    for line in body.decode().splitlines():
        if line.startswith(series + " "):
            return int(float(line.split()[-1]))
    return 0


def send(server, first: int, count: int, threads: int = 4) -> dict[str, dict]:
    """Sends requests first..first+count-1 from `threads` keep-alive connections; returns what each got,
    by the request id tandem assigned (x-amzn-RequestId)."""
    sent: dict[str, dict] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(offset: int):
        client = KeepAliveClient(server)
        try:
            for i in range(first + offset, first + count, threads):
                body = f"{i}.5,1,2"
                status, headers, answer = client.invoke(body, headers={"X-Amzn-SageMaker-Inference-Id": f"inf-{i}"})
                assert status == 200, (status, answer)
                with lock:
                    sent[headers["x-amzn-requestid"]] = {
                        "body": body, "inference": f"inf-{i}", "answer": answer.decode(),
                        "variant": headers["x-amzn-invoked-production-variant"]}
        except BaseException as error:  # noqa: BLE001 - re-raised below
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
    assert len(sent) == count, "request ids are not unique"
    return sent


def read_records(folder: pathlib.Path) -> list[tuple[pathlib.Path, dict]]:
    """Every record in every .jsonl file under `folder`; a line that does not parse fails the test."""
    records = []
    for path in sorted(folder.rglob("*.jsonl")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            try:
                records.append((path, json.loads(line)))
            except json.JSONDecodeError as error:
                raise AssertionError(f"{path}:{number} does not parse: {error}: {line[:200]!r}") from None
    return records


def settled_records(server, folder: pathlib.Path, timeout: float = 20):
    """The records once the writer has caught up: every sampled record written, and the files read while
    the written count stood still (so the files and the counters agree)."""
    def attempt():
        written = metric(server, "tandem_capture_written_total")
        if written == 0 or written != metric(server, "tandem_capture_sampled_total"):
            return None
        records = read_records(folder)
        if metric(server, "tandem_capture_written_total") != written:
            return None
        assert len(records) == written, f"{len(records)} records in the files, {written} counted as written"
        return records
    return wait_until(attempt, timeout=timeout)


def check_records(records, sent: dict[str, dict], capture: pathlib.Path):
    """Each record matches the request it names, exactly once, and sits in its variant's hour folder."""
    seen = set()
    for path, record in records:
        metadata = record["eventMetadata"]
        request = sent.get(metadata["eventId"])
        assert request is not None, f"record for a request never sent: {metadata}"
        assert metadata["eventId"] not in seen, f"request {metadata['eventId']} captured twice"
        seen.add(metadata["eventId"])
        assert metadata["inferenceId"] == request["inference"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", metadata["inferenceTime"])
        assert record["eventVersion"] == "0"
        data = record["captureData"]
        assert data["endpointInput"] == {"observedContentType": "text/csv", "mode": "INPUT",
                                         "data": request["body"], "encoding": "CSV"}
        assert data["endpointOutput"] == {"observedContentType": "application/json", "mode": "OUTPUT",
                                          "data": request["answer"], "encoding": "JSON"}
        tandem = record["tandem"]
        assert (tandem["endpoint"], tandem["variant"], tandem["model"], tandem["version"], tandem["shadow"]) == \
            ("cap", request["variant"], "fast", 1, False)
        relative = path.relative_to(capture).parts
        hour = metadata["inferenceTime"][:13].replace("-", "/").replace("T", "/")
        assert relative[:2] == ("cap", request["variant"]) and "/".join(relative[2:6]) == hour, path
        assert re.fullmatch(r"\d\d-\d\d-\d{3}-[0-9a-f-]{36}\.jsonl", relative[6]), path
    return seen


def test_ten_thousand_requests_at_thirty_percent(start_server, tmp_repo):
    config = capture_endpoint(tmp_repo, sampling=30)
    server = start_server(["--config", str(config), "--workers", "2"])
    capture = tmp_repo / "capture"
    wait_until(lambda: f"tandem writes data capture to {capture}\n" in server.stdout_lines, timeout=10)

    total = 10_000
    sent = send(server, 0, total)
    records = settled_records(server, capture)
    seen = check_records(records, sent, capture)
    # 30% of 10,000: mean 3,000, sd 45.8; 5 sd either side.
    bound = 5 * math.sqrt(total * 0.3 * 0.7)
    assert abs(len(seen) - total * 0.3) < bound, f"{len(seen)} of {total} sampled"
    by_variant = {v: sum(1 for r in sent.values() if r["variant"] == v) for v in ("a", "b")}
    captured = {v: sum(1 for _, r in records if r["tandem"]["variant"] == v) for v in ("a", "b")}
    for variant in ("a", "b"):
        n = by_variant[variant]
        assert abs(captured[variant] - n * 0.3) < 5 * math.sqrt(n * 0.21), (by_variant, captured)
    assert metric(server, 'tandem_capture_dropped_total{reason="queue_records"}') == 0


def test_unwritable_capture_directory_loses_no_invocation(start_server, tmp_repo):
    config = capture_endpoint(tmp_repo, sampling=100, flush_ms=20)
    server = start_server(["--config", str(config), "--workers", "2"])
    capture = tmp_repo / "capture"
    written = lambda: metric(server, "tandem_capture_written_total")  # noqa: E731
    dropped = lambda: metric(server, 'tandem_capture_dropped_total{reason="write_error"}')  # noqa: E731

    sent = send(server, 0, 300)
    wait_until(lambda: written() == 300, timeout=20)

    # The endpoint's folder becomes a file: no folder or file can be made under it, root or not.
    moved = tmp_repo / "capture-moved"
    shutil.move(str(capture / "cap"), str(moved))
    (capture / "cap").write_text("not a directory\n")
    broken = send(server, 300, 300)  # every one answered 200 (send asserts it)
    sent.update(broken)
    wait_until(lambda: written() + dropped() == metric(server, "tandem_capture_sampled_total") == 600, timeout=20)
    assert dropped() > 0 and written() + dropped() == 600
    wait_until(lambda: any("data capture cannot write" in line for line in server.stderr_lines), timeout=10)
    wait_until(lambda: any("data capture dropped records" in line and "write_error" in line
                           for line in server.stderr_lines), timeout=20)

    # Writable again: capture resumes without a restart.
    (capture / "cap").unlink()
    sent.update(send(server, 600, 100))
    wait_until(lambda: written() + dropped() == 700, timeout=20)
    assert written() == 700 - dropped() >= 400

    records = read_records(moved) + read_records(capture)
    seen = check_records([(p, r) for p, r in records if p.is_relative_to(capture)], sent, capture)
    # Records written before the break are in the moved folder (checked as if still in place).
    seen |= check_records([(capture / "cap" / p.relative_to(moved), r)
                           for p, r in records if p.is_relative_to(moved)], sent, capture)
    assert len(records) == len(seen) == written()
    # What was lost is exactly what was counted: none of the 700 invocations is missing otherwise.
    assert len(sent) - len(seen) == dropped()
