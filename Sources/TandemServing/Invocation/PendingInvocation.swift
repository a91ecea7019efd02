import Logging
import Synchronization

/// One accepted invocation between routing and its answer. Exactly one of the worker's result, the
/// deadline and a drop settles it: it answers the caller, records the variant's metrics and health and
/// the experiment's assignment once, with the endpoint snapshot the request started with; later attempts
/// are ignored (a late model result is discarded).
final class PendingInvocation: Sendable {
    private let request: InvocationRequest
    private let state: EndpointState
    private let variant: Variant
    private let route: ServedRoute
    private let respond: @Sendable (InvocationResult) -> Void
    private let experiments: ExperimentBook
    private let logger: Logger
    private let settled = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    // Synchronization.Mutex, not SanitizerVisibleLock: one request's own state, stored inline (no allocation
    // per request), touched by its worker and its loop and almost never at the same moment.
    private let timer = Mutex<(any DeadlineHandle)?>(nil)
    private let queueWait = Mutex<Duration?>(nil)
    /// Sampled shadow copies of this request waiting for the production answer to compare with.
    private let comparisons: [ShadowComparison]
    /// The session this request opened (closed again if it fails) or closes (only if it succeeds).
    private let session: SessionEvent?
    private let sessions: SessionTable
    /// Told about the settled invocation after the caller is answered (data capture).
    private let sink: (any InvocationSink)?

    init(
        request: InvocationRequest, state: EndpointState, variant: Variant, rule: RoutingRule,
        experiments: ExperimentBook, logger: Logger, comparisons: [ShadowComparison] = [],
        session: SessionEvent? = nil, sessions: SessionTable = SessionTable(), sink: (any InvocationSink)? = nil,
        respond: @escaping @Sendable (InvocationResult) -> Void
    ) {
        self.sink = sink
        self.session = session
        self.sessions = sessions
        self.request = request
        self.state = state
        self.variant = variant
        self.route = ServedRoute(variant: variant.name, model: variant.modelID, rule: rule)
        self.experiments = experiments
        self.logger = logger
        self.comparisons = comparisons
        self.respond = respond
    }

    /// Keeps the deadline timer so a result can cancel it (or cancels it now if already settled).
    func attach(timer handle: any DeadlineHandle) {
        timer.withLock { $0 = handle }
        if settled.load(ordering: .acquiring) { handle.cancel() }
    }

    /// Runs on a worker: the pipeline, then the production sink (shadows compare, the codec encodes).
    func run(_ pipeline: InvocationPipeline, queueWait wait: Duration) {
        guard !settled.load(ordering: .acquiring) else { return }
        started.store(true, ordering: .releasing)
        queueWait.withLock { $0 = wait }
        let start = ContinuousClock.now
        var decoded: ContinuousClock.Instant?
        var inferred: ContinuousClock.Instant?
        let outcome: Result<InvocationAnswer, InvocationFailure>
        do throws(InvocationFailure) {
            let predictions = try pipeline.predict(request.body, decodedAt: &decoded)
            inferred = .now
            for comparison in comparisons { comparison.productionAnswered(predictions.table) }
            outcome = .success(try pipeline.codec.encode(predictions))
        } catch {
            outcome = .failure(error)
        }
        settle(outcome, compute: ComputeSplit(start: start, decoded: decoded, inferred: inferred, end: .now))
    }

    /// The pool did not run the job.
    func dropped(_ reason: WorkerPool.DropReason) {
        switch reason {
        case .deadlineExceeded: expire()
        case .clientGone: fail(.clientGone)
        case .shuttingDown: fail(.shuttingDown(afterQueueing: true))
        }
    }

    /// The deadline passed: answer now; a result arriving later is dropped.
    func expire() {
        let failure = InvocationFailure.deadlineExceeded(
            variant: variant.name, timeout: variant.timeout, whileRunning: started.load(ordering: .acquiring))
        if fail(failure) {
            logger.warning("deadline exceeded", metadata: ["request_id": "\(request.requestID)", "variant": "\(variant.name)"])
        }
    }

    /// Ends the request with `failure`; false when it was already answered.
    @discardableResult
    func fail(_ failure: InvocationFailure) -> Bool {
        settle(.failure(failure), compute: nil)
    }

    /// The one place a request ends: true when this call answered it, false when something else had.
    @discardableResult
    private func settle(_ outcome: Result<InvocationAnswer, InvocationFailure>, compute: ComputeSplit?) -> Bool {
        guard settled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return false
        }
        timer.withLock { $0?.cancel(); $0 = nil }
        let failure: InvocationFailure?
        if case .failure(let error) = outcome { failure = error } else { failure = nil }
        if case .modelFailed(_, let message) = failure {
            logger.error("invocation failed", metadata: [
                "request_id": "\(request.requestID)", "variant": "\(variant.name)", "error": "\(message)",
            ])
        }
        variant.metrics.requestFinished(
            failure, total: ContinuousClock.now - request.receivedAt, compute: compute, queueWait: queueWait.withLock { $0 })
        variant.health.record(failed: failure?.blame == .server)
        if failure == nil, route.rule != .target, let experiment = state.config.experiment {
            experiments.served(request.requestID, by: variant, state: state, config: experiment)
        }
        var reported: SessionEvent?
        switch (session, failure) {
        case (.opened(let id, _), .some): sessions.close(id)
        case (.opened, nil): reported = session
        case (.closed(let id), nil): if sessions.close(id) { reported = session }
        default: break
        }
        var result = InvocationResult(requestID: request.requestID, route: route, outcome: outcome, session: reported)
        result.queueTime = queueWait.withLock { $0 }
        result.modelTime = compute?.total
        respond(result)
        sink?.invocationSettled(SettledInvocation(request: request, state: state, route: route, outcome: outcome))
        return true
    }
}
