/// One `/invocations` call as the service sees it, free of HTTP types.
public struct InvocationRequest: Sendable {
    public var requestID: String
    public var body: [UInt8]
    public var contentType: String?
    public var accept: String?
    /// `X-Amzn-SageMaker-Target-Variant`.
    public var targetVariant: String?
    /// `X-Amzn-SageMaker-Custom-Attributes`.
    public var customAttributes: String?
    /// Looks up any request header (for a sticky key read from a header).
    public var header: @Sendable (String) -> String?
    /// When the request was fully received.
    public var receivedAt: ContinuousClock.Instant

    public init(
        requestID: String, body: [UInt8], contentType: String?, accept: String?, targetVariant: String?,
        customAttributes: String?, header: @escaping @Sendable (String) -> String?, receivedAt: ContinuousClock.Instant
    ) {
        self.requestID = requestID
        self.body = body
        self.contentType = contentType
        self.accept = accept
        self.targetVariant = targetVariant
        self.customAttributes = customAttributes
        self.header = header
        self.receivedAt = receivedAt
    }
}

/// The answer to an `InvocationRequest`.
public struct InvocationResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    /// Extra headers: `X-Amzn-Invoked-Production-Variant`, `X-Tandem-Routing`, `Retry-After`, ...
    public var headers: [(String, String)]
    /// For errors: the code and message that are also in the JSON body.
    public var errorCode: String?
    public var errorMessage: String?
    /// The variant that answered (nil when the request was refused before routing).
    public var variant: String?
    /// How it was chosen (nil when the request was refused before routing).
    public var routing: RoutingRule?
}

/// The routing decision for one request.
enum RouteOutcome {
    case routed(Variant, RoutingRule)
    case rejected(InvocationResponse)
}
