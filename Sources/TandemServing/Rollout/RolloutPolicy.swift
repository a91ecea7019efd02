import Foundation

/// How a challenger takes traffic from control, step by step, and what rolls it back.
///
/// - canary: `canary_share` of the traffic for `bake_s`, then all of it;
/// - linear: `step_share` more every `interval_s` until all of it.
///
/// Guardrails only ever abort. The last step (all traffic) is taken only with `promote: true`; otherwise the
/// rollout holds at the step before it until `POST /admin/rollouts` promotes it.
public struct RolloutPolicy: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case canary
        case linear
    }

    public var variant: String
    public var kind: Kind
    public var canaryShare: Double = 0.1
    public var bakeSeconds: Double = 600
    public var stepShare: Double = 0.1
    public var stepSeconds: Double = 300
    public var promote: Bool = false
    /// How often the guardrails are checked (and steps taken).
    public var evaluationSeconds: Double = 10
    /// Requests the challenger must have answered in the current step before a rate or latency guardrail may
    /// decide anything.
    public var minRequests: Int = 100
    public var guardrails = Guardrails()

    public init(variant: String, kind: Kind) {
        self.variant = variant
        self.kind = kind
    }

    /// Each step's share of the challenger and how long it lasts; the last is all traffic.
    public var steps: [(share: Double, seconds: Double)] {
        switch kind {
        case .canary:
            return [(canaryShare, bakeSeconds), (1, 0)]
        case .linear:
            var list: [(Double, Double)] = []
            var share = stepShare
            while share < 1 - 1e-9 {
                list.append((share, stepSeconds))
                share += stepShare
            }
            list.append((1, 0))
            return list
        }
    }
}

/// What rolls a challenger back. A guardrail that is not set, or has too little data, never triggers.
public struct Guardrails: Sendable, Equatable, Codable {
    /// Largest share of 5xx answers (errors and timeouts) in the current step.
    public var maxErrorRate: Double?
    /// Largest model latency p99, in milliseconds.
    public var maxLatencyP99Milliseconds: Double?
    /// Roll back when the challenger is degraded or failed.
    public var health = true
    /// Roll back on the anytime-valid sample-ratio alarm.
    public var sampleRatio = true
    /// Roll back when the outcome's always-valid interval says the challenger is worse than control by more
    /// than this (absolute difference; `higherIsBetter` says which way is worse).
    public var outcomeMargin: Double?
    public var higherIsBetter = true

    public init() {}
}

extension RolloutPolicy {
    /// Parses one `rollouts:` entry of the endpoint config (or an admin request body).
    static func parse(_ node: ConfigNode, production: [String], control: String) throws(ConfigError) -> RolloutPolicy {
        _ = try node.keys(allowed: [
            "variant", "policy", "canary_share", "bake_s", "step_share", "interval_s", "promote", "evaluation_interval_s",
            "min_requests", "guardrails",
        ])
        let variant = try node["variant"].string()
        guard production.contains(variant) else {
            throw node["variant"].fail("'\(variant)' is not a production variant; production variants: \(production.joined(separator: ", "))")
        }
        guard variant != control else {
            throw node["variant"].fail("'\(variant)' is the control: a rollout moves traffic from control to a challenger")
        }
        let kindName = try node["policy"].string()
        guard let kind = Kind(rawValue: kindName) else { throw node["policy"].fail("expected canary or linear, got \"\(kindName)\"") }
        var policy = RolloutPolicy(variant: variant, kind: kind)
        policy.canaryShare = try node["canary_share"].double(default: 0.1, min: 0.001, max: 0.999)
        policy.bakeSeconds = try node["bake_s"].double(default: 600, min: 0.01)
        policy.stepShare = try node["step_share"].double(default: 0.1, min: 0.01, max: 0.999)
        policy.stepSeconds = try node["interval_s"].double(default: 300, min: 0.01)
        policy.promote = try node["promote"].bool(default: false)
        policy.evaluationSeconds = try node["evaluation_interval_s"].double(default: 10, min: 0.01)
        policy.minRequests = try node["min_requests"].int(default: 100, min: 1)
        let guards = node["guardrails"]
        if !guards.isMissing {
            _ = try guards.keys(allowed: ["error_rate", "latency_p99_ms", "health", "sample_ratio", "outcome_margin", "outcome_direction"])
            if !guards["error_rate"].isMissing { policy.guardrails.maxErrorRate = try guards["error_rate"].double(min: 0, max: 1) }
            if !guards["latency_p99_ms"].isMissing {
                policy.guardrails.maxLatencyP99Milliseconds = try guards["latency_p99_ms"].double(min: 0.001)
            }
            policy.guardrails.health = try guards["health"].bool(default: true)
            policy.guardrails.sampleRatio = try guards["sample_ratio"].bool(default: true)
            if !guards["outcome_margin"].isMissing { policy.guardrails.outcomeMargin = try guards["outcome_margin"].double(min: 0) }
            let direction = try guards["outcome_direction"].string(default: "higher_is_better")
            switch direction {
            case "higher_is_better": policy.guardrails.higherIsBetter = true
            case "lower_is_better": policy.guardrails.higherIsBetter = false
            default: throw guards["outcome_direction"].fail("expected higher_is_better or lower_is_better, got \"\(direction)\"")
            }
        }
        return policy
    }
}

extension RolloutPolicy {
    /// Parses a policy from a JSON object with the config's keys (the admin API's body).
    public static func parse(json object: Any, production: [String], control: String) throws(ConfigError) -> RolloutPolicy {
        try parse(ConfigNode(value: object, path: "policy", file: "request body"), production: production, control: control)
    }
}
