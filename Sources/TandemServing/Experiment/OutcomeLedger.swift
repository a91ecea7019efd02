import DequeModule
import Synchronization

/// Joins delayed outcomes to the variant that answered: remembers which production variant served each
/// recent request id, takes one outcome per id (a conversion 0/1, revenue, a rating...), and keeps each
/// variant's outcome statistics for the experiment report.
///
/// Bounded: the `capacity` most recent request ids are remembered (older ones are forgotten first, and an
/// outcome for them is reported as unknown). Statistics are kept by variant name, so they survive reloads
/// and weight changes; `reset()` starts a new experiment.
public final class OutcomeLedger: Sendable {
    /// What happened to one submitted outcome.
    public enum Verdict: String, Sendable {
        case accepted
        /// The id was never served by a production variant, or was forgotten (see `capacity`).
        case unknownRequest = "unknown_request"
        /// The id already has an outcome.
        case duplicate
    }

    /// A remembered request id: Tandem's own ids (16 lowercase hex digits) as the number they spell, so the
    /// `capacity` most recent ones cost no allocation and hash as one word; any other id as its text.
    private enum Key: Hashable {
        case number(UInt64)
        case text(String)

        init(_ id: String) {
            var value: UInt64 = 0
            var digits = 0
            for byte in id.utf8 {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
                default: self = .text(id); return
                }
                digits += 1
                guard digits <= 16 else { self = .text(id); return }
                value = value << 4 | UInt64(digit)
            }
            self = digits == 16 ? .number(value) : .text(id)
        }
    }

    private struct State {
        var served: [Key: Int32] = [:]  // request id -> index into `names`
        var order: Deque<Key> = []
        var settled: Set<Key> = []
        var names: [String] = []
        var nameIndex: [String: Int32] = [:]
        var stats: [String: OutcomeStats] = [:]

        mutating func index(of name: String) -> Int32 {
            if let known = nameIndex[name] { return known }
            let index = Int32(names.count)
            names.append(name)
            nameIndex[name] = index
            return index
        }
    }

    public let capacity: Int
    private let state = SanitizerVisibleLock(State())

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// A production variant answered `requestID` with 200.
    public func served(_ requestID: String, by variant: String) {
        let key = Key(requestID)
        state.withLock { state in
            let name = state.index(of: variant)
            guard state.served.updateValue(name, forKey: key) == nil else { return }
            state.order.append(key)
            while state.order.count > capacity, let oldest = state.order.popFirst() {
                state.served[oldest] = nil
                state.settled.remove(oldest)
            }
        }
    }

    /// Records `value` as the outcome of `requestID`.
    public func record(_ requestID: String, value: Double) -> (verdict: Verdict, variant: String?) {
        let key = Key(requestID)
        return state.withLock { state in
            guard let index = state.served[key] else { return (.unknownRequest, nil) }
            let variant = state.names[Int(index)]
            guard state.settled.insert(key).inserted else { return (.duplicate, variant) }
            state.stats[variant, default: OutcomeStats()].add(value)
            return (.accepted, variant)
        }
    }

    /// The variant that served `requestID`, if it is remembered.
    public func variant(of requestID: String) -> String? {
        let key = Key(requestID)
        return state.withLock { state in state.served[key].map { state.names[Int($0)] } }
    }

    /// Outcome statistics by variant name.
    public func statistics() -> [String: OutcomeStats] {
        state.withLock { $0.stats }
    }

    /// Forgets every statistic (request ids stay, so late outcomes of earlier requests still count).
    public func reset() {
        state.withLock { $0.stats = [:] }
    }
}
