import Synchronization

/// Holds the endpoint's current `EndpointState` and swaps it atomically on reload or weight change.
/// Before the first state is installed the endpoint is loading: `/ping` answers 503.
public final class Endpoint: Sendable {
    private let current = SanitizerVisibleLock<EndpointState?>(nil)
    /// Set when the first load failed: `/ping` reports it.
    private let startupFailure = SanitizerVisibleLock<String?>(nil)

    public init() {}

    /// The current snapshot, or nil while loading.
    public var state: EndpointState? {
        current.withLock { $0 }
    }

    /// Makes `state` current. Requests already holding the old snapshot finish on it.
    public func install(_ state: EndpointState) {
        current.withLock { $0 = state }
    }

    /// Records why the endpoint could not start serving.
    public func failStartup(_ reason: String) {
        startupFailure.withLock { $0 = reason }
    }

    /// Why the endpoint could not start, if it could not.
    public var failure: String? {
        startupFailure.withLock { $0 }
    }

    /// Sets production variant weights without a restart (like UpdateEndpointWeightsAndCapacities).
    /// Variants left out keep their weight. Throws for unknown variants, negative weights, or a result
    /// where no variant could take traffic.
    ///
    /// The next snapshot is built outside the lock (building it reads each variant's health, which takes
    /// the `HealthTracker`'s lock), then swapped in only if no reload or other weight change came in
    /// between; otherwise it is built again from the newer snapshot.
    @discardableResult
    public func setWeights(_ changes: [String: Double]) throws(ConfigError) -> EndpointState {
        while true {
            guard let state = self.state else { throw ConfigError("the endpoint is still loading") }
            var weights = state.weights
            for (name, weight) in changes {
                guard weights[name] != nil else {
                    throw ConfigError(
                        "unknown production variant '\(name)'; variants: \(state.production.map(\.name).joined(separator: ", "))")
                }
                guard weight.isFinite, weight >= 0 else {
                    throw ConfigError("weight for '\(name)' must be a number >= 0, got \(weight)")
                }
                weights[name] = weight
            }
            let ordered = state.production.map { ($0.name, weights[$0.name] ?? 0) }
            if let problem = RoutingTable.problem(withWeights: ordered) { throw ConfigError(problem) }
            let next = state.with(weights: weights)
            let swapped = current.withLock { slot -> Bool in
                guard slot === state else { return false }
                slot = next
                return true
            }
            if swapped { return next }
        }
    }
}
