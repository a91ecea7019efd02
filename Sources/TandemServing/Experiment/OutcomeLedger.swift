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

    private struct State {
        var served: [String: String] = [:]  // request id -> variant; nil value never stored
        var order: Deque<String> = []
        var settled: Set<String> = []
        var stats: [String: OutcomeStats] = [:]
    }

    public let capacity: Int
    private let state = SanitizerVisibleLock(State())

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// A production variant answered `requestID` with 200.
    public func served(_ requestID: String, by variant: String) {
        state.withLock { state in
            guard state.served.updateValue(variant, forKey: requestID) == nil else { return }
            state.order.append(requestID)
            while state.order.count > capacity, let oldest = state.order.popFirst() {
                state.served[oldest] = nil
                state.settled.remove(oldest)
            }
        }
    }

    /// Records `value` as the outcome of `requestID`.
    public func record(_ requestID: String, value: Double) -> (verdict: Verdict, variant: String?) {
        state.withLock { state in
            guard let variant = state.served[requestID] else { return (.unknownRequest, nil) }
            guard state.settled.insert(requestID).inserted else { return (.duplicate, variant) }
            state.stats[variant, default: OutcomeStats()].add(value)
            return (.accepted, variant)
        }
    }

    /// The variant that served `requestID`, if it is remembered.
    public func variant(of requestID: String) -> String? {
        state.withLock { $0.served[requestID] }
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
