import TandemJSON
import TandemServing

/// The JSON pieces of `GET /experiment` that describe the always-valid statistics.
enum ExperimentReport {
    /// `sequential_settings`: the level, tuning parameter and hybrid plan every comparison uses.
    static func settings(_ settings: AnytimeValidTest.Settings) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.member("method", string: settings.plannedOutcomes == nil ? "asymptotic_confidence_sequence" : "hybrid")
        w.member("alpha", double: settings.alpha)
        w.member("tuning", double: settings.tuning)
        if let planned = settings.plannedOutcomes {
            w.member("planned_outcomes", int: planned)
            w.member("hybrid_sequential_share", double: settings.hybridSequentialShare)
        }
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// A challenger's `sequential` member: the method in force, the α it used, and the absolute and relative
    /// differences with their always-valid intervals and p-values (null below two outcomes a side or without
    /// spread).
    static func sequential(_ control: OutcomeStats, _ challenger: OutcomeStats, _ settings: AnytimeValidTest.Settings)
        -> String
    {
        guard let result = AnytimeValidTest.compare(control, challenger, settings) else { return "null" }
        var w = JSONWriter()
        w.beginObject()
        w.member("method", string: result.method.rawValue)
        w.member("alpha", double: result.alphaUsed)
        w.member("absolute", fragment: interval(result.absolute))
        w.member("relative", fragment: result.relative.map(interval) ?? "null")
        w.member("significant", bool: result.absolute.excludesZero)
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    private static func interval(_ interval: AnytimeValidTest.Interval) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.member("difference", double: interval.estimate)
        w.member("interval", doubles: [interval.lower, interval.upper])
        w.member("p_value", double: interval.pValue)
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// `bandit`: the latest weights, how many updates there were, and what no longer applies.
    static func bandit(_ decisions: [BanditDecision]) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.member("updates", int: decisions.count)
        if let last = decisions.last {
            w.member("burn_in", bool: last.burnIn)
            w.member("updated_at", double: last.time)
            w.key("shares")
            w.beginObject()
            for (name, share) in last.shares.sorted(by: { $0.key < $1.key }) { w.member(name, double: share) }
            w.endObject()
        }
        w.member(
            "note",
            string: "adaptive allocation: the per-variant means and the Welch and sequential comparisons are biased "
                + "under a bandit; use the recorded assignment probabilities (inverse-propensity weighting) for estimates")
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
