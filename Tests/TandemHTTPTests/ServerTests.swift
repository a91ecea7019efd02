import Glibc
import Logging
import Synchronization
import Testing
@testable import TandemHTTP
import TandemIO

@Suite("HTTP server over real sockets", .serialized)
struct ServerTests {
    @Test func keepAliveThousandSequentialRequests() async throws {
        try await withServer { port, _, responder in
            let client = try TestClient(port: port)
            for i in 0..<1000 {
                let body = "req-\(i)"
                try client.send("POST /echo?i=\(i) HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.bodyString == body)
                if response.bodyString != body { break }
            }
            #expect(responder.seen.load(ordering: .relaxed) == 1000)
        }
    }

    @Test func responseCarriesRequestIDAndHeaders() async throws {
        try await withServer { port, _, _ in
            let client = try TestClient(port: port)
            try client.send("GET /ping?a=b HTTP/1.1\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.header("x-path") == "/ping")
            #expect(response.header("x-query") == "a=b")
            #expect(response.header("x-amzn-RequestId")?.utf8.count == 16)
            #expect(response.header("content-length") == "0")
            #expect(response.header("connection") == nil)
        }
    }

    @Test func responsesCarryADateAndAbsoluteFormTargetsAreRouted() async throws {
        try await withServer { port, _, _ in
            let client = try TestClient(port: port)
            let before = WallClock.secondsSinceEpoch()
            try client.send("GET http://localhost:\(port)/ping?a=b HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let response = try client.readResponse()
            let after = WallClock.secondsSinceEpoch()
            #expect(response.status == 200)
            #expect(response.header("x-path") == "/ping")
            #expect(response.header("x-query") == "a=b")
            let date = try #require(response.header("date"))
            #expect([before, after].map { HTTPDate.format(epochSeconds: $0) }.contains(date))
            try client.send("GET HTTPS://example.com HTTP/1.1\r\n\r\n")
            #expect(try client.readResponse().header("x-path") == "/")
        }
    }

    @Test func headGetsNoBody() async throws {
        try await withServer { port, _, _ in
            let client = try TestClient(port: port)
            try client.send("HEAD /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")
            let response = try client.readResponse(headRequest: true)
            #expect(response.status == 200)
            #expect(response.header("content-length") == "3")
            // The next response must start right away (no stray body bytes in between).
            try client.send("GET /after HTTP/1.1\r\n\r\n")
            #expect(try client.readResponse().header("x-path") == "/after")
        }
    }

    @Test func pipelinedRequestsAnsweredInOrder() async throws {
        try await withServer { port, _, _ in
            let client = try TestClient(port: port)
            var batch = ""
            for i in 0..<20 {
                // Alternate slow (other thread) and inline answers: order must still hold.
                let path = i % 3 == 0 ? "/delay/\(20 - i)" : "/fast"
                batch += "POST \(path) HTTP/1.1\r\nContent-Length: \(String(i).utf8.count)\r\n\r\n\(i)"
            }
            try client.send(batch)
            for i in 0..<20 {
                let response = try client.readResponse()
                #expect(response.bodyString == String(i))
            }
        }
    }

    @Test func pipelineBeyondBufferBoundPausesAndResumes() async throws {
        var config = HTTPServerConfiguration()
        config.maxPipelinedBytes = 16 * 1024
        try await withServer(config) { port, _, _ in
            let client = try TestClient(port: port)
            let payload = String(repeating: "p", count: 2000)
            var batch = "POST /delay/100 HTTP/1.1\r\nContent-Length: 5\r\n\r\nfirst"
            for i in 0..<200 {
                let body = "\(pad4(i))\(payload)"
                batch += "POST /n HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            }
            let bytes = Array(batch.utf8)
            let fd = client.fd
            // Send from another thread: the server stops reading while the first request is outstanding.
            let sender = TestThread {
                var offset = 0
                while offset < bytes.count {
                    let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
                    if n <= 0 { return }
                    offset += n
                }
            }
            #expect(try client.readResponse().bodyString == "first")
            for i in 0..<200 {
                let response = try client.readResponse()
                #expect(response.bodyString.hasPrefix(pad4(i)))
                if !response.bodyString.hasPrefix(pad4(i)) { break }
            }
            sender.join()
        }
    }

    @Test func hundredConcurrentClients() async throws {
        var config = HTTPServerConfiguration()
        config.loopCount = 2
        try await withServer(config) { port, server, _ in
            #expect(server.loops.count == 2)
            let failures = Counter()
            let threads = (0..<100).map { c in
                TestThread {
                    do {
                        let client = try TestClient(port: port)
                        for r in 0..<10 {
                            let path = r == 5 ? "/delay/5" : "/c\(c)"
                            try client.send("POST \(path) HTTP/1.1\r\nContent-Length: 4\r\n\r\n\(pad4(c))")
                            let response = try client.readResponse()
                            if response.bodyString != pad4(c) { failures.add() }
                        }
                    } catch {
                        failures.add()
                    }
                }
            }
            for thread in threads { thread.join() }
            #expect(failures.value == 0)
        }
    }

    @Test func payloadTooLargeByContentLength() async throws {
        var config = HTTPServerConfiguration()
        config.maxBodyBytes = 1000
        try await withServer(config) { port, _, responder in
            let client = try TestClient(port: port)
            try client.send("POST /x HTTP/1.1\r\nContent-Length: 5000000\r\n\r\n" + String(repeating: "a", count: 2000))
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("content-type") == "application/json")
            #expect(response.header("connection") == "close")
            #expect(response.bodyString.contains(#""code":"payload_too_large""#))
            #expect(response.bodyString.contains(#""request_id":""#))
            #expect(client.waitForClose())
            #expect(responder.seen.load(ordering: .relaxed) == 0)
        }
    }

    @Test func expectContinueAndExpectRejected() async throws {
        var config = HTTPServerConfiguration()
        config.maxBodyBytes = 1000
        try await withServer(config) { port, _, _ in
            let client = try TestClient(port: port)
            try client.send("POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            let interim = try client.readResponse()
            #expect(interim.status == 100)
            try client.send("hello")
            #expect(try client.readResponse().bodyString == "hello")

            let big = try TestClient(port: port)
            try big.send("POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n")
            #expect(try big.readResponse().status == 413)
        }
    }

    @Test func payloadTooLargeByChunkedBody() async throws {
        var config = HTTPServerConfiguration()
        config.maxBodyBytes = 1000
        try await withServer(config) { port, _, responder in
            let client = try TestClient(port: port)
            try client.send("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in 0..<15 { try client.send("64\r\n" + String(repeating: "b", count: 100) + "\r\n") }
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(client.waitForClose())
            #expect(responder.seen.load(ordering: .relaxed) == 0)

            let ok = try TestClient(port: port)
            try ok.send("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            #expect(try ok.readResponse().bodyString == "hello")
        }
    }

    @Test func hugeHeaderGets431() async throws {
        var config = HTTPServerConfiguration()
        config.maxHeaderBytes = 4096
        try await withServer(config) { port, _, _ in
            let client = try TestClient(port: port)
            try client.send("GET / HTTP/1.1\r\nX-Big: " + String(repeating: "h", count: 10_000) + "\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 431)
            #expect(response.bodyString.contains("header_too_large"))
            #expect(client.waitForClose())
        }
    }

    @Test func garbageGets400AndServerKeepsServing() async throws {
        try await withServer { port, _, _ in
            for garbage in ["\u{16}\u{03}\u{01} hello\r\n\r\n", "NOT HTTP AT ALL\r\n\r\n", "GET / HTTP/1.1\r\nbad header\r\n\r\n"] {
                let client = try TestClient(port: port)
                try client.send(garbage)
                let response = try client.readResponse()
                #expect(response.status == 400)
                #expect(response.bodyString.contains(#""code":"bad_request""#))
                #expect(client.waitForClose())
            }
            let good = try TestClient(port: port)
            try good.send("GET /still-here HTTP/1.1\r\n\r\n")
            #expect(try good.readResponse().status == 200)
        }
    }

    @Test func clientHangUpWhileReplyPending() async throws {
        try await withServer { port, server, responder in
            let client = try TestClient(port: port)
            try client.send("POST /hold HTTP/1.1\r\nContent-Length: 1\r\n\r\nx")
            #expect(await eventually { responder.held.withLock { $0.count } == 1 })
            let writer = try #require(responder.held.withLock { $0.first })
            #expect(writer.isConnectionOpen)
            #expect(server.inFlightCount == 1)
            client.close()
            #expect(await eventually { !writer.isConnectionOpen })
            #expect(server.inFlightCount == 0)
            // A late send from another thread must be a harmless no-op.
            await Task.detached { writer.send(HTTPResponse(status: 200, body: [1, 2, 3])) }.value
            writer.send(HTTPResponse(status: 500))
            try await Task.sleep(for: .milliseconds(20))
            #expect(await eventually { server.connectionCount == 0 })
            let next = try TestClient(port: port)
            try next.send("GET / HTTP/1.1\r\n\r\n")
            #expect(try next.readResponse().status == 200)
            responder.held.withLock { $0.removeAll() }
        }
    }

    @Test func idleTimeoutClosesConnection() async throws {
        var config = HTTPServerConfiguration()
        config.idleTimeout = .milliseconds(200)
        config.requestHeadTimeout = .milliseconds(200)
        try await withServer(config) { port, server, _ in
            let client = try TestClient(port: port)
            try client.send("GET / HTTP/1.1\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            let start = ContinuousClock.now
            #expect(client.waitForClose())
            #expect(ContinuousClock.now - start < .seconds(3))
            // A head that never completes is closed too.
            let slow = try TestClient(port: port)
            try slow.send("GET / HTTP/1.1\r\nHost: partial")
            #expect(slow.waitForClose())
            #expect(await eventually { server.connectionCount == 0 })
        }
    }

    @Test func connectionCloseAndHTTP10() async throws {
        try await withServer { port, _, _ in
            let client = try TestClient(port: port)
            try client.send("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.header("connection") == "close")
            #expect(client.waitForClose())

            let old = try TestClient(port: port)
            try old.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try old.readResponse().header("connection") == "keep-alive")
            try old.send("GET /b HTTP/1.0\r\n\r\n")
            #expect(try old.readResponse().header("connection") == "close")
            #expect(old.waitForClose())
        }
    }

    @Test func gracefulShutdownLetsInFlightRequestFinish() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let responder = TestResponder()
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0),
                                responder: responder, logger: logger)
        let port = try server.start()
        let idle = try TestClient(port: port)
        try idle.send("GET / HTTP/1.1\r\n\r\n")
        _ = try idle.readResponse()
        let busy = try TestClient(port: port)
        try busy.send("POST /hold HTTP/1.1\r\nContent-Length: 4\r\n\r\nslow")
        #expect(await eventually { responder.held.withLock { $0.count } == 1 })
        let writer = try #require(responder.held.withLock { $0.first })
        let waiter = Task { await server.waitUntilShutdown() }
        let shutdown = Task { await server.shutdown(gracePeriod: .seconds(5)) }
        // Draining has begun once the idle keep-alive connection is closed; only then does the held request
        // answer, so its response must say `Connection: close` however slowly the shutdown task got scheduled.
        #expect(idle.waitForClose())
        #expect(server.inFlightCount == 1)
        writer.send(HTTPResponse(status: 200, body: Array("slow".utf8)))
        let response = try busy.readResponse()
        #expect(response.status == 200)
        #expect(response.bodyString == "slow")
        #expect(response.header("connection") == "close")
        responder.held.withLock { $0.removeAll() }
        await shutdown.value
        await waiter.value
        #expect(server.connectionCount == 0)
        #expect((try? TestClient(port: port)) == nil)
    }

    @Test func errorResponderShape() async throws {
        try await withServer { port, _, _ in
            let client = try TestClient(port: port)
            try client.send("GET /error HTTP/1.1\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 424)
            #expect(response.bodyString.hasPrefix(#"{"code":"model_error","message":"boom \"quoted\"","request_id":""#))
            #expect(response.bodyString.contains(response.header("x-amzn-RequestId") ?? "missing"))
        }
    }

    @Test func manyIdleConnections() async throws {
        try await withServer { port, server, _ in
            var clients: [TestClient] = []
            for _ in 0..<2000 { clients.append(try TestClient(port: port)) }
            #expect(await eventually(.seconds(10)) { server.connectionCount == 2000 })
            try clients[1999].send("GET / HTTP/1.1\r\n\r\n")
            #expect(try clients[1999].readResponse().status == 200)
        }
    }
}

/// Four-digit zero-padded decimal.
func pad4(_ value: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

/// A shareable atomic counter for task groups.
final class Counter: Sendable {
    private let storage = Atomic<Int>(0)
    func add(_ n: Int = 1) { storage.add(n, ordering: .relaxed) }
    var value: Int { storage.load(ordering: .relaxed) }
}

@Suite("Response writer without a connection")
struct DetachedWriterTests {
    @Test func firstSendWinsAndClosedWriterDrops() throws {
        let loop = try EventLoop(name: "w")
        let got = Counter()
        let writer = ResponseWriter(eventLoop: loop) { response in got.add(response.status) }
        #expect(writer.isConnectionOpen)
        writer.send(HTTPResponse(status: 200))
        writer.send(HTTPResponse(status: 500))
        #expect(got.value == 200)
        #expect(writer.hasSent)
        let closed = ResponseWriter(eventLoop: loop) { _ in got.add(1) }
        closed.markClosed()
        closed.send(HTTPResponse(status: 200))
        #expect(got.value == 200)
    }
}
