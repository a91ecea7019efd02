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

def test_keep_alive_1000_sequential_requests_on_one_connection(server):
    rows = zoo_rows(IRIS)
    expected = expected_predictions(IRIS)
    conn = server.connection()
    sock = None
    try:
        for i in range(1000):
            index = i % len(rows)
            conn.request("POST", "/invocations", body=rows[index],
                         headers={"Content-Type": "text/csv", "Accept": "application/json"})
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200, body
            assert_predictions(parse_predictions(body, response.getheader("Content-Type")), [expected[index]])
            if sock is None:
                sock = conn.sock
            assert conn.sock is sock, f"the connection was reopened at request {i}"
    finally:
        conn.close()


def test_pipelined_requests_answer_in_order(server):
    rows = zoo_rows(IRIS)
    plan = [("inv", 0), ("ping", None), ("inv", 1), ("inv", 2), ("params", None), ("inv", 3), ("404", None),
            ("inv", 4), ("inv", 5), ("ping", None), ("inv", 6)]
    payload = b""
    for kind, index in plan:
        if kind == "inv":
            payload += http_request("POST", "/invocations", rows[index],
                                    {"Content-Type": "text/csv", "Accept": "application/jsonlines"})
        elif kind == "ping":
            payload += http_request("GET", "/ping")
        elif kind == "params":
            payload += http_request("GET", "/execution-parameters")
        else:
            payload += http_request("GET", "/nowhere")
    with RawClient(server.port) as client:
        client.send(payload)  # everything in one send
        for kind, index in plan:
            response = client.read_response()
            if kind == "inv":
                assert response.status == 200, response
                assert_predictions(parse_predictions(response.body, response.headers["content-type"]),
                                   [expected_for(index)])
            elif kind == "ping":
                assert (response.status, response.body) == (200, b"")
            elif kind == "params":
                assert "MaxConcurrentTransforms" in response.json()
            else:
                assert response.status == 404
        assert client.nothing_arrives(0.2)


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


def test_100_concurrent_clients_each_get_their_own_answer(server):
    rows = zoo_rows(IRIS)
    expected = expected_predictions(IRIS)
    failures: list[str] = []
    barrier = threading.Barrier(100)

    def client(n):
        try:
            indices = [(n + k * 100) % len(rows) for k in range(3)]
            conn = server.connection(timeout=30)
            barrier.wait(10)
            for index in indices:
                body = "\n".join([rows[index], rows[(index + 1) % len(rows)]])
                conn.request("POST", "/invocations", body=body,
                             headers={"Content-Type": "text/csv", "Accept": "application/json"})
                response = conn.getresponse()
                data = response.read()
                if response.status != 200:
                    failures.append(f"client {n}: {response.status} {data[:200]!r}")
                    continue
                got = parse_predictions(data, response.getheader("Content-Type"))
                assert_predictions(got, [expected[index], expected[(index + 1) % len(rows)]])
            conn.close()
        except Exception as error:  # noqa: BLE001 - collected and reported below
            failures.append(f"client {n}: {error!r}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures[:5]


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


# --- malformed HTTP --------------------------------------------------------------------------------------

MALFORMED = [
    pytest.param(b"\x00\x01\x02garbage\xff\xfe\r\n\r\n", id="garbage-bytes"),
    pytest.param(b"HELLO\r\n\r\n", id="no-target-no-version"),
    pytest.param(b"GET /ping HTTP/9.9\r\n\r\n", id="bad-version"),
    pytest.param(b"GET  /ping  HTTP/1.1\r\n\r\n", id="double-spaces"),
    pytest.param(b"GET /ping HTTP/1.1\r\nNo colon here\r\n\r\n", id="header-without-colon"),
    pytest.param(b"POST /invocations HTTP/1.1\r\nContent-Length: abc\r\n\r\n", id="bad-content-length"),
    pytest.param(b"POST /invocations HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
                 id="conflicting-content-length"),
    pytest.param(b"POST /invocations HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
                 id="bad-chunk-size"),
]


@pytest.mark.parametrize("data", MALFORMED)
def test_malformed_request_gets_400_or_close(server, data):
    with RawClient(server.port, timeout=5) as client:
        client.send(data)
        try:
            response = client.read_response()
        except (ConnectionError, socket.timeout) as error:
            assert not isinstance(error, socket.timeout), "no answer and no close within 5 s"
        else:
            assert response.status in (400, 501, 505), response
            assert client.is_closed_by_peer(5), "a connection whose framing is lost must be closed"
    assert_serving(server)


def test_huge_header_gets_431_or_close(server):
    with RawClient(server.port, timeout=5) as client:
        try:
            client.send(b"GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (70 * 1024) + b"\r\n\r\n")
            response = client.read_response()
        except (ConnectionError, BrokenPipeError):
            pass
        else:
            assert response.status == 431, response
    with RawClient(server.port, timeout=5) as client:
        try:
            client.send(b"GET /ping HTTP/1.1\r\n" + b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(800))
                        + b"\r\n")
            response = client.read_response()
        except (ConnectionError, BrokenPipeError):
            pass
        else:
            assert response.status == 431, response
    assert_serving(server)


def test_header_just_under_the_limit_is_fine(server):
    status, _, _ = server.request("GET", "/ping", headers={"X-Big": "a" * (60 * 1024)})
    assert status == 200


# --- connection semantics ----------------------------------------------------------------------------------

def test_http_1_0_gets_an_answer_then_a_close(server):
    with RawClient(server.port) as client:
        client.send(b"GET /ping HTTP/1.0\r\n\r\n")
        response = client.read_response()
        assert response.status == 200
        assert client.is_closed_by_peer(5)


def test_connection_close_is_honoured(server):
    with RawClient(server.port) as client:
        client.send(http_request("POST", "/invocations", zoo_rows(IRIS)[0],
                                 {"Content-Type": "text/csv", "Connection": "close"}))
        response = client.read_response()
        assert response.status == 200
        assert response.headers.get("connection", "").lower() == "close"
        assert client.is_closed_by_peer(5)


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


def test_expect_100_continue(server):
    body = zoo_rows(IRIS)[2].encode()
    with RawClient(server.port) as client:
        client.send(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nExpect: 100-continue\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(body))
        interim = client.read_response()
        assert interim.status == 100
        client.send(body)
        response = client.read_response()
    assert response.status == 200
    assert_predictions(parse_predictions(response.body, response.headers["content-type"]), [expected_for(2)])


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
