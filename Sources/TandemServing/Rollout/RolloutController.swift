import Dispatch
import Foundation
import Logging
import Prometheus
import Synchronization

/// Runs guarded rollouts inside the process: moves each challenger's share through its policy's steps, checks
/// its guardrails every evaluation interval, and rolls it back to 0 at once when one is breached.
///
/// It runs on its own serial queue, never on an event loop: it reads the variants' counters, health, the split
/// check and the experiment's outcome statistics, and changes traffic through `Endpoint.setWeights` (an atomic
/// snapshot swap; requests in flight are not touched). While a rollout runs it owns its challenger's weight:
/// a reload (SIGHUP) or a manual weight change is followed by the rollout's share again at the next
/// evaluation. Progress is written to the experiment ledger's `tandem_state` table after every decision and read
/// back at start, so a restart resumes a rollout at its step (with the time already spent in it).
public final class RolloutController: Sendable {
    private struct Tracked: Sendable {
        var progress: RolloutProgress
        /// The challenger's (answered, 5xx) counts when the step began: rates are per step.
        var baseline: (requests: Int, errors: Int)
    }

    private let endpoint: Endpoint
    private let book: ExperimentBook
    private let metrics: MetricsRegistry
    private let logger: Logger
    private let queue = DispatchQueue(label: "tandem.rollouts", qos: .utility)
    private let tracked = SanitizerVisibleLock<[String: Tracked]>([:])
    /// Variants whose saved progress was looked for (once per process).
    private let restored = SanitizerVisibleLock<Set<String>>([])
    private let stopped = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)

    public init(endpoint: Endpoint, book: ExperimentBook, metrics: MetricsRegistry, logger: Logger) {
        self.endpoint = endpoint
        self.book = book
        self.metrics = metrics
        self.logger = logger
    }

    /// Starts evaluating (once the endpoint has loaded; earlier ticks find nothing to do).
    public func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        schedule(after: 0.05)
    }

    public func stop() {
        stopped.store(true, ordering: .releasing)
    }

    private func schedule(after seconds: Double) {
        guard !stopped.load(ordering: .acquiring) else { return }
        queue.asyncAfter(deadline: .now() + .milliseconds(max(1, Int(seconds * 1000)))) { [self] in
            let next = tick()
            schedule(after: next)
        }
    }

    /// Every rollout's progress, for `/variants` and the admin API.
    public func progress() -> [RolloutProgress] {
        tracked.withLock { $0.values.map(\.progress) }.sorted { $0.policy.variant < $1.policy.variant }
    }

    // MARK: admin

    /// Starts (or restarts) a rollout with `policy`, replacing any for the same variant.
    public func begin(_ policy: RolloutPolicy) {
        queue.async { [self] in
            guard let state = endpoint.state else { return }
            let now = Date().timeIntervalSince1970
            var progress = RolloutProgress(policy: policy, now: now)
            progress.log("start", "\(policy.kind.rawValue) rollout started", now: now)
            install(progress, state: state)
            _ = tick()
        }
    }

    /// Promotes a holding (or running) rollout to all traffic, or aborts one. False when there is none.
    public func decide(variant: String, promote: Bool, completion: @escaping @Sendable (RolloutProgress?) -> Void) {
        queue.async { [self] in
            guard var current = tracked.withLock({ $0[variant] }), let state = endpoint.state else { return completion(nil) }
            let now = Date().timeIntervalSince1970
            if promote {
                guard current.progress.phase != .rolledBack else { return completion(current.progress) }
                current.progress.phase = .completed
                current.progress.step = current.progress.policy.steps.count - 1
                current.progress.stepStartedAt = now
                current.progress.log("promote", "promoted by an admin call", now: now)
            } else {
                current.progress.phase = .rolledBack
                current.progress.reason = "aborted by an admin call"
                current.progress.log("abort", "aborted by an admin call", now: now)
                count("rollback", current.progress.policy.variant, guardrail: "admin")
            }
            tracked.withLock { $0[variant] = current }
            apply(current.progress, state: state)
            save(current.progress)
            completion(current.progress)
        }
    }

    // MARK: the evaluation

    /// One evaluation of every rollout; returns the seconds until the next.
    private func tick() -> Double {
        guard let state = endpoint.state else { return 0.2 }
        let now = Date().timeIntervalSince1970
        // Rollouts named by the config start (or resume from the ledger) the first time they are seen.
        for policy in state.config.rollouts where tracked.withLock({ $0[policy.variant] == nil }) {
            if restored.withLock({ $0.insert(policy.variant).inserted }), let saved = loadSaved(policy.variant, state: state),
               saved.policy == policy
            {
                var resumed = saved
                resumed.log("resume", "resumed after a restart at step \(saved.step + 1)", now: now)
                logger.notice("rollout resumed", metadata: [
                    "variant": "\(policy.variant)", "phase": "\(saved.phase.rawValue)", "share": "\(saved.share)",
                ])
                install(resumed, state: state)
            } else {
                var progress = RolloutProgress(policy: policy, now: now)
                progress.log("start", "\(policy.kind.rawValue) rollout started from the config", now: now)
                install(progress, state: state)
            }
        }
        var next = 1.0
        for name in tracked.withLock({ Array($0.keys) }) {
            guard var current = tracked.withLock({ $0[name] }) else { continue }
            next = min(next, current.progress.policy.evaluationSeconds)
            let before = current.progress
            if current.progress.phase == .running || current.progress.phase == .holding {
                if let breach = breach(current, state: state) {
                    current.progress.phase = .rolledBack
                    current.progress.reason = breach.detail
                    current.progress.log("rollback", breach.detail, now: now)
                    count("rollback", name, guardrail: breach.guardrail)
                    logger.error("rollout rolled back", metadata: [
                        "variant": "\(name)", "guardrail": "\(breach.guardrail)", "detail": "\(breach.detail)",
                    ])
                } else if current.progress.phase == .running {
                    let steps = current.progress.policy.steps
                    let step = min(current.progress.step, steps.count - 1)
                    if now - current.progress.stepStartedAt >= steps[step].seconds {
                        advance(&current, state: state, now: now)
                    }
                }
            }
            tracked.withLock { $0[name] = current }
            apply(current.progress, state: state)
            if current.progress != before { save(current.progress) }
            gauge(current.progress)
        }
        return max(0.01, next)
    }

    private func advance(_ current: inout Tracked, state: EndpointState, now: Double) {
        let steps = current.progress.policy.steps
        let nextStep = current.progress.step + 1
        if nextStep >= steps.count - 1, !current.progress.policy.promote {
            if current.progress.phase != .holding {
                current.progress.phase = .holding
                current.progress.log("hold", "baked at \(current.progress.share): waiting for promotion", now: now)
                logger.notice("rollout holding for promotion", metadata: ["variant": "\(current.progress.policy.variant)"])
            }
            return
        }
        current.progress.step = nextStep
        current.progress.stepStartedAt = now
        current.baseline = counts(current.progress.policy.variant, state: state)
        if nextStep >= steps.count - 1 {
            current.progress.phase = .completed
            current.progress.log("complete", "all traffic", now: now)
        } else {
            current.progress.log("step", "step \(nextStep + 1) of \(steps.count): share \(steps[nextStep].share)", now: now)
        }
        count("step", current.progress.policy.variant, guardrail: nil)
        logger.notice("rollout step", metadata: [
            "variant": "\(current.progress.policy.variant)", "share": "\(current.progress.share)",
            "phase": "\(current.progress.phase.rawValue)",
        ])
    }

    private func install(_ progress: RolloutProgress, state: EndpointState) {
        tracked.withLock { $0[progress.policy.variant] = Tracked(progress: progress, baseline: counts(progress.policy.variant, state: state)) }
        apply(progress, state: state)
        save(progress)
        gauge(progress)
    }

    private func counts(_ variant: String, state: EndpointState) -> (requests: Int, errors: Int) {
        guard let v = state.productionVariant(named: variant) else { return (0, 0) }
        let c = v.metrics.counts
        return (c.invocations, c.errors5xx)
    }

    /// The first breached guardrail, if any. Missing data (too few requests, no outcomes, no interval) never
    /// triggers one.
    private func breach(_ current: Tracked, state: EndpointState) -> (guardrail: String, detail: String)? {
        let policy = current.progress.policy
        let guards = policy.guardrails
        guard let variant = state.productionVariant(named: policy.variant) else { return nil }
        if guards.health {
            switch variant.state {
            case .failed(let reason): return ("health", "the challenger failed: \(reason)")
            case .degraded(let reason): return ("health", "the challenger is degraded: \(reason)")
            case .loading, .ready: break
            }
        }
        if guards.sampleRatio, state.split.report().sequentialMismatch {
            return ("sample_ratio", "the anytime-valid sample-ratio check alarmed (p < \(TrafficSplitCheck.threshold))")
        }
        let now = counts(policy.variant, state: state)
        let requests = now.requests - current.baseline.requests, errors = now.errors - current.baseline.errors
        if requests >= policy.minRequests {
            if let limit = guards.maxErrorRate, requests > 0, Double(errors) / Double(requests) > limit {
                return ("error_rate", "\(errors) of \(requests) requests failed in this step (limit \(limit))")
            }
            if let limit = guards.maxLatencyP99Milliseconds {
                let p99 = Double(variant.metrics.modelSummary.summary().p99) / 1000
                if p99 > limit { return ("latency_p99", "model latency p99 \(p99) ms (limit \(limit) ms)") }
            }
        }
        if let margin = guards.outcomeMargin, let experiment = state.config.experiment,
           let (control, challenger) = outcomeStatistics(experiment, state: state, variant: policy.variant),
           challenger.count >= policy.minRequests,
           let result = AnytimeValidTest.compare(control, challenger, experiment.sequential)
        {
            let interval = result.absolute
            if guards.higherIsBetter, interval.upper < -margin {
                return ("outcome", "the outcome's always-valid interval [\(interval.lower), \(interval.upper)] is below -\(margin)")
            }
            if !guards.higherIsBetter, interval.lower > margin {
                return ("outcome", "the outcome's always-valid interval [\(interval.lower), \(interval.upper)] is above \(margin)")
            }
        }
        return nil
    }

    /// Control's and the challenger's outcome statistics: the whole endpoint's from the database ledger when it
    /// answers within two seconds, else this replica's.
    private func outcomeStatistics(_ config: ExperimentConfig, state: EndpointState, variant: String)
        -> (OutcomeStats, OutcomeStats)?
    {
        var stats = book.ledger(config).statistics()
        if let durable = book.durable(config, endpoint: state.config.endpointName) {
            let box = SanitizerVisibleLock<[String: OutcomeStats]?>(nil)
            let done = DispatchSemaphore(value: 0)
            durable.report { result in
                if case .success(let report) = result { box.withLock { $0 = report.statistics } }
                done.signal()
            }
            if done.wait(timeout: .now() + .seconds(2)) == .success, let shared = box.withLock({ $0 }) { stats = shared }
        }
        guard let control = stats[config.control], let challenger = stats[variant] else { return nil }
        return (control, challenger)
    }

    /// Sets the weights so the challenger has its share (the other variants keep their config weights' ratio).
    private func apply(_ progress: RolloutProgress, state: EndpointState) {
        let variant = progress.policy.variant
        guard state.productionVariant(named: variant) != nil else { return }
        let share = progress.share
        var others: [String: Double] = [:]
        for v in state.config.production where v.name != variant { others[v.name] = v.weight }
        let otherTotal = others.values.reduce(0, +)
        var weights = others
        if share >= 1 {
            for name in others.keys { weights[name] = 0 }
            weights[variant] = 1
        } else {
            weights[variant] = otherTotal > 0 ? share * otherTotal / (1 - share) : 0
        }
        let current = state.weights
        guard weights.contains(where: { abs((current[$0.key] ?? -1) - $0.value) > 1e-12 }) else { return }
        do {
            try endpoint.setWeights(weights)
        } catch {
            logger.error("rollout could not set weights", metadata: ["variant": "\(variant)", "error": "\(error.message)"])
        }
    }

    // MARK: persistence and metrics

    private static let statePrefix = "rollout:"

    private func save(_ progress: RolloutProgress) {
        guard let state = endpoint.state, let experiment = state.config.experiment,
              let durable = book.durable(experiment, endpoint: state.config.endpointName),
              let data = try? JSONEncoder().encode(progress)
        else { return }
        durable.saveState(Self.statePrefix + progress.policy.variant, String(decoding: data, as: UTF8.self)) { [logger] result in
            if case .failure(let error) = result {
                logger.warning("rollout progress not saved", metadata: ["error": "\(error.message)"])
            }
        }
    }

    private func loadSaved(_ variant: String, state: EndpointState) -> RolloutProgress? {
        guard let experiment = state.config.experiment,
              let durable = book.durable(experiment, endpoint: state.config.endpointName)
        else { return nil }
        let box = SanitizerVisibleLock<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        durable.loadState { result in
            if case .success(let values) = result { box.withLock { $0 = values[Self.statePrefix + variant] } }
            done.signal()
        }
        guard done.wait(timeout: .now() + .seconds(5)) == .success, let text = box.withLock({ $0 }) else { return nil }
        return try? JSONDecoder().decode(RolloutProgress.self, from: Data(text.utf8))
    }

    private func count(_ what: String, _ variant: String, guardrail: String?) {
        let endpointName = endpoint.state?.config.endpointName ?? ""
        var labels = [("endpoint", endpointName), ("variant", variant)]
        if let guardrail { labels.append(("guardrail", guardrail)) }
        let name = what == "step" ? "rollout_steps" : "rollout_rollbacks"
        let help = what == "step" ? "Rollout steps taken." : "Rollouts rolled back, by the guardrail that was breached."
        metrics.prometheus.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "tandem", metricName: name, unitName: "total", helpText: help),
            labels: labels
        ).increment()
    }

    private func gauge(_ progress: RolloutProgress) {
        let labels = [("endpoint", endpoint.state?.config.endpointName ?? ""), ("variant", progress.policy.variant)]
        metrics.prometheus.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "tandem", metricName: "rollout_share", unitName: "", helpText: "The share a rollout gives its challenger now."),
            labels: labels
        ).set(to: progress.share)
        metrics.prometheus.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "tandem", metricName: "rollout_rolled_back", unitName: "", helpText: "1 once a rollout was rolled back."),
            labels: labels
        ).set(to: progress.phase == .rolledBack ? 1 : 0)
    }
}
