/// Something told about every settled invocation (data capture; an access log could be another). It is
/// called once per answered request, after the caller's answer has been handed back, and once per shadow
/// copy that ran, on the thread that settled it (a worker, or an event loop for a deadline or refusal).
/// It must return at once: no I/O, no lock held for long, and no allocation for invocations it ignores.
public protocol InvocationSink: Sendable {
    func invocationSettled(_ invocation: SettledInvocation)
}

/// One settled invocation as a sink sees it: the request as received, the endpoint snapshot it ran with,
/// who served it and what came out. Only references, so building one allocates nothing.
public struct SettledInvocation: Sendable {
    /// The request (its id, raw body, content type and inference id).
    public let request: InvocationRequest
    /// The endpoint snapshot the request ran with (its config says what to capture).
    public let state: EndpointState
    /// The variant and model that ran it.
    public let route: ServedRoute
    /// Whether this is a shadow variant's run of a copy of the request (its answer went to nobody).
    public let isShadow: Bool
    /// Production: the answer as the caller got it, or the failure. Shadows: see `answer()`.
    private let outcome: Result<InvocationAnswer, InvocationFailure>?
    /// A shadow's predictions and the codec that would have written them, encoded only if a sink asks.
    private let shadowPredictions: (Predictions, any InvocationCodec)?

    init(request: InvocationRequest, state: EndpointState, route: ServedRoute, outcome: Result<InvocationAnswer, InvocationFailure>) {
        self.request = request
        self.state = state
        self.route = route
        self.isShadow = false
        self.outcome = outcome
        self.shadowPredictions = nil
    }

    init(shadowOf request: InvocationRequest, state: EndpointState, route: ServedRoute, predictions: Predictions, codec: any InvocationCodec) {
        self.request = request
        self.state = state
        self.route = route
        self.isShadow = true
        self.outcome = nil
        self.shadowPredictions = (predictions, codec)
    }

    /// Whether the invocation produced an answer (production answered 2xx, or the shadow predicted in time).
    public var succeeded: Bool {
        if shadowPredictions != nil { return true }
        if case .success = outcome { return true }
        return false
    }

    /// The answer's bytes and media type; for a shadow, encoded now as production's answer was (on the
    /// calling thread, so a sink asks only for invocations it keeps). nil when there was none.
    public func answer() -> InvocationAnswer? {
        if let shadow = shadowPredictions {
            return try? shadow.1.encode(shadow.0)
        }
        if case .success(let answer) = outcome { return answer }
        return nil
    }
}
