import TandemJSON

/// A complete HTTP response. The server adds `Content-Length`, `x-amzn-RequestId` and, when closing,
/// `Connection: close`; a `Content-Length` set here is ignored (the body's size is used).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The one error shape (`ErrorBody.json`): `{"code":"...","message":"...","request_id":"..."}` plus `extra`
    /// members, whose values are raw JSON (e.g. `("limit_bytes", "26214400")` or `("variant", "\"a\"")`).
    public static func jsonError(status: Int, code: String, message: String, requestID: String,
                                 extra: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: ["Content-Type": "application/json"],
            body: ErrorBody.json(code: code, message: message, requestID: requestID, extra: extra))
    }
}
