/// Serialises response heads into bytes (the body is written separately, uncopied).
enum HTTPResponseEncoder {
    static let continueBytes: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    private static let contentLength: [UInt8] = Array("Content-Length: ".utf8)
    private static let requestIDHeader: [UInt8] = Array("x-amzn-RequestId: ".utf8)
    private static let connectionClose: [UInt8] = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive: [UInt8] = Array("Connection: keep-alive\r\n".utf8)
    private static let crlf: [UInt8] = [ASCII.cr, ASCII.lf]
    private static let separator: [UInt8] = [ASCII.colon, ASCII.space]

    /// Whether the response itself asks to close the connection.
    static func requestsClose(_ response: HTTPResponse) -> Bool {
        guard let value = response.headers["connection"] else { return false }
        return ASCII.containsToken(value, "close")
    }

    /// The status line and header block for `response`.
    /// - Parameters:
    ///   - close: adds `Connection: close`.
    ///   - keepAlive10: adds `Connection: keep-alive` (HTTP/1.0 clients that asked for it).
    ///   - date: the whole `Date: ...\r\n` line (RFC 9110 6.6.1: an origin server with a clock must send one).
    ///   - streaming: no `Content-Length` (the body runs until the connection closes: Server-Sent Events).
    static func encodeHead(_ response: HTTPResponse, requestID: String, close: Bool, keepAlive10: Bool,
                           date: [UInt8] = [], streaming: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + response.headers.count * 40)
        out.append(contentsOf: HTTPStatus.statusLine(response.status))
        out.append(contentsOf: date)
        var hasRequestID = false
        for field in response.headers {
            if ASCII.equalsIgnoringCase(field.name, "content-length") || ASCII.equalsIgnoringCase(field.name, "connection")
                || (!date.isEmpty && ASCII.equalsIgnoringCase(field.name, "date")) {
                continue
            }
            if ASCII.equalsIgnoringCase(field.name, "x-amzn-requestid") { hasRequestID = true }
            appendField(field.name, field.value, to: &out)
        }
        if !hasRequestID {
            out.append(contentsOf: requestIDHeader)
            out.append(contentsOf: requestID.utf8)
            out.append(contentsOf: crlf)
        }
        let status = response.status
        if !streaming && status != 204 && status != 304 && !(100..<200).contains(status) {
            out.append(contentsOf: contentLength)
            ASCII.appendDecimal(response.body.count, to: &out)
            out.append(contentsOf: crlf)
        }
        if close {
            out.append(contentsOf: connectionClose)
        } else if keepAlive10 {
            out.append(contentsOf: connectionKeepAlive)
        }
        out.append(contentsOf: crlf)
        return out
    }

    private static func appendField(_ name: String, _ value: String, to out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: separator)
        // Header injection guard: CR/LF in values become spaces.
        for byte in value.utf8 {
            out.append(byte == ASCII.cr || byte == ASCII.lf ? ASCII.space : byte)
        }
        out.append(contentsOf: crlf)
    }

    /// Whether a body may be sent for `status` at all.
    static func allowsBody(_ status: Int) -> Bool {
        status != 204 && status != 304 && !(100..<200).contains(status)
    }
}
