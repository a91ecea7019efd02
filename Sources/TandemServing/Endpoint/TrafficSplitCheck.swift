import Synchronization

/// A sample-ratio-mismatch (SRM) check: counts the requests that weighted draws assign to each production
/// variant and tests the counts against the configured shares with a chi-square test.
///
/// A split that drifts from its weights (a variant that failed and lost its traffic, a client or proxy that
/// retries into one variant, a routing bug) biases every comparison between the variants; this flags it
/// while the test runs instead of after it. One check lives in each `EndpointState`, so a reload or a weight
/// change starts a new count. Sticky and targeted requests are not counted: sticky assignment is per key,
/// and per-request counts are skewed by how active each key is.
public final class TrafficSplitCheck: Sendable {
    /// p-values below this flag a mismatch (a common SRM threshold: false alarms about once per 1,000 checks).
    public static let threshold = 0.001
    /// No verdict before this many weighted requests.
    public static let minimumRequests = 100

    /// Production variant names, in config order.
    public let names: [String]
    /// Configured shares (weight / sum of weights), in `names` order.
    public let expectedShares: [Double]
    private let counts: [Count]

    private final class Count: Sendable {
        let value = Atomic<Int>(0)
    }

    public init(names: [String], expectedShares: [Double]) {
        self.names = names
        self.expectedShares = expectedShares
        self.counts = names.map { _ in Count() }
    }

    /// Counts one weighted draw that went to `variant`. Any thread; lock-free.
    public func recordWeighted(_ variant: String) {
        guard let index = names.firstIndex(of: variant) else { return }
        counts[index].value.add(1, ordering: .relaxed)
    }

    /// The counts so far and the test's verdict.
    public struct Report: Sendable {
        public var observed: [Int]
        public var total: Int
        public var chiSquare: Double
        public var degreesOfFreedom: Int
        public var pValue: Double
        /// True when enough requests were seen and the p-value is below `threshold`.
        public var mismatch: Bool
    }

    public func report() -> Report {
        let observed = counts.map { $0.value.load(ordering: .relaxed) }
        let total = observed.reduce(0, +)
        let (statistic, dof) = ChiSquare.statistic(observed: observed, shares: expectedShares)
        let p = ChiSquare.pValue(statistic, degreesOfFreedom: dof)
        return Report(
            observed: observed, total: total, chiSquare: statistic, degreesOfFreedom: dof, pValue: p,
            mismatch: total >= Self.minimumRequests && p < Self.threshold)
    }
}
