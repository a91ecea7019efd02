import Logging
import TandemONNX

/// The protocol-neutral invocation core: routes each request to a variant and runs it on the worker pool.
/// Every front door (the SageMaker contract, the Runtime API emulation, ...) adapts its wire format to an
/// `InvocationRequest` and maps the `InvocationResult` back; nothing here knows a status code or a header.
///
/// `invoke` runs on an event loop and never blocks: it takes the endpoint snapshot once, picks the
/// variant, settles the payload formats, queues the job (or refuses at once when the variant's queue is
/// full) and arms the deadline. A worker runs the `InvocationPipeline`. Whichever of result, deadline and
/// drop comes first answers; the others are ignored.
public final class InvocationService: Sendable {
    public let endpoint: Endpoint
    public let pool: WorkerPool
    public let negotiation: ContentNegotiation
    /// Who served which request, for the outcome routes.
    public let experiments: ExperimentBook
    /// Open stateful sessions and their variants.
    public let sessions: SessionTable
    private let random = RoutingRandom()
    private let logger: Logger
    /// Told about every settled invocation and shadow run (data capture), if set.
    public let sink: (any InvocationSink)?

    public init(
        endpoint: Endpoint, pool: WorkerPool, negotiation: ContentNegotiation, experiments: ExperimentBook = ExperimentBook(),
        sessions: SessionTable = SessionTable(), sink: (any InvocationSink)? = nil, logger: Logger
    ) {
        self.sink = sink
        self.sessions = sessions
        self.endpoint = endpoint
        self.pool = pool
        self.negotiation = negotiation
        self.experiments = experiments
        self.logger = logger
    }

    /// Handles one call; `respond` is called exactly once, from any thread.
    public func invoke(
        _ request: InvocationRequest, scheduler: any DeadlineScheduler,
        isCancelled: @escaping @Sendable () -> Bool,
        respond: @escaping @Sendable (InvocationResult) -> Void
    ) {
        let refuse: (InvocationFailure) -> Void = { failure in
            respond(InvocationResult(requestID: request.requestID, route: nil, outcome: .failure(failure)))
        }
        guard let state = endpoint.state else {
            refuse(.notReady(reason: endpoint.failure.map { "the endpoint failed to start: \($0)" } ?? "models are still loading"))
            return
        }
        let variant: Variant
        let rule: RoutingRule
        switch route(request.selection, state: state) {
        case .success(let routed): (variant, rule) = routed
        case .failure(let failure): refuse(failure); return
        }
        // A new session is bound now, so the limit refuses it before any work; a failed request closes it again.
        var session: SessionEvent?
        if request.selection.session == .open {
            guard let opened = sessions.open(variant: variant.name) else {
                refuse(.sessionLimit(limit: sessions.capacity))
                return
            }
            session = .opened(id: opened.id, expires: opened.expires)
        } else if case .close(let id) = request.selection.session {
            session = .closed(id: id)
        }
        // Shadows are sampled first so the production job, which may finish at once, knows whom to tell.
        let shadows = sampleShadows(state, production: variant.name)
        let pending = PendingInvocation(
            request: request, state: state, variant: variant, rule: rule, experiments: experiments, logger: logger,
            comparisons: shadows.map(\.comparison), session: session, sessions: sessions, sink: sink, respond: respond)
        variant.metrics.requestStarted()

        let codec: any InvocationCodec
        do {
            codec = try self.codec(for: request)
        } catch {
            pending.fail(error)
            return
        }
        guard case .success(let model) = variant.model else {
            pending.fail(.variantFailed(variant: variant.name, state: "\(variant.state)"))
            return
        }

        let pipeline = InvocationPipeline(variant: variant, model: model, codec: codec)
        let deadline = request.receivedAt + variant.timeout
        let admission = pool.submit(
            to: variant.lane, deadline: deadline, isCancelled: isCancelled,
            drop: { reason in pending.dropped(reason) },
            run: { wait in pending.run(pipeline, queueWait: wait) })
        switch admission {
        case .accepted:
            let remaining = deadline - .now
            let timer = scheduler.schedule(after: max(remaining, .zero)) { pending.expire() }
            pending.attach(timer: timer)
            for shadow in shadows {
                shadow.submit(body: request.body, codec: codec, pool: pool, sink: sink, request: request, state: state, rule: rule)
            }
        case .queueFull:
            variant.metrics.requestRejected()
            pending.fail(.overloaded(variant: variant.name, queued: variant.lane.capacity))
        case .stopped:
            pending.fail(.shuttingDown(afterQueueing: false))
        }
    }

    /// The codec for the request's payload contract (SageMaker's formats are negotiated here, on the loop).
    private func codec(for request: InvocationRequest) throws(InvocationFailure) -> any InvocationCodec {
        switch request.payload {
        case .codec(let codec):
            return codec
        case .negotiated(let contentType, let accept):
            let requestFormat: PayloadFormat
            let responseFormat: PayloadFormat
            do {
                requestFormat = try negotiation.requestFormat(contentType: contentType, body: request.body)
            } catch {
                throw .unsupportedContentType(message: error.message)
            }
            do {
                responseFormat = try negotiation.responseFormat(accept: accept)
            } catch {
                throw .notAcceptable(message: error.message)
            }
            return NegotiatedCodec(request: requestFormat, response: responseFormat)
        }
    }

    /// Picks the variant: explicit target, else the request's session, else sticky key, else weighted draw.
    func route(_ selection: VariantSelection, state: EndpointState) -> Result<(Variant, RoutingRule), InvocationFailure> {
        if let target = selection.targetVariant, !target.isEmpty {
            guard let variant = state.productionVariant(named: target) else {
                return .failure(.unknownVariant(requested: target, available: state.production.map(\.name)))
            }
            return .success((variant, .target))
        }
        switch selection.session {
        case .resume(let id), .close(let id):
            guard let session = sessions.session(id), let variant = state.productionVariant(named: session.variant) else {
                return .failure(.unknownSession(id: id))
            }
            return .success((variant, .session))
        case .open, nil:
            break
        }
        if let source = state.config.stickyKey, let key = selection.stickyKey(source), !key.isEmpty,
            let name = state.routing.variant(forKey: key), let variant = state.productionVariant(named: name)
        {
            return .success((variant, .sticky))
        }
        guard let name = state.routing.variant(forDraw: random.next()), let variant = state.productionVariant(named: name)
        else {
            return .failure(.noVariantAvailable(reasons: state.production.map { "\($0.name): \($0.state)" }.joined(separator: "; ")))
        }
        state.split.recordWeighted(name)
        return .success((variant, .weighted))
    }

    /// Draws which shadow variants get a copy of this request (each by its sampling percentage).
    private func sampleShadows(_ state: EndpointState, production: String) -> [ShadowCopy] {
        var sampled: [ShadowCopy] = []
        for shadow in state.shadows where shadow.samplingRate > 0 && random.next() < shadow.samplingRate {
            guard case .success(let model) = shadow.model else { continue }
            sampled.append(ShadowCopy(
                variant: shadow, model: model,
                comparison: ShadowComparison(production: production, shadowMetrics: shadow.metrics)))
        }
        return sampled
    }
}
