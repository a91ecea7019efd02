"""Connection handling over real sockets: keep-alive, pipelining, many concurrent clients, clients that
hang up mid-request, and malformed HTTP; the server keeps serving after each."""
from __future__ import annotations

import json
import math
import socket
import threading
import time

import pytest

from conftest import (RawClient, Server, assert_predictions, assert_serving, expected_predictions, http_request,
                      parse_predictions, synthetic_model_dir, zoo_model_dir, zoo_rows)

IRIS = "iris-logreg"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("connections")
    started = Server(["--model-dir", str(zoo_model_dir(root, IRIS)), "--workers", "2"])
    yield started
    started.stop()


def expected_for(index):
    return expected_predictions(IRIS)[index]


# --- keep-alive, pipelining, concurrency --------------------------------------------------------------

def test_pipelined_requests_stay_in_order_when_they_finish_out_of_order(start_server, tmp_path):
    # Random 0-120 ms latencies on 2 workers: later requests often finish first.
    model = synthetic_model_dir(tmp_path, features=2, latency={"min_ms": 0, "max_ms": 120})
    server = start_server(["--model-dir", str(model), "--workers", "2"])
    values = [(-3 + 0.5 * i) for i in range(12)]
    payload = b"".join(http_request("POST", "/invocations", f"{v},{v}", {"Content-Type": "text/csv",
                                                                         "Accept": "text/csv"}) for v in values)
    with RawClient(server.port) as client:
        client.send(payload)
        for v in values:
            response = client.read_response()
            assert response.status == 200
            label, p0, p1 = response.body.decode().strip().split(",")
            p = 1 / (1 + math.exp(-v))
            assert abs(float(p1) - p) < 1e-5, (v, response.body)
            assert int(label) == (1 if p > 0.5 else 0)


# --- clients that hang up ------------------------------------------------------------------------------

def test_client_hangs_up_mid_body(server):
    row = zoo_rows(IRIS)[0].encode()
    for _ in range(5):
        with RawClient(server.port) as client:
            client.send(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                        b"Content-Length: 1000\r\n\r\n" + row)
    with RawClient(server.port) as client:
        client.send(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n10\r\n" + row[:8])
    with RawClient(server.port) as client:
        client.send(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Le")  # mid-header
    with RawClient(server.port) as client:
        client.send(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + row)
        client.sock.shutdown(socket.SHUT_WR)  # half-close: the body will never be complete
        assert client.is_closed_by_peer(5) or client.read_response().status == 400
    assert_serving(server)
    status, _, body = server.invoke(zoo_rows(IRIS)[3], accept="application/json")
    assert status == 200
    assert_predictions(parse_predictions(body, "application/json"), [expected_for(3)])


def test_client_hangs_up_before_a_slow_answer(start_server, tmp_path):
    model = synthetic_model_dir(tmp_path, features=2, latency_ms=400)
    server = start_server(["--model-dir", str(model), "--workers", "1"])
    for _ in range(3):
        client = RawClient(server.port)
        client.send(http_request("POST", "/invocations", "1,1", {"Content-Type": "text/csv"}))
        time.sleep(0.05)
        client.close()  # before the answer
    # The server keeps serving. The abandoned requests that were still queued are dropped without
    # running, so this one waits for at most the one already running (not all three).
    started = time.monotonic()
    status, _, body = server.invoke("0,0", timeout=10)
    elapsed = time.monotonic() - started
    assert status == 200, body
    assert abs(json.loads(body)["predictions"][0]["probabilities"][1] - 0.5) < 1e-6
    assert elapsed < 1.1, f"took {elapsed:.2f} s: abandoned queued requests ran anyway"
    assert_serving(server)


# --- header size (the transport's own limits are tested in Tests/TandemHTTPTests) ---------------------

def test_header_just_under_the_limit_is_fine(server):
    status, _, _ = server.request("GET", "/ping", headers={"X-Big": "a" * (60 * 1024)})
    assert status == 200


# --- connection semantics ----------------------------------------------------------------------------------

def test_header_names_and_media_types_are_case_insensitive(server):
    with RawClient(server.port) as client:
        body = zoo_rows(IRIS)[5]
        client.send(f"POST /invocations HTTP/1.1\r\nhost: x\r\ncontent-type: TEXT/CSV\r\n"
                    f"ACCEPT: Application/JSONLines\r\ncontent-length: {len(body)}\r\n\r\n{body}".encode())
        response = client.read_response()
    assert response.status == 200, response
    assert response.headers["content-type"] == "application/jsonlines"
    assert_predictions(parse_predictions(response.body, "application/jsonlines"), [expected_for(5)])


def test_idle_keep_alive_connection_still_works_after_a_pause(server):
    conn = server.connection()
    try:
        for pause in (0, 1.0):
            time.sleep(pause)
            conn.request("GET", "/ping")
            response = conn.getresponse()
            response.read()
            assert response.status == 200
    finally:
        conn.close()


def test_chunk_extensions_and_trailers_are_accepted(server):
    row = zoo_rows(IRIS)[9].encode()
    first, second = row[:5], row[5:]
    with RawClient(server.port) as client:
        client.send(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + b"%x;name=value\r\n" % len(first) + first + b"\r\n" + b"%x\r\n" % len(second) + second
                    + b"\r\n0\r\nX-Trailer: yes\r\n\r\n")
        response = client.read_response()
    assert response.status == 200, response
    assert_predictions(parse_predictions(response.body, response.headers["content-type"]), [expected_for(9)])


def test_content_length_with_transfer_encoding_is_refused(server):
    # Both framings at once is the request-smuggling shape: refuse and close.
    with RawClient(server.port) as client:
        client.send(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 3\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n5\r\n1,2,3\r\n0\r\n\r\n")
        response = client.read_response()
        assert response.status == 400
        assert client.is_closed_by_peer(5)
    assert_serving(server)


def test_ping_with_a_query_string(server):
    status, _, body = server.request("GET", "/ping?probe=1")
    assert (status, body) == (200, b"")


def test_200_pipelined_requests_in_one_send(server):
    rows = zoo_rows(IRIS)
    payload = b"".join(http_request("POST", "/invocations", rows[i % len(rows)],
                                    {"Content-Type": "text/csv", "Accept": "text/csv"}) for i in range(200))
    with RawClient(server.port, timeout=30) as client:
        client.send(payload)
        for i in range(200):
            response = client.read_response()
            assert response.status == 200
            assert_predictions(parse_predictions(response.body, "text/csv"), [expected_for(i % len(rows))])


def test_pipeline_ending_in_garbage_answers_the_good_requests_first(server):
    with RawClient(server.port) as client:
        client.send(http_request("GET", "/ping") + http_request("POST", "/invocations", zoo_rows(IRIS)[0],
                                                                {"Content-Type": "text/csv"})
                    + b"\x16\x03\x01 not http at all\r\n\r\n")
        assert client.read_response().status == 200
        assert client.read_response().status == 200
        try:
            response = client.read_response()
        except ConnectionError:
            pass
        else:
            assert response.status == 400
        assert client.is_closed_by_peer(5)
    assert_serving(server)


def test_100_concurrent_clients_on_two_event_loops(start_server, tmp_path):
    rows = zoo_rows(IRIS)
    expected = expected_predictions(IRIS)
    two_loops = start_server(["--model-dir", str(zoo_model_dir(tmp_path, IRIS)), "--workers", "2", "--loops", "2"])
    failures: list[str] = []

    def client(n):
        try:
            index = n % len(rows)
            status, headers, body = two_loops.invoke(rows[index], accept="application/jsonlines", timeout=30)
            assert status == 200, body
            assert_predictions(parse_predictions(body, headers["content-type"]), [expected[index]])
        except Exception as error:  # noqa: BLE001 - collected and reported below
            failures.append(f"client {n}: {error!r}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures[:5]
