import Foundation
import Testing

@testable import TandemServing

/// The traffic and health policies over a snapshot: failed variants leave routing (their share goes to
/// the others), `all` / `any` decide `/ping`, and live weight changes are validated.
@Suite struct EndpointStateTests {
    let registry = MetricsRegistry()

    func variant(_ name: String, failed: Bool = false, health: HealthTracker? = nil) -> Variant {
        let model: Result<any InferenceModel, ConfigError> = failed
            ? .failure(ConfigError("\(name)/1/model.onnx: not an ONNX model"))
            : .success(SyntheticModel(config: .init(features: 1, latency: .constant(.zero), mode: .sleep, errorRate: 0)))
        return Variant(
            name: name, role: .production, modelID: ModelID(name: "m", version: 1), model: model,
            rendering: OutputRendering(), timeout: .seconds(1), samplingRate: 0,
            lane: WorkerLane(name: name, capacity: 4, maxConcurrency: 1, reserved: 0),
            metrics: registry.metrics(for: VariantMetricsKey(endpoint: "e", variant: name, model: "m", version: "1")),
            health: health ?? HealthTracker(window: .seconds(60), threshold: 0.5, minRequests: 10),
            modelDescription: nil)
    }

    func state(_ variants: [Variant], weights: [String: Double], policy: HealthPolicy = .all) -> EndpointState {
        var config = EndpointConfig(
            endpointName: "e", repository: "/tmp",
            production: variants.map { VariantConfig(name: $0.name, model: "m", version: 1, weight: weights[$0.name] ?? 0) })
        config.healthPolicy = policy
        return EndpointState(config: config, production: variants, shadows: [], weights: weights, generation: 1)
    }

    @Test func failedVariantShareIsRedistributed() {
        let s = state([variant("a"), variant("b", failed: true), variant("c")], weights: ["a": 0.5, "b": 0.3, "c": 0.2])
        #expect(s.routing.entries.map(\.name) == ["a", "c"])
        #expect(s.routing.share(of: "b") == 0)
        #expect(abs(s.routing.share(of: "a") - 0.5 / 0.7) < 1e-12)
        #expect(abs(s.routing.share(of: "c") - 0.2 / 0.7) < 1e-12)
        #expect(s.configuredShare(of: "b") == 0.3)
        for i in 0..<500 { #expect(s.routing.variant(forKey: "k\(i)") != "b") }
    }

    @Test func healthPolicies() {
        let mixed = [variant("a"), variant("b", failed: true)]
        #expect(!state(mixed, weights: ["a": 1, "b": 1], policy: .all).isHealthy)
        #expect(state(mixed, weights: ["a": 1, "b": 1], policy: .any).isHealthy)
        let allFailed = [variant("a", failed: true), variant("b", failed: true)]
        #expect(!state(allFailed, weights: ["a": 1, "b": 1], policy: .any).isHealthy)
        #expect(state(allFailed, weights: ["a": 1, "b": 1]).routing.variant(forDraw: 0.3) == nil)
        let fine = [variant("a"), variant("b")]
        #expect(state(fine, weights: ["a": 1, "b": 1], policy: .all).isHealthy)
    }

    @Test func degradedStillServes() {
        let tracker = HealthTracker(window: .seconds(60), threshold: 0.5, minRequests: 4)
        for _ in 0..<4 { tracker.record(failed: true) }
        let s = state([variant("a", health: tracker), variant("b")], weights: ["a": 1, "b": 1])
        #expect(s.production[0].state.name == "degraded")
        #expect(s.isHealthy)
        #expect(s.routing.entries.count == 2)
    }

    @Test func setWeightsValidatesAndBumpsGeneration() throws {
        let endpoint = Endpoint()
        #expect(throws: ConfigError.self) { try endpoint.setWeights(["a": 1]) }
        endpoint.install(state([variant("a"), variant("b")], weights: ["a": 0.8, "b": 0.2]))
        let next = try endpoint.setWeights(["a": 0.7, "b": 0.3])
        #expect(next.generation == 2)
        #expect(endpoint.state?.routing.share(of: "b") == 0.3)
        // Variants left out keep their weight.
        let partial = try endpoint.setWeights(["a": 0.1])
        #expect(partial.weights == ["a": 0.1, "b": 0.3])
        let big = Double.greatestFiniteMagnitude
        for bad: [String: Double] in [["ghost": 1], ["a": -1], ["a": .nan], ["a": .infinity], ["a": 0, "b": 0],
                                      ["a": big, "b": big]] {
            #expect(throws: ConfigError.self) { try endpoint.setWeights(bad) }
        }
        #expect(endpoint.state?.generation == 3)
        #expect(endpoint.state?.weights == ["a": 0.1, "b": 0.3])
    }
}

/// Ready versus degraded from the recent failure share.
@Suite struct HealthTrackerTests {
    @Test func belowMinimumRequestsStaysReady() {
        let tracker = HealthTracker(window: .seconds(60), threshold: 0.5, minRequests: 10)
        for _ in 0..<9 { tracker.record(failed: true) }
        #expect(tracker.state() == .ready)
        tracker.record(failed: true)
        guard case .degraded(let reason) = tracker.state() else {
            Issue.record("expected degraded, got \(tracker.state())")
            return
        }
        #expect(reason.contains("10 of the last 10"))
    }

    @Test func thresholdIsAShareAbove() {
        let tracker = HealthTracker(window: .seconds(60), threshold: 0.5, minRequests: 10)
        for i in 0..<20 { tracker.record(failed: i % 2 == 0) }
        #expect(tracker.recent() == (requests: 20, failures: 10))
        #expect(tracker.state() == .ready)  // exactly 50% is not above 50%
        tracker.record(failed: true)
        #expect(tracker.state().name == "degraded")
    }

    @Test func oldOutcomesAgeOut() throws {
        let tracker = HealthTracker(window: .milliseconds(100), threshold: 0.5, minRequests: 2)
        for _ in 0..<5 { tracker.record(failed: true) }
        #expect(tracker.state().name == "degraded")
        try waitFor { tracker.recent().requests == 0 }
        #expect(tracker.state() == .ready)
    }

    func waitFor(_ condition: () -> Bool) throws {
        let clock = ContinuousClock()
        let end = clock.now + .seconds(3)
        while clock.now < end {
            if condition() { return }
            Thread.sleep(forTimeInterval: 0.01)
        }
        Issue.record("condition not met in time")
    }
}
