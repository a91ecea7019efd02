import Foundation
import Logging
import TandemHTTP
import TandemIO
import TandemServer
import TandemServing

/// A whole Tandem (worker pool, endpoint, invocation core, every route) driven in-process, without
/// sockets: requests go straight to the responder on a real event loop, the way Hummingbird's router test
/// mode drives an application. What is tested is the code behind the sockets; the transport has its own
/// tests (TandemHTTPTests) and the binary has the end-to-end suite.
///
/// Start it over a model repository written by `ModelRepositoryFixture` (or any model directory or
/// endpoint file), send requests with `send`, and `shutdown()` at the end.
public final class InProcessServer: Sendable {
    public let stack: ServingStack
    /// The loop requests are answered on (deadline timers fire here too).
    public let loop: EventLoop

    /// Builds the stack for `source` and loads its models (failing when the config cannot be served);
    /// with `load: false` nothing is loaded, as in a container still starting.
    public init(
        source: ModelSource, workers: Int = 2, environment: [String: String] = [:], load: Bool = true,
        configure: (inout ServerSettings) -> Void = { _ in }
    ) throws {
        var settings = ServerSettings(modelSource: source, workers: workers)
        try settings.apply(environment: environment)
        configure(&settings)
        var logger = Logger(label: "tandem.test")
        logger.logLevel = .critical
        stack = ServingStack(settings: settings, environment: environment, loader: .standard, logger: logger)
        loop = try EventLoop(name: "tandem-test-loop")
        try loop.start()
        stack.start()
        if load, case .failure(let error) = stack.load() {
            shutdown()
            throw error
        }
    }

    /// One request answered: the response, and the writer it went through (for its request id).
    public func send(
        _ method: HTTPMethod, _ target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
        receivedAt: ContinuousClock.Instant = .now
    ) async -> HTTPResponse {
        await send(HTTPRequest(method: method, target: target, headers: headers, body: body, receivedAt: receivedAt))
    }

    /// `send` with a text body.
    public func send(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders = HTTPHeaders(), text: String)
        async -> HTTPResponse
    {
        await send(method, target, headers: headers, body: Array(text.utf8))
    }

    /// Answers `request` on the loop, as the connection handler would hand it over.
    public func send(_ request: HTTPRequest) async -> HTTPResponse {
        await withCheckedContinuation { continuation in
            let writer = ResponseWriter(eventLoop: loop, requestID: request.id) { continuation.resume(returning: $0) }
            let responder = stack.responder
            loop.execute { responder.respond(to: request, writer: writer) }
        }
    }

    /// Hands `request` over, then hangs up the client as soon as the responder has it: what a client
    /// that disconnects mid-request looks like to the core. Returns once the request was settled (the
    /// writer drops the response; `hangUp` tells whether anything was sent before the hang-up).
    public func sendAndHangUp(_ request: HTTPRequest) async -> (sentBeforeHangUp: Bool, writer: ResponseWriter) {
        let writer = ResponseWriter(eventLoop: loop, requestID: request.id) { _ in }
        let responder = stack.responder
        let sent = loop.executeAndWait { () -> Bool in
            responder.respond(to: request, writer: writer)
            let sent = writer.hasSent
            writer.markClosed()
            return sent
        }
        return (sent, writer)
    }

    /// Waits until every queued and running job has finished (the pool is idle).
    public func waitUntilIdle(timeout: Duration = .seconds(10)) async -> Bool {
        await wait(timeout: timeout) { stack.pool.outstanding == 0 }
    }

    /// Waits until `condition` holds, checking every millisecond; false (never a hang) when `timeout`
    /// passes first. For conditions that stay true once reached, or that last long enough to be seen
    /// (a model busy for a second), so a loaded machine cannot make the test miss them.
    public func wait(timeout: Duration = .seconds(10), until condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            if ContinuousClock.now > deadline { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }

    /// Stops the workers and the loop.
    public func shutdown() {
        stack.shutdown(deadline: .now + .seconds(5))
        loop.stop()
    }
}
