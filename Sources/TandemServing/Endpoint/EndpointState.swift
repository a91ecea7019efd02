/// An immutable snapshot of what the endpoint serves: its variants and routing table. Requests take
/// the current snapshot once and keep using it, so a reload or weight change never affects a request
/// in flight.
public final class EndpointState: Sendable {
    /// Serving settings shared by every variant.
    public struct Settings: Sendable {
        /// Queue bound per variant unless the model or variant sets one.
        public var queueBound: Int
        /// Request deadline unless the model or variant sets one.
        public var timeout: Duration

        public init(queueBound: Int = 512, timeout: Duration = .seconds(60)) {
            self.queueBound = queueBound
            self.timeout = timeout
        }
    }

    public let config: EndpointConfig
    public let production: [Variant]
    public let shadows: [Variant]
    public let routing: RoutingTable
    /// Current weights by production variant name (starts as the config's, changed by the admin call).
    public let weights: [String: Double]
    /// Increases with every reload or weight change.
    public let generation: Int
    /// The sample-ratio-mismatch check for this snapshot's weights.
    public let split: TrafficSplitCheck

    init(config: EndpointConfig, production: [Variant], shadows: [Variant], weights: [String: Double], generation: Int,
         continuing previous: EndpointState? = nil) {
        self.config = config
        self.production = production
        self.shadows = shadows
        self.weights = weights
        self.generation = generation
        // Failed variants leave the routing table: their share is redistributed over the others in
        // proportion to the others' weights (and returns when a reload fixes them).
        self.routing = RoutingTable(
            entries: production.filter { $0.state.isServing }.map { .init(name: $0.name, weight: weights[$0.name] ?? 0) },
            salt: config.salt)
        // The configured shares, computed once: the split check tests against them and `configuredShare` reads them.
        let total = production.reduce(0) { $0 + (weights[$1.name] ?? 0) }
        self.split = TrafficSplitCheck(
            names: production.map(\.name),
            expectedShares: production.map { total > 0 ? (weights[$0.name] ?? 0) / total : 0 },
            continuing: previous?.split)
    }

    /// A copy with new weights.
    func with(weights: [String: Double]) -> EndpointState {
        EndpointState(
            config: config, production: production, shadows: shadows, weights: weights, generation: generation + 1,
            continuing: self)
    }

    /// The production variant called `name`.
    public func productionVariant(named name: String) -> Variant? {
        production.first { $0.name == name }
    }

    /// Every variant, production first.
    public var allVariants: [Variant] { production + shadows }

    /// The configured share of a production variant (weight / sum of weights), before redistribution.
    public func configuredShare(of name: String) -> Double {
        split.names.firstIndex(of: name).map { split.expectedShares[$0] } ?? 0
    }

    /// Whether `/ping` should answer 200 under the configured policy.
    public var isHealthy: Bool {
        let serving = production.filter { $0.state.isServing }
        switch config.healthPolicy {
        case .all: return serving.count == production.count
        case .any: return !serving.isEmpty
        }
    }
}
