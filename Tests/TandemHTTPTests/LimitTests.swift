import Synchronization
import Testing

@testable import TandemHTTP

/// The HTTP layer's limits over real sockets: buffered-body budget, body rate, connection cap, unsent output.
@Suite("HTTP limits")
struct LimitTests {
    /// Counts every limit hit the server reports.
    final class Hits: Sendable {
        let byLimit = Mutex<[HTTPLimit: Int]>([:])
        func record(_ limit: HTTPLimit) { byLimit.withLock { $0[limit, default: 0] += 1 } }
        func count(_ limit: HTTPLimit) -> Int { byLimit.withLock { $0[limit] ?? 0 } }
    }

    func withLimitedServer(_ configure: (inout HTTPServerConfiguration) -> Void,
                           _ body: (Int, HTTPServer, Hits) async throws -> Void) async throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configure(&configuration)
        let hits = Hits()
        let server = HTTPServer(configuration: configuration, responder: TestResponder(), logger: .init(label: "test"),
                                onLimit: { hits.record($0) })
        let port = try server.start()
        do {
            try await body(port, server, hits)
        } catch {
            await server.shutdown(gracePeriod: .milliseconds(100))
            throw error
        }
        await server.shutdown(gracePeriod: .milliseconds(500))
    }

    @Test func bodyBudgetIsReservedFromContentLengthAndReleasedWithTheResponse() async throws {
        // No rate minimum: under a loaded CI box the parked body must not be timed out mid-test.
        try await withLimitedServer({ $0.maxBufferedBodyBytes = 1000; $0.minBodyBytesPerSecond = 0 }) { port, server, hits in
            let first = try TestClient(port: port)
            try first.send("POST / HTTP/1.1\r\nContent-Length: 800\r\n\r\n" + String(repeating: "a", count: 10))
            #expect(await eventually(.seconds(20)) { server.bufferedBodyBytes == 800 })
            let second = try TestClient(port: port)
            try second.send("POST / HTTP/1.1\r\nContent-Length: 300\r\n\r\n")
            let refused = try second.readResponse()
            #expect(refused.status == 503 && refused.header("retry-after") == "1")
            #expect(hits.count(.bufferedBodyBudget) == 1)
            try first.send(String(repeating: "a", count: 790))
            #expect(try first.readResponse().body.count == 800)
            #expect(await eventually(.seconds(20)) { server.bufferedBodyBytes == 0 })
        }
    }

    @Test func aStalledBodyGets408AfterOneWindow() async throws {
        try await withLimitedServer({ $0.bodyRateWindow = .milliseconds(200); $0.minBodyBytesPerSecond = 100 }) {
            port, server, hits in
            let client = try TestClient(port: port)
            try client.send("POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\nabc")
            let start = ContinuousClock.now
            let response = try client.readResponse()
            #expect(response.status == 408 && response.header("connection") == "close")
            #expect(ContinuousClock.now - start < .seconds(3))
            #expect(hits.count(.bodyRate) == 1)
            #expect(await eventually { server.bufferedBodyBytes == 0 })
        }
    }

    @Test func connectionsPastTheCapAreRefusedWith503() async throws {
        try await withLimitedServer({ $0.maxConnections = 3 }) { port, server, hits in
            let held = try (0..<3).map { _ in try TestClient(port: port) }
            #expect(await eventually(.seconds(20)) { server.connectionCount == 3 })
            let extra = try TestClient(port: port)
            #expect(try extra.readResponse().status == 503)
            #expect(hits.count(.connections) == 1)
            try held[0].send("GET / HTTP/1.1\r\n\r\n")
            #expect(try held[0].readResponse().status == 200)
        }
    }
}
