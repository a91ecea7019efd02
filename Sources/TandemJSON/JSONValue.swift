/// A parsed JSON value. Objects keep their members in document order (and duplicates, as sent).
public enum JSONValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// The first member called `key`, for objects.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The members of an object, nil for anything else.
    public var objectMembers: [(String, JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The number, nil for anything else (`true` is not a number).
    public var numberValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The string, nil for anything else.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A short rendering for error messages.
    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .string(let s): JSONWriter.quoted(s)
        case .array(let a): "an array of \(a.count)"
        case .object: "an object"
        }
    }
}

/// Why a document is not JSON: `message` is "malformed JSON at byte N: what", N counted from the start of the
/// buffer given to the parser.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The sentence for error bodies.
    public var message: String
    /// The byte offset of the first error.
    public var offset: Int

    public var description: String { message }
}
