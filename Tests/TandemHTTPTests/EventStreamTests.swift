import Glibc
import Logging
import Synchronization
import Testing
import TandemHTTP

/// Held responses (Server-Sent Events) over real sockets: the head has no Content-Length, later sends reach the
/// client, a client hang-up runs the close action, and a client that stops reading is cut off at the unsent-output
/// bound instead of buffering without end.
@Suite("Event streams over real sockets", .serialized)
struct EventStreamTests {
    final class StreamResponder: HTTPResponder {
        let streams = Mutex<[EventStream]>([])
        let closed = Atomic<Int>(0)

        func respond(to request: HTTPRequest, writer: ResponseWriter) {
            guard request.path == "/events" else {
                return writer.send(HTTPResponse(status: 200, body: Array("plain".utf8)))
            }
            var head = HTTPResponse(status: 200, body: Array("retry: 1000\n\n".utf8))
            head.headers.add("Content-Type", "text/event-stream")
            guard let stream = writer.startStream(head) else {
                return writer.send(HTTPResponse(status: 503))
            }
            // Weak: the responder keeps its streams, so a strong capture here made a cycle that leaked the server.
            stream.whenClosed { [weak self] in self?.closed.add(1, ordering: .relaxed) }
            streams.withLock { $0.append(stream) }
        }

        var first: EventStream? { streams.withLock { $0.first } }
    }

    func withStreamServer(maxUnsent: Int = 1 << 20, _ body: (Int, StreamResponder) async throws -> Void) async throws {
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.maxUnsentOutputBytes = maxUnsent
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let responder = StreamResponder()
        let server = HTTPServer(configuration: configuration, responder: responder, logger: logger)
        let port = try server.start()
        // A stream holds its connection, which holds the server's context and so this responder, which holds the
        // streams: the test lets go of them once the server is down (a real responder drops a stream when it
        // closes), or LeakSanitizer rightly reports the whole server as leaked.
        defer { responder.streams.withLock { $0.removeAll() } }
        do { try await body(port, responder) } catch {
            await server.shutdown(gracePeriod: .milliseconds(100))
            throw error
        }
        await server.shutdown(gracePeriod: .milliseconds(500))
    }

    /// Reads from `client` until the text received contains `marker` (or the receive timeout passes).
    func read(_ client: TestClient, until marker: String, into text: inout String) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !text.contains(marker) {
            let n = chunk.withUnsafeMutableBytes { Glibc.recv(client.fd, $0.baseAddress, 4096, 0) }
            guard n > 0 else { return false }
            text += String(decoding: chunk[0..<n], as: UTF8.self)
        }
        return true
    }

    @Test func eventsFollowTheHeadUntilTheClientLeaves() async throws {
        try await withStreamServer { port, responder in
            let client = try TestClient(port: port)
            try client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            var text = ""
            #expect(read(client, until: "retry: 1000\n\n", into: &text))
            #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(text.lowercased().contains("content-type: text/event-stream"))
            #expect(!text.lowercased().contains("content-length"))
            #expect(await eventually { responder.first != nil })
            let stream = try #require(responder.first)
            for i in 0..<3 { stream.send(Array("data: \(i)\n\n".utf8)) }
            #expect(read(client, until: "data: 2\n\n", into: &text))
            #expect(stream.isOpen)
            client.shutdownWrite()
            client.close()
            #expect(await eventually { responder.closed.load(ordering: .relaxed) == 1 })
            #expect(!stream.isOpen)
            stream.send(Array("data: late\n\n".utf8))  // dropped, no crash
        }
    }

    @Test func aClientThatDoesNotReadIsClosedAtTheUnsentBound() async throws {
        try await withStreamServer(maxUnsent: 64 * 1024) { port, responder in
            let client = try TestClient(port: port)
            var size: Int32 = 4096
            setsockopt(client.fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            try client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await eventually { responder.first != nil })
            let stream = try #require(responder.first)
            let event = Array(("data: " + String(repeating: "x", count: 8000) + "\n\n").utf8)
            // The client reads nothing: kernel buffers fill, then unsent bytes pile up to the bound and the stream ends.
            // Loopback send buffers can hold megabytes: keep sending (up to 48 MB) until the bound is reached.
            for i in 0..<6000 where stream.isOpen {
                stream.send(event)
                if i % 100 == 99 { try await Task.sleep(for: .milliseconds(5)) }
            }
            #expect(await eventually(.seconds(5)) { !stream.isOpen })
            #expect(responder.closed.load(ordering: .relaxed) == 1)
        }
    }

    @Test func closingFromTheServerEndsTheResponse() async throws {
        try await withStreamServer { port, responder in
            let client = try TestClient(port: port)
            try client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await eventually { responder.first != nil })
            let stream = try #require(responder.first)
            stream.send(Array("data: bye\n\n".utf8))
            stream.close()
            var text = ""
            #expect(read(client, until: "data: bye\n\n", into: &text))
            #expect(client.waitForClose())
            #expect(await eventually { responder.closed.load(ordering: .relaxed) == 1 })
        }
    }
}
