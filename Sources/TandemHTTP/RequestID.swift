import Synchronization

/// Process-unique request ids: a random 64-bit start, then +1 per request, as 16 lowercase hex chars.
///
/// Consecutive, so one process's ids sort in the order it issued them: the experiment ledger's index on
/// `(endpoint, request_id)` then grows at its right edge and a batch of assignments touches a few pages, where
/// scattered ids put every row on a page of its own (a 4 KiB page write per request; the ledger benchmark ran at
/// 0.69x of ledger-off). Two replicas collide only if their random starts fall within the number of requests
/// served of each other: a chance of about 2n / 2^64.
public enum RequestID {
    private static let counter = Atomic<UInt64>(UInt64.random(in: 0...UInt64.max))

    /// The next id, e.g. "9f3a1c02d4e5b607". Any thread.
    public static func next() -> String {
        let (value, _) = counter.wrappingAdd(1, ordering: .relaxed)
        return ASCII.hex16(value)
    }
}
