import Synchronization

/// What one variant did since the last `drain()`: answered requests, 4xx and 5xx, and model and overhead
/// latency in log-spaced buckets, for the dashboard's per-second series.
///
/// Cheap on the hot path: `record` takes one uncontended lock and bumps preallocated counters (nothing is
/// allocated per request); the once-a-second sampler reads and resets them.
public final class SecondWindow: Sendable {
    /// One drained interval.
    public struct Totals: Sendable, Equatable {
        public var requests = 0
        public var errors4xx = 0
        public var errors5xx = 0
        /// Latency percentiles in microseconds (0 when no request ran the model), to the buckets' resolution
        /// (about 19%: four buckets per power of two, each reported at its upper edge).
        public var modelP50: UInt32 = 0
        public var modelP99: UInt32 = 0
        public var overheadP50: UInt32 = 0
        public var overheadP99: UInt32 = 0
        public init() {}
    }

    /// Buckets per power of two of microseconds.
    static let bucketsPerOctave = 4
    /// 4 x 32 buckets cover 1 us to about 71 minutes.
    static let bucketCount = 128

    private struct State {
        var requests = 0
        var errors4xx = 0
        var errors5xx = 0
        var timed = 0
        var model: [UInt32]
        var overhead: [UInt32]
    }

    private let state: SanitizerVisibleLock<State>

    public init() {
        state = SanitizerVisibleLock(State(model: Array(repeating: 0, count: Self.bucketCount),
                            overhead: Array(repeating: 0, count: Self.bucketCount)))
    }

    /// Counts one answered request. `model` is nil when the model never ran.
    public func record(clientError: Bool, serverError: Bool, total: Duration, model: Duration?) {
        let modelBucket = model.map { Self.bucket(microseconds: $0.microsecondsRoundedUp) }
        let overheadBucket = model.map { Self.bucket(microseconds: (total > $0 ? total - $0 : .zero).microsecondsRoundedUp) }
        state.withLock { s in
            s.requests &+= 1
            if clientError { s.errors4xx &+= 1 }
            if serverError { s.errors5xx &+= 1 }
            if let modelBucket, let overheadBucket {
                s.timed &+= 1
                s.model[modelBucket] &+= 1
                s.overhead[overheadBucket] &+= 1
            }
        }
    }

    /// Returns the totals since the last drain and starts a new interval.
    public func drain() -> Totals {
        state.withLock { s in
            var totals = Totals()
            totals.requests = s.requests
            totals.errors4xx = s.errors4xx
            totals.errors5xx = s.errors5xx
            if s.timed > 0 {
                totals.modelP50 = Self.percentile(s.model, count: s.timed, 0.50)
                totals.modelP99 = Self.percentile(s.model, count: s.timed, 0.99)
                totals.overheadP50 = Self.percentile(s.overhead, count: s.timed, 0.50)
                totals.overheadP99 = Self.percentile(s.overhead, count: s.timed, 0.99)
                for i in 0..<Self.bucketCount {
                    s.model[i] = 0
                    s.overhead[i] = 0
                }
            }
            s.requests = 0
            s.errors4xx = 0
            s.errors5xx = 0
            s.timed = 0
            return totals
        }
    }

    /// The bucket of a duration: four per power of two (the top two bits below the leading one pick the quarter).
    static func bucket(microseconds: Int64) -> Int {
        let value = UInt64(max(1, microseconds))
        let exponent = 63 - value.leadingZeroBitCount
        let quarter = exponent >= 2 ? Int((value >> UInt64(exponent - 2)) & 3) : Int((value << UInt64(2 - exponent)) & 3)
        return min(exponent * bucketsPerOctave + quarter, bucketCount - 1)
    }

    /// The largest duration a bucket holds, in microseconds (its upper edge).
    static func upperEdge(ofBucket index: Int) -> UInt32 {
        let exponent = index / bucketsPerOctave
        let quarter = index % bucketsPerOctave
        let edge = (Double(4 + quarter + 1) / 4) * Double(UInt64(1) << UInt64(exponent))
        return UInt32(min(edge.rounded(.up) - 1, Double(UInt32.max)).magnitude)
    }

    private static func percentile(_ buckets: [UInt32], count: Int, _ q: Double) -> UInt32 {
        let rank = max(1, Int((Double(count) * q).rounded(.up)))
        var seen = 0
        for (index, n) in buckets.enumerated() {
            seen += Int(n)
            if seen >= rank { return upperEdge(ofBucket: index) }
        }
        return upperEdge(ofBucket: bucketCount - 1)
    }
}
