import Logging
import Synchronization
import TandemJSON
import TandemONNX

/// One accepted `/invocations` call between routing and its answer. Exactly one of the worker's
/// result, the deadline and a drop settles it: it answers the client and records the variant's metrics
/// once; later attempts are ignored (a late model result is discarded).
final class PendingInvocation: Sendable {
    private let request: InvocationRequest
    private let variant: Variant
    private let rule: RoutingRule
    private let respond: @Sendable (InvocationResponse) -> Void
    private let logger: Logger
    private let settled = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let timer = Mutex<(any DeadlineHandle)?>(nil)
    private let queueWait = Mutex<Duration?>(nil)
    /// Sampled shadow copies of this request waiting for the production answer to compare with.
    private let comparisons: [ShadowComparison]

    init(
        request: InvocationRequest, variant: Variant, rule: RoutingRule,
        respond: @escaping @Sendable (InvocationResponse) -> Void, logger: Logger, comparisons: [ShadowComparison] = []
    ) {
        self.comparisons = comparisons
        self.request = request
        self.variant = variant
        self.rule = rule
        self.respond = respond
        self.logger = logger
    }

    /// Keeps the deadline timer so a result can cancel it (or cancels it now if already settled).
    func attach(timer handle: any DeadlineHandle) {
        timer.withLock { $0 = handle }
        if settled.load(ordering: .acquiring) { handle.cancel() }
    }

    /// Runs on a worker: decode, predict, encode, answer.
    func run(model: any InferenceModel, requestFormat: PayloadFormat, responseFormat: PayloadFormat, queueWait wait: Duration) {
        guard !settled.load(ordering: .acquiring) else { return }
        started.store(true, ordering: .releasing)
        queueWait.withLock { $0 = wait }
        let start = ContinuousClock.now
        do {
            let decoded = try RequestDecoder.decode(request.body, format: requestFormat, inputs: model.signature.inputs)
            let outputs = try model.predict(decoded.feeds, rows: decoded.rows)
            let table = try PredictionTable(outputs: outputs, signature: model.signature, rows: decoded.rows)
            try MissingValues.check(table, decoded, modelID: variant.modelID.description)
            for comparison in comparisons { comparison.productionAnswered(table) }
            let body = ResponseEncoder.encode(table, format: responseFormat, rendering: variant.rendering)
            settle(
                status: 200, contentType: responseFormat.mediaType, body: body, headers: [], modelTime: .now - start,
                modelFailed: false, code: nil)
        } catch let error as PayloadError {
            settle(status: error.status, code: error.code, message: error.message, extra: error.jsonMembers, modelTime: .now - start)
        } catch let error as ModelRunError where error.isClientError {
            settle(status: 400, code: error.code, message: error.message, extra: [], modelTime: .now - start)
        } catch {
            let message = "model \(variant.modelID) failed: \(error)"
            logger.error("invocation failed", metadata: ["request_id": "\(request.requestID)", "variant": "\(variant.name)", "error": "\(message)"])
            settle(status: 500, code: (error as? ModelRunError)?.code ?? "model_error", message: message, extra: [],
                modelTime: .now - start, modelFailed: true)
        }
    }

    /// The pool did not run the job.
    func dropped(_ reason: WorkerPool.DropReason) {
        switch reason {
        case .deadlineExceeded: expire()
        case .clientGone: settle(status: 499, code: "client_closed", message: "the client closed the connection", extra: [])
        case .shuttingDown: settle(status: 503, code: "shutting_down", message: "the server shut down before the request ran", extra: [])
        }
    }

    /// The deadline passed: answer 504 now; a result arriving later is dropped.
    func expire() {
        let where_ = started.load(ordering: .acquiring) ? "while the model was running" : "while the request was queued"
        // Whole milliseconds first, so 0.3 s reads "0.3", not "0.30000000000000004".
        let millis = variant.timeout.components.seconds * 1000 + variant.timeout.components.attoseconds / 1_000_000_000_000_000
        let seconds = Double(millis) / 1000
        let answered = settle(
            status: 504, code: "deadline_exceeded",
            message: "the request's deadline of \(seconds) s passed \(where_) on variant '\(variant.name)'", extra: [])
        if answered {
            logger.warning("deadline exceeded", metadata: ["request_id": "\(request.requestID)", "variant": "\(variant.name)"])
        }
    }

    /// Answers with the one JSON error shape; false when the request was already answered.
    @discardableResult
    func settle(
        status: Int, code: String, message: String, extra: [(String, String)], headers: [(String, String)] = [],
        modelTime: Duration? = nil, modelFailed: Bool = false
    ) -> Bool {
        settle(
            status: status, contentType: "application/json",
            body: ErrorBody.json(code: code, message: message, requestID: request.requestID, extra: extra),
            headers: headers, modelTime: modelTime, modelFailed: modelFailed, code: code, message: message)
    }

    /// The one place a request ends: true when this call answered it, false when something else had.
    @discardableResult
    private func settle(
        status: Int, contentType: String, body: [UInt8], headers: [(String, String)], modelTime: Duration?,
        modelFailed: Bool, code: String?, message: String? = nil
    ) -> Bool {
        guard settled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return false
        }
        timer.withLock { $0?.cancel(); $0 = nil }
        let total = ContinuousClock.now - request.receivedAt
        variant.metrics.requestFinished(
            status: status, total: total, model: modelTime, queueWait: queueWait.withLock { $0 }, modelFailed: modelFailed)
        variant.health.record(failed: status >= 500)
        var all: [(String, String)] = [
            ("X-Amzn-Invoked-Production-Variant", variant.name),
            ("X-Tandem-Routing", rule.rawValue),
            ("X-Tandem-Model", variant.modelID.description),
            // SageMaker passes only CustomAttributes (and the invoked variant) back to its clients, so the
            // routing facts travel there too.
            ("X-Amzn-SageMaker-Custom-Attributes", "variant=\(variant.name),model=\(variant.modelID),routing=\(rule.rawValue)"),
        ]
        all.append(contentsOf: headers)
        respond(InvocationResponse(status: status, contentType: contentType, body: body, headers: all, errorCode: code, errorMessage: message, variant: variant.name,
                                     routing: rule))
        return true
    }
}
