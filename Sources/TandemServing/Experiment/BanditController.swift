import Dispatch
import Foundation
import Logging
import Synchronization

/// `experiment.bandit:` — Thompson sampling over the production variants.
public struct BanditPolicy: Sendable, Equatable {
    /// Seconds between weight updates (GrowthBook: at least 15 minutes in production).
    public var cadenceSeconds: Double = 900
    /// Equal weights until every arm has this many outcomes.
    public var burnInOutcomes: Int = 100
    /// The least share any arm keeps.
    public var floor: Double = 0.01
    /// Posterior draws per update.
    public var draws: Int = 10_000
    public var higherIsBetter = true

    public init() {}
}

/// Recomputes the production variants' weights on the bandit's cadence from the experiment's outcomes, through
/// `Endpoint.setWeights`, so sticky keys, shadows and the split check keep working: the split check's sequential
/// form carries its evidence into each new period with the new expected shares. Every decision is kept (the
/// shares, which sum to 1) and each assignment's probability is recorded in the ledger with it.
public final class BanditController: Sendable {
    private let endpoint: Endpoint
    private let book: ExperimentBook
    private let logger: Logger
    private let queue = DispatchQueue(label: "tandem.bandit", qos: .utility)
    private let started = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)

    public init(endpoint: Endpoint, book: ExperimentBook, logger: Logger) {
        self.endpoint = endpoint
        self.book = book
        self.logger = logger
    }

    public func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        schedule(after: 0.2)
    }

    public func stop() { stopped.store(true, ordering: .releasing) }

    /// The most recent weight updates, oldest first.
    public func history() -> [BanditDecision] { book.banditDecisions() }

    private func schedule(after seconds: Double) {
        guard !stopped.load(ordering: .acquiring) else { return }
        queue.asyncAfter(deadline: .now() + .milliseconds(max(1, Int(seconds * 1000)))) { [self] in
            schedule(after: update())
        }
    }

    /// One update; the seconds until the next.
    private func update() -> Double {
        guard let state = endpoint.state, let experiment = state.config.experiment, let policy = experiment.bandit else {
            return 1
        }
        var stats = book.ledger(experiment).statistics()
        if let durable = book.durable(experiment, endpoint: state.config.endpointName) {
            let box = SanitizerVisibleLock<[String: OutcomeStats]?>(nil)
            let done = DispatchSemaphore(value: 0)
            durable.report { result in
                if case .success(let report) = result { box.withLock { $0 = report.statistics } }
                done.signal()
            }
            if done.wait(timeout: .now() + .seconds(5)) == .success, let shared = box.withLock({ $0 }) { stats = shared }
        }
        let names = state.production.filter { $0.state.isServing }.map(\.name)
        guard names.count > 1 else { return policy.cadenceSeconds }
        let arms = names.map { stats[$0] ?? OutcomeStats() }
        let burnIn = arms.contains { $0.count < policy.burnInOutcomes }
        var generator = SystemRandomNumberGenerator()
        let shares = burnIn
            ? names.map { _ in 1 / Double(names.count) }
            : ThompsonSampling.weights(
                arms, metric: experiment.metric, floor: policy.floor, draws: policy.draws, higherIsBetter: policy.higherIsBetter,
                using: &generator)
        var weights: [String: Double] = [:]
        for (name, share) in zip(names, shares) { weights[name] = share }
        for variant in state.production where weights[variant.name] == nil { weights[variant.name] = 0 }
        do {
            try endpoint.setWeights(weights)
        } catch {
            logger.error("bandit could not set weights", metadata: ["error": "\(error.message)"])
            return policy.cadenceSeconds
        }
        let decision = BanditDecision(
            time: Date().timeIntervalSince1970, shares: Dictionary(uniqueKeysWithValues: zip(names, shares)), burnIn: burnIn)
        book.note(decision)
        logger.info("bandit weights", metadata: ["shares": "\(decision.shares)", "burn_in": "\(burnIn)"])
        return policy.cadenceSeconds
    }
}
