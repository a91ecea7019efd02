import Synchronization

/// Process-unique request ids: a random 64-bit start, then +1 per request, as 16 lowercase hex chars.
public enum RequestID {
    private static let counter = Atomic<UInt64>(UInt64.random(in: 0...UInt64.max))

    /// The next id, e.g. "9f3a1c02d4e5b607". Any thread.
    public static func next() -> String {
        let (value, _) = counter.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed)
        return ASCII.hex16(value)
    }
}
