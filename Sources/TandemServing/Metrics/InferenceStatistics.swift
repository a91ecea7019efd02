import Foundation
import Synchronization

/// Exact running totals of one variant's requests, as the Open Inference Protocol's statistics extension
/// reports them (`/v2/models/{model}/stats`, read by Triton's `perf_analyzer`): how many requests
/// succeeded and failed and the nanoseconds they took end to end, the nanoseconds they waited in the
/// variant's queue, and the nanoseconds a worker spent on them, split as Triton splits it: decoding the
/// body into tensors (`compute_input`), running the model (`compute_infer`) and encoding the answer
/// (`compute_output`).
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
    private let computeInputNanoseconds = Atomic<Int>(0)
    private let computeOutputNanoseconds = Atomic<Int>(0)
    /// Milliseconds since the Unix epoch of the last answered request (0 before any).
    private let lastInference = Atomic<Int>(0)

    public init() {}

    /// One request ended (answered or failed); `compute` and `queueWait` are nil when it never reached them.
    func record(failed: Bool, total: Duration, compute: ComputeSplit?, queueWait: Duration?) {
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
        if let compute {
            computeCount.wrappingAdd(1, ordering: .relaxed)
            computeInputNanoseconds.wrappingAdd(Self.nanoseconds(compute.input), ordering: .relaxed)
            computeNanoseconds.wrappingAdd(Self.nanoseconds(compute.infer), ordering: .relaxed)
            computeOutputNanoseconds.wrappingAdd(Self.nanoseconds(compute.output), ordering: .relaxed)
        }
    }

    /// The totals now.
    public var snapshot: Snapshot {
        Snapshot(
            success: Total(count: successCount.load(ordering: .relaxed), nanoseconds: successNanoseconds.load(ordering: .relaxed)),
            failure: Total(count: failureCount.load(ordering: .relaxed), nanoseconds: failureNanoseconds.load(ordering: .relaxed)),
            queue: Total(count: queueCount.load(ordering: .relaxed), nanoseconds: queueNanoseconds.load(ordering: .relaxed)),
            computeInput: Total(count: computeCount.load(ordering: .relaxed), nanoseconds: computeInputNanoseconds.load(ordering: .relaxed)),
            compute: Total(count: computeCount.load(ordering: .relaxed), nanoseconds: computeNanoseconds.load(ordering: .relaxed)),
            computeOutput: Total(count: computeCount.load(ordering: .relaxed), nanoseconds: computeOutputNanoseconds.load(ordering: .relaxed)),
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
        /// Decoding bodies into tensors.
        public var computeInput = Total()
        /// Running the model (`compute_infer`).
        public var compute = Total()
        /// Encoding answers.
        public var computeOutput = Total()
        public var lastInferenceMilliseconds = 0

        public init(
            success: Total = Total(), failure: Total = Total(), queue: Total = Total(), computeInput: Total = Total(),
            compute: Total = Total(), computeOutput: Total = Total(), lastInferenceMilliseconds: Int = 0
        ) {
            self.success = success
            self.failure = failure
            self.queue = queue
            self.computeInput = computeInput
            self.compute = compute
            self.computeOutput = computeOutput
            self.lastInferenceMilliseconds = lastInferenceMilliseconds
        }

        /// The totals of two variants together (the endpoint model sums its production variants).
        public static func + (a: Snapshot, b: Snapshot) -> Snapshot {
            Snapshot(
                success: a.success + b.success, failure: a.failure + b.failure, queue: a.queue + b.queue,
                computeInput: a.computeInput + b.computeInput, compute: a.compute + b.compute,
                computeOutput: a.computeOutput + b.computeOutput,
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

/// Where a worker's time on one request went: decoding the body (`input`), running the model and checking
/// its outputs (`infer`), then what follows the predictions (`output`: encoding the answer, comparing a
/// shadow's). Their sum is the request's model time (`ModelLatency`).
public struct ComputeSplit: Sendable, Equatable {
    public var input: Duration
    public var infer: Duration
    public var output: Duration

    public init(input: Duration, infer: Duration, output: Duration) {
        self.input = input
        self.infer = infer
        self.output = output
    }

    /// The split of a run that started at `start` and ended at `end`; `decoded` and `inferred` are when the
    /// body was decoded and when the predictions were ready, nil when the run failed before (it spent the rest
    /// of its time in the step that failed).
    public init(
        start: ContinuousClock.Instant, decoded: ContinuousClock.Instant?, inferred: ContinuousClock.Instant?,
        end: ContinuousClock.Instant
    ) {
        let modelStart = decoded ?? end
        let modelEnd = inferred ?? end
        self.init(input: modelStart - start, infer: modelEnd - modelStart, output: end - modelEnd)
    }

    /// The whole time on the worker.
    public var total: Duration { input + infer + output }
}
