import Glibc
import Logging
import Testing
import TandemHTTP

/// Not a benchmark by itself: with TANDEM_HTTP_BENCH_SECONDS=N (and optionally TANDEM_HTTP_BENCH_PORT,
/// TANDEM_HTTP_BENCH_LOOPS) it serves the echo responder for N seconds so an external load generator (wrk)
/// can measure it. Skipped in normal runs.
@Suite("Benchmark server (manual)")
struct BenchServeTests {
    static func env(_ name: String) -> Int? { getenv(name).flatMap { Int(String(cString: $0)) } }
    static let seconds = env("TANDEM_HTTP_BENCH_SECONDS") ?? 0

    @Test(.enabled(if: seconds > 0)) func serveForBenchmark() async throws {
        let port = Self.env("TANDEM_HTTP_BENCH_PORT") ?? 18080
        let loops = Self.env("TANDEM_HTTP_BENCH_LOOPS") ?? 1
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: port, loopCount: loops),
                                responder: TestResponder(), logger: logger)
        _ = try server.start()
        try await Task.sleep(for: .seconds(Self.seconds))
        await server.shutdown(gracePeriod: .seconds(1))
    }
}
