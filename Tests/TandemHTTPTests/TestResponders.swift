import Glibc
import Logging
import Synchronization
import TandemHTTP

/// Echoes the body; `/delay/<ms>` answers from another task after a delay; `/hold` parks the writer.
final class TestResponder: HTTPResponder {
    let held = Mutex<[ResponseWriter]>([])
    let seen = Atomic<Int>(0)

    func respond(to request: HTTPRequest, writer: ResponseWriter) {
        seen.add(1, ordering: .relaxed)
        var headers = HTTPHeaders()
        headers.add("x-path", request.path)
        headers.add("x-method", request.method.rawValue)
        headers.add("x-query", request.query ?? "")
        headers.add("Content-Type", "application/octet-stream")
        if request.path.hasPrefix("/delay/"), let ms = Int(request.path.dropFirst(7)) {
            let body = request.body
            let headers = headers
            TestThread {
                usleep(UInt32(ms * 1000))
                writer.send(HTTPResponse(status: 200, headers: headers, body: body))
            }.detach()
            return
        }
        if request.path == "/hold" {
            held.withLock { $0.append(writer) }
            return
        }
        if request.path == "/error" {
            writer.send(.jsonError(status: 424, code: "model_error", message: "boom \"quoted\"", requestID: request.id))
            return
        }
        writer.send(HTTPResponse(status: 200, headers: headers, body: request.body))
    }
}

/// Starts a server on an ephemeral port, runs `body`, shuts the server down.
func withServer(_ configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
                responder: TestResponder = TestResponder(),
                _ body: (Int, HTTPServer, TestResponder) async throws -> Void) async throws {
    var configuration = configuration
    configuration.host = "127.0.0.1"
    configuration.port = 0
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    let server = HTTPServer(configuration: configuration, responder: responder, logger: logger)
    let port = try server.start()
    do {
        try await body(port, server, responder)
    } catch {
        await server.shutdown(gracePeriod: .milliseconds(100))
        throw error
    }
    await server.shutdown(gracePeriod: .milliseconds(500))
}

/// Polls `condition` up to `timeout`.
func eventually(_ timeout: Duration = .seconds(3), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// Runs `body` on a new detached-from-Swift-concurrency pthread (so blocking work never starves the task pool).
final class TestThread: @unchecked Sendable {
    // `thread` is written once in init before anyone can join.
    private var thread = pthread_t()
    private let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
        let context = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&thread, nil, { arg in
            guard let arg else { return nil }
            let me = Unmanaged<TestThread>.fromOpaque(arg).takeRetainedValue()
            me.body()
            return nil
        }, context)
    }

    func join() { pthread_join(thread, nil) }
    func detach() { pthread_detach(thread) }
}
