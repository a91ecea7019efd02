extension ErrorBody {
    /// `text` as a quoted JSON string (for the server's other JSON bodies).
    public static func quoted(_ text: String) -> String {
        JSONWriter.quoted(text)
    }
}

/// The one JSON error shape: `{"code": "...", "message": "...", "request_id": "...", ...extra}`.
public enum ErrorBody {
    public static func json(code: String, message: String, requestID: String, extra: [(String, String)] = []) -> [UInt8] {
        var w = JSONWriter(capacity: 128 + message.utf8.count)
        w.raw("{\"code\":")
        w.string(code)
        w.raw(",\"message\":")
        w.string(message)
        w.raw(",\"request_id\":")
        w.string(requestID)
        for (key, rawJSON) in extra {
            w.raw(",")
            w.string(key)
            w.raw(":")
            w.raw(rawJSON)
        }
        w.raw("}")
        return w.bytes
    }
}
