import Logging
import TandemJSON
import TandemONNX

/// Routes `/invocations` calls to variants and runs them on the worker pool: the heart of the request path.
///
/// `invoke` runs on an event loop and never blocks: it picks the variant, checks the content types,
/// queues the job (or answers 503 when the variant's queue is full) and arms the deadline. A worker
/// decodes the body, runs the model and encodes the answer. Whichever of result and deadline comes
/// first answers; the other is dropped.
public final class InvocationService: Sendable {
    public let endpoint: Endpoint
    public let pool: WorkerPool
    public let negotiation: ContentNegotiation
    private let random = RoutingRandom()
    private let logger: Logger

    public init(endpoint: Endpoint, pool: WorkerPool, negotiation: ContentNegotiation, logger: Logger) {
        self.endpoint = endpoint
        self.pool = pool
        self.negotiation = negotiation
        self.logger = logger
    }

    /// Handles one call; `respond` is called exactly once, from any thread.
    public func invoke(
        _ request: InvocationRequest, scheduler: any DeadlineScheduler,
        isCancelled: @escaping @Sendable () -> Bool,
        respond: @escaping @Sendable (InvocationResponse) -> Void
    ) {
        guard let state = endpoint.state else {
            let reason = endpoint.failure.map { "the endpoint failed to start: \($0)" } ?? "models are still loading"
            respond(Self.error(503, "not_ready", reason, request.requestID, headers: [("Retry-After", "1")]))
            return
        }
        let variant: Variant
        let rule: RoutingRule
        switch route(request, state: state) {
        case .routed(let v, let r): (variant, rule) = (v, r)
        case .rejected(let response): respond(response); return
        }
        // Shadows are sampled first so the production job, which may finish at once, knows whom to tell.
        let shadows = sampleShadows(state, production: variant.name)
        let pending = PendingInvocation(
            request: request, variant: variant, rule: rule, respond: respond, logger: logger,
            comparisons: shadows.map(\.comparison))
        variant.metrics.requestStarted()

        let requestFormat: PayloadFormat
        let responseFormat: PayloadFormat
        do {
            requestFormat = try negotiation.requestFormat(contentType: request.contentType, body: request.body)
            responseFormat = try negotiation.responseFormat(accept: request.accept)
        } catch {
            pending.settle(status: error.status, code: error.code, message: error.message, extra: error.jsonMembers)
            return
        }
        guard case .success(let model) = variant.model else {
            pending.settle(
                status: 503, code: "variant_failed",
                message: "variant '\(variant.name)' cannot serve: \(variant.state)",
                extra: [], headers: [("Retry-After", "5")])
            return
        }

        let deadline = request.receivedAt + variant.timeout
        let admission = pool.submit(
            to: variant.lane, deadline: deadline, isCancelled: isCancelled,
            drop: { reason in pending.dropped(reason) },
            run: { wait in pending.run(model: model, requestFormat: requestFormat, responseFormat: responseFormat, queueWait: wait) })
        switch admission {
        case .accepted:
            let remaining = deadline - .now
            let timer = scheduler.schedule(after: max(remaining, .zero)) { pending.expire() }
            pending.attach(timer: timer)
            submitShadows(shadows, request, format: requestFormat)
        case .queueFull:
            variant.metrics.requestRejected()
            pending.settle(
                status: 503, code: "queue_full",
                message: "variant '\(variant.name)' has \(variant.lane.capacity) requests queued; retry later",
                extra: [], headers: [("Retry-After", "1")])
        case .stopped:
            pending.settle(status: 503, code: "shutting_down", message: "the server is shutting down", extra: [])
        }
    }

    /// Picks the variant: explicit target, else sticky key, else weighted draw.
    func route(_ request: InvocationRequest, state: EndpointState) -> RouteOutcome {
        if let target = request.targetVariant, !target.isEmpty {
            guard let variant = state.productionVariant(named: target) else {
                let names = state.production.map(\.name)
                return .rejected(
                    Self.error(
                        400, "unknown_variant",
                        "target variant '\(target)' does not exist; production variants: \(names.joined(separator: ", "))",
                        request.requestID, extra: [("variants", "[" + names.map { JSONWriter.quoted($0) }.joined(separator: ",") + "]")]))
            }
            return .routed(variant, .target)
        }
        if let source = state.config.stickyKey, let key = Self.stickyKey(source, request), !key.isEmpty,
            let name = state.routing.variant(forKey: key), let variant = state.productionVariant(named: name)
        {
            return .routed(variant, .sticky)
        }
        guard let name = state.routing.variant(forDraw: random.next()), let variant = state.productionVariant(named: name)
        else {
            let reasons = state.production.map { "\($0.name): \($0.state)" }.joined(separator: "; ")
            return .rejected(
                Self.error(503, "no_variant_available", "no production variant can take traffic (\(reasons))", request.requestID,
                    headers: [("Retry-After", "5")]))
        }
        state.split.recordWeighted(name)
        return .routed(variant, .weighted)
    }

    static func stickyKey(_ source: StickyKeySource, _ request: InvocationRequest) -> String? {
        switch source {
        case .header(let name):
            return request.header(name)
        case .customAttribute(let key):
            guard let attributes = request.customAttributes else { return nil }
            for entry in attributes.split(whereSeparator: { $0 == "," || $0 == ";" }) {
                let pair = entry.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingSpaces() == key { return String(pair[1].trimmingSpaces()) }
            }
            return nil
        }
    }

    /// A shadow variant sampled for one request, with the comparison its answer goes to.
    struct SampledShadow {
        var variant: Variant
        var model: any InferenceModel
        var comparison: ShadowComparison
    }

    /// Draws which shadow variants get a copy of this request (each by its sampling percentage).
    private func sampleShadows(_ state: EndpointState, production: String) -> [SampledShadow] {
        var sampled: [SampledShadow] = []
        for shadow in state.shadows where shadow.samplingRate > 0 && random.next() < shadow.samplingRate {
            guard case .success(let model) = shadow.model else { continue }
            sampled.append(SampledShadow(
                variant: shadow, model: model,
                comparison: ShadowComparison(production: production, shadowMetrics: shadow.metrics)))
        }
        return sampled
    }

    /// Queues the sampled copies off the response path: their answers are compared with production's and
    /// discarded.
    private func submitShadows(_ sampled: [SampledShadow], _ request: InvocationRequest, format: PayloadFormat) {
        for entry in sampled {
            let shadow = entry.variant
            let model = entry.model
            let comparison = entry.comparison
            let metrics = shadow.metrics
            let health = shadow.health
            let body = request.body
            let received = ContinuousClock.now
            let timeout = shadow.timeout
            metrics.requestStarted()
            let admission = pool.submit(
                to: shadow.lane, deadline: received + shadow.timeout,
                drop: { _ in
                    metrics.requestFinished(status: 504, total: .now - received, model: nil, queueWait: nil, modelFailed: false)
                },
                run: { wait in
                    let start = ContinuousClock.now
                    var status = 200
                    var failed = false
                    var table: PredictionTable?
                    do {
                        let decoded = try RequestDecoder.decode(body, format: format, inputs: model.signature.inputs)
                        let outputs = try model.predict(decoded.feeds, rows: decoded.rows)
                        table = try? PredictionTable(outputs: outputs, signature: model.signature, rows: decoded.rows)
                    } catch let error as PayloadError {
                        status = error.status
                    } catch {
                        status = 500
                        failed = true
                    }
                    let end = ContinuousClock.now
                    // Past its deadline the shadow would have answered 504 as production: counted so, not compared.
                    if status == 200 && end > received + timeout {
                        status = 504
                    } else if status == 200, let table {
                        comparison.shadowAnswered(table)
                    }
                    metrics.shadowRan()
                    health.record(failed: status >= 500)
                    metrics.requestFinished(status: status, total: end - received, model: end - start, queueWait: wait, modelFailed: failed)
                })
            if admission != .accepted {
                metrics.requestRejected()
                metrics.requestFinished(status: 503, total: .zero, model: nil, queueWait: nil, modelFailed: false)
            }
        }
    }

    static func error(
        _ status: Int, _ code: String, _ message: String, _ requestID: String, extra: [(String, String)] = [],
        headers: [(String, String)] = []
    ) -> InvocationResponse {
        InvocationResponse(
            status: status, contentType: "application/json",
            body: ErrorBody.json(code: code, message: message, requestID: requestID, extra: extra),
            headers: headers, errorCode: code, errorMessage: message)
    }
}
