import TandemJSON
import TandemServing

/// The JSON metrics summary: per variant counts and p50/p90/p99/max latencies in microseconds.
enum MetricsSummary {
    static func json(state: EndpointState?) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.member("endpoint", string: state?.config.endpointName ?? "")
        w.key("variants")
        w.beginArray()
        for variant in state?.allVariants ?? [] {
            let m = variant.metrics
            let counts = m.counts
            w.beginObject()
            w.member("variant", string: variant.name)
            w.member("role", string: variant.role.rawValue)
            w.member("model", string: variant.modelID.name)
            w.member("version", int: variant.modelID.version)
            w.member("invocations", int: counts.invocations)
            w.member("invocation_4xx_errors", int: counts.errors4xx)
            w.member("invocation_5xx_errors", int: counts.errors5xx)
            w.member("in_flight", int: counts.inFlight)
            w.member("shadow_invocations", int: counts.shadow)
            if variant.role == .shadow {
                w.key("agreement")
                w.beginArray()
                for entry in m.shadowAgreements {
                    let t = entry.totals
                    w.beginObject()
                    w.member("production_variant", string: entry.production)
                    w.member("compared_requests", int: t.requests)
                    w.member("label_rows", int: t.labelRows)
                    w.member("label_matches", int: t.labelMatches)
                    w.member("label_agreement", double: t.labelAgreement)
                    w.member("score_delta_rows", int: t.deltaRows)
                    w.member("mean_score_delta", double: t.meanDelta)
                    w.member("max_score_delta", double: t.deltaMax)
                    w.endObject()
                }
                w.endArray()
            }
            for (name, recorder) in [
                ("model_latency_us", m.modelSummary), ("overhead_latency_us", m.overheadSummary),
                ("queue_wait_us", m.queueSummary), ("total_latency_us", m.totalSummary),
            ] {
                let s = recorder.summary()
                w.key(name)
                w.beginObject()
                w.member("count", int: s.count)
                w.member("p50", int: s.p50)
                w.member("p90", int: s.p90)
                w.member("p99", int: s.p99)
                w.member("max", int: s.max)
                w.endObject()
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }
}
