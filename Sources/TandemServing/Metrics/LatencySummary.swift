import Histogram
import Synchronization

/// Latency percentiles for the JSON metrics summary, kept in HdrHistograms (microseconds, 3 significant digits).
public final class LatencyRecorder: Sendable {
    private let histogram: SanitizerVisibleLock<Histogram<UInt64>>

    public init() {
        histogram = SanitizerVisibleLock(Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three))
    }

    /// Records one duration.
    public func record(_ duration: Duration) {
        let micros = max(1, duration.microsecondsRoundedUp)
        histogram.withLock { _ = $0.record(UInt64(min(micros, 3_600_000_000))) }
    }

    /// Count, p50, p90, p99 and max in microseconds.
    public func summary() -> LatencySummary {
        histogram.withLock { h in
            LatencySummary(
                count: h.totalCount,
                p50: h.totalCount == 0 ? 0 : h.valueAtPercentile(50),
                p90: h.totalCount == 0 ? 0 : h.valueAtPercentile(90),
                p99: h.totalCount == 0 ? 0 : h.valueAtPercentile(99),
                max: h.totalCount == 0 ? 0 : h.max)
        }
    }
}

/// A latency distribution in microseconds.
public struct LatencySummary: Sendable, Equatable {
    public var count: UInt64
    public var p50: UInt64
    public var p90: UInt64
    public var p99: UInt64
    public var max: UInt64
}
