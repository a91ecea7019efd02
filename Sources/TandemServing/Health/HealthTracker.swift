import Synchronization

/// The state of one variant, as `/ping` reports it.
public enum VariantHealth: Sendable, Equatable {
    case loading
    case ready
    /// Recent 5xx and timeouts above the threshold.
    case degraded(String)
    /// Cannot serve (its model did not load); the reason names the cause.
    case failed(String)

    /// `loading`, `ready`, `degraded` or `failed`.
    public var name: String {
        switch self {
        case .loading: "loading"
        case .ready: "ready"
        case .degraded: "degraded"
        case .failed: "failed"
        }
    }

    /// True when the variant can take traffic.
    public var isServing: Bool {
        switch self {
        case .ready, .degraded: true
        case .loading, .failed: false
        }
    }
}

/// Counts a variant's recent outcomes in a sliding window of ten buckets to tell ready from degraded.
public final class HealthTracker: Sendable {
    private struct Bucket {
        var start: ContinuousClock.Instant
        var requests = 0
        var failures = 0
    }

    private struct Window {
        var buckets: [Bucket]
        var current = 0
    }

    private let window: SanitizerVisibleLock<Window>
    private let bucketLength: Duration
    private let threshold: Double
    private let minRequests: Int

    /// A tracker over `window`, degraded when at least `minRequests` requests saw a failure share above `threshold`.
    public init(window: Duration, threshold: Double, minRequests: Int) {
        let now = ContinuousClock.now
        self.bucketLength = window / 10
        self.threshold = threshold
        self.minRequests = minRequests
        self.window = SanitizerVisibleLock(Window(buckets: Array(repeating: Bucket(start: now), count: 10)))
    }

    /// Records one answered request; `failed` for 5xx and deadline timeouts.
    public func record(failed: Bool) {
        let now = ContinuousClock.now
        window.withLock { w in
            if now - w.buckets[w.current].start >= bucketLength {
                w.current = (w.current + 1) % w.buckets.count
                w.buckets[w.current] = Bucket(start: now)
            }
            w.buckets[w.current].requests += 1
            if failed { w.buckets[w.current].failures += 1 }
        }
    }

    /// Requests and failures within the window.
    public func recent() -> (requests: Int, failures: Int) {
        let now = ContinuousClock.now
        let horizon = bucketLength * 10
        return window.withLock { w in
            var requests = 0, failures = 0
            for bucket in w.buckets where now - bucket.start < horizon {
                requests += bucket.requests
                failures += bucket.failures
            }
            return (requests, failures)
        }
    }

    /// Ready or degraded, from the recent outcomes.
    public func state() -> VariantHealth {
        let (requests, failures) = recent()
        guard requests >= minRequests, requests > 0 else { return .ready }
        let rate = Double(failures) / Double(requests)
        if rate > threshold {
            let percent = (rate * 1000).rounded() / 10
            return .degraded("\(failures) of the last \(requests) requests failed (\(percent)%)")
        }
        return .ready
    }
}
