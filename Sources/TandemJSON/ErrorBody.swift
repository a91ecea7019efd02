/// The one JSON error shape: `{"code": "...", "message": "...", "request_id": "...", ...extra}`.
public enum ErrorBody {
    /// The error body; `extra` members' values are raw JSON (`("limit_bytes", "26214400")`, `("variant", "\"a\"")`).
    public static func json(code: String, message: String, requestID: String, extra: [(String, String)] = []) -> [UInt8] {
        var w = JSONWriter(capacity: 128 + message.utf8.count)
        w.beginObject()
        w.key("code")
        w.string(code)
        w.key("message")
        w.string(message)
        w.key("request_id")
        w.string(requestID)
        for (key, rawJSON) in extra {
            w.key(key)
            w.fragment(rawJSON)
        }
        w.endObject()
        return w.bytes
    }

    /// `text` as a quoted JSON string (for the `extra` members and the server's other JSON bodies).
    public static func quoted(_ text: String) -> String {
        JSONWriter.quoted(text)
    }
}
