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

    /// The one error shape: `{"code":"...","message":"...","request_id":"..."}` plus `extra` members,
    /// whose values are raw JSON (e.g. `("limit_bytes", "26214400")` or `("variant", "\"a\"")`).
    public static func jsonError(status: Int, code: String, message: String, requestID: String,
                                 extra: [(String, String)] = []) -> HTTPResponse {
        var json = "{\"code\":"
        JSONString.append(code, to: &json)
        json += ",\"message\":"
        JSONString.append(message, to: &json)
        json += ",\"request_id\":"
        JSONString.append(requestID, to: &json)
        for (name, rawValue) in extra {
            json += ","
            JSONString.append(name, to: &json)
            json += ":"
            json += rawValue
        }
        json += "}"
        return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(json.utf8))
    }
}

/// Minimal JSON string escaping for error bodies.
public enum JSONString {
    /// Appends `value` as a quoted, escaped JSON string.
    public static func append(_ value: String, to output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    /// `value` as a quoted, escaped JSON string.
    public static func quoted(_ value: String) -> String {
        var output = ""
        append(value, to: &output)
        return output
    }
}
