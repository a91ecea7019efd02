import Foundation
import Synchronization

/// Exact running totals of one variant's requests, as the Open Inference Protocol's statistics extension
/// reports them (`/v2/models/{model}/stats`, read by Triton's `perf_analyzer`): how many requests
/// succeeded and failed and the nanoseconds they took end to end, the nanoseconds they waited in the
/// variant's queue, and the nanoseconds the model spent on them (decode, run and encode on a worker).
///
/// The latency histograms keep percentiles; these keep sums, which a load generator differences between
/// two reads to get the mean of its own measurement window. Lock-free: relaxed atomic adds.
public final class InferenceStatistics: Sendable {
    private let successCount = Atomic<Int>(0)
    private let successNanoseconds = Atomic<Int>(0)
    private let failureCount = Atomic<Int>(0)
    private let failureNanoseconds = Atomic<Int>(0)
    private let queueCount = Atomic<Int>(0)
    private let queueNanoseconds = Atomic<Int>(0)
    private let computeCount = Atomic<Int>(0)
    private let computeNanoseconds = Atomic<Int>(0)
    /// Milliseconds since the Unix epoch of the last answered request (0 before any).
    private let lastInference = Atomic<Int>(0)

    public init() {}

    /// One request ended (answered or failed); `model` and `queueWait` are nil when it never reached them.
    func record(failed: Bool, total: Duration, model: Duration?, queueWait: Duration?) {
        if failed {
            failureCount.wrappingAdd(1, ordering: .relaxed)
            failureNanoseconds.wrappingAdd(Self.nanoseconds(total), ordering: .relaxed)
        } else {
            successCount.wrappingAdd(1, ordering: .relaxed)
            successNanoseconds.wrappingAdd(Self.nanoseconds(total), ordering: .relaxed)
            lastInference.store(Int(Date().timeIntervalSince1970 * 1000), ordering: .relaxed)
        }
        if let queueWait {
            queueCount.wrappingAdd(1, ordering: .relaxed)
            queueNanoseconds.wrappingAdd(Self.nanoseconds(queueWait), ordering: .relaxed)
        }
        if let model {
            computeCount.wrappingAdd(1, ordering: .relaxed)
            computeNanoseconds.wrappingAdd(Self.nanoseconds(model), ordering: .relaxed)
        }
    }

    /// The totals now.
    public var snapshot: Snapshot {
        Snapshot(
            success: Total(count: successCount.load(ordering: .relaxed), nanoseconds: successNanoseconds.load(ordering: .relaxed)),
            failure: Total(count: failureCount.load(ordering: .relaxed), nanoseconds: failureNanoseconds.load(ordering: .relaxed)),
            queue: Total(count: queueCount.load(ordering: .relaxed), nanoseconds: queueNanoseconds.load(ordering: .relaxed)),
            compute: Total(count: computeCount.load(ordering: .relaxed), nanoseconds: computeNanoseconds.load(ordering: .relaxed)),
            lastInferenceMilliseconds: lastInference.load(ordering: .relaxed))
    }

    /// A count and the nanoseconds it took in total.
    public struct Total: Sendable, Equatable {
        public var count: Int
        public var nanoseconds: Int

        public init(count: Int = 0, nanoseconds: Int = 0) {
            self.count = count
            self.nanoseconds = nanoseconds
        }

        /// The sum of two totals (several variants serving one model).
        public static func + (a: Total, b: Total) -> Total {
            Total(count: a.count &+ b.count, nanoseconds: a.nanoseconds &+ b.nanoseconds)
        }
    }

    /// The totals at one moment.
    public struct Snapshot: Sendable, Equatable {
        public var success = Total()
        public var failure = Total()
        public var queue = Total()
        public var compute = Total()
        public var lastInferenceMilliseconds = 0

        public init(
            success: Total = Total(), failure: Total = Total(), queue: Total = Total(), compute: Total = Total(),
            lastInferenceMilliseconds: Int = 0
        ) {
            self.success = success
            self.failure = failure
            self.queue = queue
            self.compute = compute
            self.lastInferenceMilliseconds = lastInferenceMilliseconds
        }

        /// The totals of two variants together (the endpoint model sums its production variants).
        public static func + (a: Snapshot, b: Snapshot) -> Snapshot {
            Snapshot(
                success: a.success + b.success, failure: a.failure + b.failure, queue: a.queue + b.queue,
                compute: a.compute + b.compute,
                lastInferenceMilliseconds: max(a.lastInferenceMilliseconds, b.lastInferenceMilliseconds))
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int.max : Int(whole) &+ Int(attoseconds / 1_000_000_000)
    }
}
