import Synchronization

/// A sample-ratio-mismatch (SRM) check: counts the requests that weighted draws assign to each production
/// variant and tests the counts against the configured shares with a chi-square test.
///
/// A split that drifts from its weights (a variant that failed and lost its traffic, a client or proxy that
/// retries into one variant, a routing bug) biases every comparison between the variants; this flags it
/// while the test runs instead of after it. One check lives in each `EndpointState`, so a reload or a weight
/// change starts a new count. Sticky and targeted requests are not counted: sticky assignment is per key,
/// and per-request counts are skewed by how active each key is.
///
/// Beside the chi-square test (valid for one look), the check keeps the sequential, anytime-valid form
/// (`SequentialSampleRatio`), whose p-value may be watched continuously; it carries over weight changes
/// (a new period with the new shares) and restarts with a reload.
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
    private let sequential: SanitizerVisibleLock<SequentialSampleRatio>

    private final class Count: Sendable {
        let value = Atomic<Int>(0)
    }

    /// `continuing`: the check of the snapshot this one replaces after a weight change; its sequential
    /// evidence carries over when the variants are the same.
    public init(names: [String], expectedShares: [Double], continuing previous: TrafficSplitCheck? = nil,
                concentration: Double = SequentialSampleRatio.defaultConcentration) {
        self.names = names
        self.expectedShares = expectedShares
        self.counts = names.map { _ in Count() }
        var carried = SequentialSampleRatio(shares: expectedShares, concentration: concentration)
        if let previous, previous.names == names {
            carried = previous.sequential.withLock { $0 }
            carried.expect(expectedShares)
        }
        self.sequential = SanitizerVisibleLock(carried)
    }

    /// Counts one weighted draw that went to `variant`. Any thread.
    public func recordWeighted(_ variant: String) {
        guard let index = names.firstIndex(of: variant) else { return }
        counts[index].value.add(1, ordering: .relaxed)
        sequential.withLock { $0.observe(index) }
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
        /// The anytime-valid p-value (min over time of 1/BF) and its verdict (below `threshold`; no minimum
        /// count is needed, the Bayes factor is small on little data).
        public var sequentialPValue: Double
        public var sequentialMismatch: Bool
        /// Weighted requests the sequential check has seen, across weight changes.
        public var sequentialRequests: Int
    }

    public func report() -> Report {
        let observed = counts.map { $0.value.load(ordering: .relaxed) }
        let total = observed.reduce(0, +)
        let (statistic, dof) = ChiSquare.statistic(observed: observed, shares: expectedShares)
        let p = ChiSquare.pValue(statistic, degreesOfFreedom: dof)
        let (sequentialP, sequentialTotal) = sequential.withLock { ($0.pValue, $0.total) }
        return Report(
            observed: observed, total: total, chiSquare: statistic, degreesOfFreedom: dof, pValue: p,
            mismatch: total >= Self.minimumRequests && p < Self.threshold,
            sequentialPValue: sequentialP, sequentialMismatch: sequentialP < Self.threshold,
            sequentialRequests: sequentialTotal)
    }
}
