/// A fully received HTTP/1.x request (head and whole body).
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request target as sent (origin form, e.g. "/invocations?x=1").
    public var target: String
    /// The target up to `?` (not percent-decoded).
    public var path: String
    /// The target after `?`, or nil when there is none.
    public var query: String?
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var versionMinor: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Request id assigned by the server (16 hex chars, unique per process); echoed as `x-amzn-RequestId`.
    public var id: String
    /// When the last byte of the head/body was parsed.
    public var receivedAt: ContinuousClock.Instant

    public init(method: HTTPMethod, target: String, versionMinor: Int = 1, headers: HTTPHeaders = HTTPHeaders(),
                body: [UInt8] = [], id: String = RequestID.next(), receivedAt: ContinuousClock.Instant = .now) {
        self.method = method
        self.target = target
        if let question = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            self.path = String(target[..<question])
            self.query = String(target[target.index(after: question)...])
        } else {
            self.path = target
            self.query = nil
        }
        self.versionMinor = versionMinor
        self.headers = headers
        self.body = body
        self.id = id
        self.receivedAt = receivedAt
    }
}
