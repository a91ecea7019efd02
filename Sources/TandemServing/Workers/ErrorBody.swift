extension ErrorBody {
    /// `text` as a quoted JSON string, as bytes.
    public static func quotedJSON(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        JSONWriter.appendQuoted(text, to: &out)
        return out
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
