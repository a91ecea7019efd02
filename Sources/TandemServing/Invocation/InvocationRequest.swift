import TandemONNX

/// One invocation as the core sees it, whichever front door it came through: what chooses the variant,
/// the body, how the body is read and the answer written, and when it arrived. No HTTP types.
public struct InvocationRequest: Sendable {
    public var requestID: String
    public var body: [UInt8]
    /// How the body becomes model inputs and the predictions become an answer.
    public var payload: PayloadContract
    /// What picks the production variant.
    public var selection: VariantSelection
    /// When the request was fully received (the deadline counts from here).
    public var receivedAt: ContinuousClock.Instant
    /// The caller's id for this inference (SageMaker's `InferenceId`), kept in captured records.
    public var inferenceID: String?

    public init(
        requestID: String, body: [UInt8], payload: PayloadContract, selection: VariantSelection,
        receivedAt: ContinuousClock.Instant, inferenceID: String? = nil
    ) {
        self.inferenceID = inferenceID
        self.requestID = requestID
        self.body = body
        self.payload = payload
        self.selection = selection
        self.receivedAt = receivedAt
    }
}

/// The inputs of variant selection: an explicit target, else the sticky key (read from a named header or
/// a custom attribute, as the endpoint config says), else a weighted draw.
public struct VariantSelection: Sendable {
    /// The production variant the caller names (SageMaker's `TargetVariant`); nil or empty for none.
    public var targetVariant: String?
    /// SageMaker's `CustomAttributes` string (`key=value` pairs separated by `,` or `;`).
    public var customAttributes: String?
    /// Looks up a request header by name (for a sticky key read from a header); nil where a door has none.
    public var header: @Sendable (String) -> String?
    /// SageMaker's stateful session, when the request opens, continues or closes one.
    public var session: SessionRequest?

    public init(
        targetVariant: String? = nil, customAttributes: String? = nil, session: SessionRequest? = nil,
        header: @escaping @Sendable (String) -> String? = { _ in nil }
    ) {
        self.targetVariant = targetVariant
        self.customAttributes = customAttributes
        self.session = session
        self.header = header
    }

    /// The sticky key this request carries for `source`, if any.
    func stickyKey(_ source: StickyKeySource) -> String? {
        switch source {
        case .header(let name): header(name)
        case .customAttribute(let key): attribute(key)
        }
    }

    /// The value of `key` in the custom attributes (`key=value` pairs separated by `,` or `;`).
    public func attribute(_ key: String) -> String? {
        guard let customAttributes else { return nil }
        for entry in customAttributes.split(whereSeparator: { $0 == "," || $0 == ";" }) {
            let pair = entry.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingSpaces() == key { return String(pair[1].trimmingSpaces()) }
        }
        return nil
    }
}

/// How a request's body is read and its answer written.
public enum PayloadContract: Sendable {
    /// SageMaker's formats (CSV, JSON, JSON Lines), chosen from the body's content type and the accepted
    /// answer types by the service's `ContentNegotiation`.
    case negotiated(contentType: String?, accept: String?)
    /// A front door's own codec (a protocol with its own tensor encoding).
    case codec(any InvocationCodec)
}

/// Reads one front door's request bodies into model inputs and writes its answers. Runs on a worker.
public protocol InvocationCodec: Sendable {
    /// The model inputs in `body`, for a model with `signature`.
    func decode(_ body: [UInt8], for signature: ModelSignature) throws(InvocationFailure) -> DecodedRequest
    /// The answer's bytes and media type for `predictions`.
    func encode(_ predictions: Predictions) throws(InvocationFailure) -> InvocationAnswer
}

/// A model's predictions for one request, before any front door shapes them.
public struct Predictions: Sendable {
    /// The model's outputs by output name.
    public var outputs: [String: Value]
    /// The model's signature (which output is the label, the scores, ...).
    public var signature: ModelSignature
    /// How the variant's model config asks scores to be shown.
    public var rendering: OutputRendering
    /// The request's rows.
    public var rows: Int
    /// The outputs arranged per record (what the SageMaker formats and shadow comparisons read).
    let table: PredictionTable
}

/// What the core answers: the predictions as the door's codec wrote them, or why there are none, and
/// which variant served the request (nil when it was refused before routing).
public struct InvocationResult: Sendable {
    public var requestID: String
    public var route: ServedRoute?
    public var outcome: Result<InvocationAnswer, InvocationFailure>
    /// The session this answer opened or closed, if any.
    public var session: SessionEvent?
    /// Time queued for a worker and time on the worker (decode, run, encode), when it got that far (access log).
    public var queueTime: Duration?
    public var modelTime: Duration?

    public init(
        requestID: String, route: ServedRoute?, outcome: Result<InvocationAnswer, InvocationFailure>,
        session: SessionEvent? = nil
    ) {
        self.requestID = requestID
        self.route = route
        self.outcome = outcome
        self.session = session
    }

    /// The failure, if there was one.
    public var failure: InvocationFailure? {
        if case .failure(let failure) = outcome { return failure }
        return nil
    }
}

/// An encoded answer.
public struct InvocationAnswer: Sendable, Equatable {
    public var body: [UInt8]
    public var mediaType: String

    public init(body: [UInt8], mediaType: String) {
        self.body = body
        self.mediaType = mediaType
    }
}

/// Which variant and model version served a request, and how the variant was chosen.
public struct ServedRoute: Sendable, Equatable {
    public var variant: String
    public var model: ModelID
    public var rule: RoutingRule

    public init(variant: String, model: ModelID, rule: RoutingRule) {
        self.variant = variant
        self.model = model
        self.rule = rule
    }
}
