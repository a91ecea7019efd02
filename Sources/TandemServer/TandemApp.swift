import Dispatch
import Foundation
import Logging
import Synchronization
import TandemHTTP
import TandemIO
import TandemServing

/// The composition root: builds the worker pool, the endpoint, the HTTP server and the signal
/// handling, serves until SIGTERM or SIGINT, then shuts down gracefully.
public final class TandemApp: Sendable {
    public let settings: ServerSettings
    private let logger: Logger
    private let environment: [String: String]
    private let loader: ModelLoader

    public init(settings: ServerSettings, environment: [String: String], loader: ModelLoader, logger: Logger) {
        self.settings = settings
        self.environment = environment
        self.loader = loader
        self.logger = logger
    }

    /// Serves until a termination signal; returns the process exit code (0 after a clean shutdown, 1
    /// when the config cannot be served or the port cannot be bound).
    public func run() async -> Int32 {
        // Before any worker or loop thread exists, so each does not get an arena of its own.
        SystemMemory.limitArenas(settings.limits.mallocArenas)
        let stack = ServingStack(settings: settings, environment: environment, loader: loader, logger: logger)
        stack.start()
        let pool = stack.pool
        let metrics = stack.metrics
        let responder = stack.responder
        var configuration = HTTPServerConfiguration(
            host: settings.host, port: settings.port, loopCount: settings.loops, maxBodyBytes: settings.maxBodyBytes,
            idleTimeout: settings.idleTimeout)
        settings.limits.apply(to: &configuration)
        let server = HTTPServer(configuration: configuration, responder: responder, logger: logger) { limit in
            metrics.limitHit(limit.rawValue)
        }

        // Say why not, rather than claim to listen, when the config cannot be served at all. A multi-model
        // endpoint serves no config at start-up (models arrive through POST /models), so there is nothing to check.
        if !settings.multiModel.enabled, let error = stack.preflight() {
            logger.critical("cannot serve this configuration", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("tandem: \(error)\n".utf8))
            pool.shutdown(deadline: .now)
            return 1
        }
        let port: Int
        do {
            port = try server.start()
        } catch {
            logger.critical("cannot listen", metadata: ["host": "\(settings.host)", "port": "\(settings.port)", "error": "\(error)"])
            pool.shutdown(deadline: .now)
            return 1
        }
        // Which directories this server writes (and whether it can), before it says it is listening.
        FileHandle.standardOutput.write(Data(WritableDirectories.announce(settings).utf8))
        // One line on stdout that scripts and tests wait for (the port matters when --port 0).
        FileHandle.standardOutput.write(
            Data("tandem \(TandemVersion.string) listening on \(settings.host):\(port) with \(settings.workers) workers, serving \(settings.modelSource)\n".utf8))

        let trimmer = MemoryTrimmer(interval: settings.limits.memoryTrimInterval) { server.inFlightCount == 0 }
        let stop = StopSignal()
        server.watchSignals([SIGTERM, SIGINT]) { signal in
            stop.fire(signal)
        }
        server.watchSignals([SIGHUP]) { _ in
            stack.reload { _ in }
        }

        // Models load off the loops (/ping answers 503 until they are in), while this task waits for a signal:
        // SIGTERM during a load cancels the models not yet started and shuts down without waiting for it.
        // A multi-model endpoint loads none at start-up: SageMaker loads them with POST /models.
        let exitCode = Atomic<Int32>(0)
        if settings.multiModel.enabled {
            logger.notice("multi-model endpoint ready", metadata: ["budget_bytes": "\(stack.models?.budget ?? 0)"])
        } else {
            DispatchQueue.global().async { [logger] in
                switch stack.load(strict: false) {
                case .success(let state):
                    guard !stack.loadProgress.isCancelled else { return }
                    ServingStack.logVariants(state, event: "endpoint ready", logger: logger)
                    for warning in SageMakerFidelity.warnings(state.config) { logger.warning("\(warning)") }
                    if let capture = state.config.dataCapture, capture.enabled {
                        FileHandle.standardOutput.write(Data("tandem writes data capture to \(capture.destination)\n".utf8))
                    }
                case .failure(let error):
                    guard !stack.loadProgress.isCancelled else { return }
                    logger.critical("cannot serve this configuration", metadata: ["error": "\(error)"])
                    FileHandle.standardError.write(Data("tandem: \(error)\n".utf8))
                    stack.failStartup(error.message)
                    exitCode.store(1, ordering: .relaxed)
                    stop.fire(SIGTERM)
                }
            }
        }

        let signal = await stop.wait()
        stack.loadProgress.cancel()
        logger.notice("shutting down", metadata: ["signal": "\(signal)", "grace": "\(settings.gracePeriod)"])
        let grace = settings.gracePeriod
        let deadline = ContinuousClock.now + grace
        // Shortly before the grace period ends, requests still queued get 503 shutting_down, so their
        // clients hear back before the remaining connections are closed.
        let margin = min(Duration.milliseconds(250), grace / 2)
        let dropTimer = Task {
            try? await Task.sleep(until: deadline - margin, clock: .continuous)
            if !Task.isCancelled { pool.dropQueued() }
        }
        await server.shutdown(gracePeriod: grace)
        dropTimer.cancel()
        trimmer.stop()
        stack.accessLog.flush()
        pool.shutdown(deadline: max(deadline, .now + .milliseconds(100)))
        stack.rollouts.stop()
        stack.bandit.stop()
        stack.service.experiments.shutdown()  // writes the ledger's buffered rows
        stack.capture.stop(deadline: .now + .seconds(5))
        return exitCode.load(ordering: .relaxed)
    }
}

/// Resolves once, when the first termination signal arrives.
final class StopSignal: Sendable {
    private let state = SanitizerVisibleLock<(signal: Int32?, waiter: CheckedContinuation<Int32, Never>?)>((nil, nil))

    func fire(_ signal: Int32) {
        let waiter = state.withLock { s -> CheckedContinuation<Int32, Never>? in
            guard s.signal == nil else { return nil }
            s.signal = signal
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: signal)
    }

    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> Int32? in
                if let signal = s.signal { return signal }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// The version `tandem --version` prints.
public enum TandemVersion {
    public static let string = "0.1.0"
}
