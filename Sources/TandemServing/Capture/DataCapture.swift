import Foundation
import Logging
import Synchronization

/// The data-capture sink: samples settled invocations by the endpoint config's `data_capture` section and
/// hands the sampled ones to the `CaptureWriter`. An invocation that is not sampled costs one random draw
/// and a few loads, and allocates nothing.
///
/// The writer follows the config: `configure` (at every load) starts it, or replaces it when the
/// destination or a bound changed (the old one writes what it holds and stops off the caller's thread).
public final class DataCapture: InvocationSink {
    private let random = RoutingRandom()
    private let metrics: CaptureMetrics
    private let logger: Logger
    private let active = SanitizerVisibleLock<CaptureWriter?>(nil)

    public init(metrics: MetricsRegistry, logger: Logger) {
        self.metrics = CaptureMetrics(registry: metrics)
        self.logger = logger
    }

    /// Starts, replaces or stops the writer for `config` (its `data_capture` section); the directory is
    /// created now, so start-up says whether it can be written. Returns the directory capture writes to.
    @discardableResult
    public func configure(_ config: EndpointConfig) -> String? {
        guard let capture = config.dataCapture, capture.enabled else {
            retire(active.withLock { writer in
                defer { writer = nil }
                return writer
            })
            return nil
        }
        let replaced = active.withLock { writer -> (old: CaptureWriter?, new: CaptureWriter?) in
            if let current = writer, current.settings == capture.writer { return (nil, nil) }
            let old = writer
            writer = CaptureWriter(settings: capture.writer, metrics: metrics, logger: logger)
            return (old, writer)
        }
        if let new = replaced.new {
            do {
                try FileManager.default.createDirectory(atPath: capture.destination, withIntermediateDirectories: true)
            } catch {
                logger.error("data capture directory cannot be created; records will be dropped until it can", metadata: [
                    "destination": "\(capture.destination)", "error": "\(error)",
                ])
            }
            new.start()
        }
        retire(replaced.old)
        return capture.destination
    }

    /// Writes what is queued and stops the writer (at shutdown), waiting at most until `deadline`.
    public func stop(deadline: ContinuousClock.Instant) {
        let writer = active.withLock { writer in
            defer { writer = nil }
            return writer
        }
        writer?.stop(deadline: deadline)
    }

    private func retire(_ writer: CaptureWriter?) {
        guard let writer else { return }
        DispatchQueue.global(qos: .utility).async { writer.stop(deadline: .now + .seconds(30)) }
    }

    public func invocationSettled(_ invocation: SettledInvocation) {
        guard let capture = invocation.state.config.dataCapture, capture.enabled,
            !invocation.isShadow || capture.captureShadows,
            capture.samplingPercentage > 0, random.next() * 100 < capture.samplingPercentage,
            invocation.succeeded
        else { return }
        metrics.sampled.increment()
        guard let event = Self.event(invocation, capture: capture) else {
            metrics.drop(.writeError)
            return
        }
        guard let writer = active.withLock({ $0 }) else {
            metrics.drop(.stopped)
            return
        }
        writer.enqueue(event)
    }

    /// The record's contents: bodies by reference, the time now.
    static func event(_ invocation: SettledInvocation, capture: DataCaptureConfig) -> CaptureEvent? {
        let request = invocation.request
        var input: CapturedBody?
        if capture.captureInput {
            // What the caller said it sent; a request without a Content-Type is recorded as octet-stream.
            var observed = "application/octet-stream"
            if case .negotiated(let contentType?, _) = request.payload, !contentType.isEmpty { observed = contentType }
            input = CapturedBody(data: request.body, contentType: observed, encoding: capture.encoding(of: observed))
        }
        var output: CapturedBody?
        if capture.captureOutput {
            guard let answer = invocation.answer() else { return nil }
            output = CapturedBody(data: answer.body, contentType: answer.mediaType, encoding: capture.encoding(of: answer.mediaType))
        }
        return CaptureEvent(
            eventID: request.requestID, inferenceID: request.inferenceID, time: Date().timeIntervalSince1970,
            endpoint: invocation.state.config.endpointName, variant: invocation.route.variant, model: invocation.route.model,
            shadow: invocation.isShadow, input: input, output: output)
    }
}
