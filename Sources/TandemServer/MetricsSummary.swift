import TandemServing

/// The JSON metrics summary: per variant counts and p50/p90/p99/max latencies in microseconds.
enum MetricsSummary {
    static func json(state: EndpointState?) -> [UInt8] {
        var w = JSONBuilder()
        w.open()
        w.member("endpoint", string: state?.config.endpointName ?? "")
        w.key("variants")
        w.raw("[")
        for (index, variant) in (state?.allVariants ?? []).enumerated() {
            if index > 0 { w.raw(",") }
            let m = variant.metrics
            let counts = m.counts
            w.open()
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
                w.raw("[")
                for (index, entry) in m.shadowAgreements.enumerated() {
                    if index > 0 { w.raw(",") }
                    let t = entry.totals
                    w.open()
                    w.member("production_variant", string: entry.production)
                    w.member("compared_requests", int: t.requests)
                    w.member("label_rows", int: t.labelRows)
                    w.member("label_matches", int: t.labelMatches)
                    w.member("label_agreement", double: t.labelAgreement)
                    w.member("score_delta_rows", int: t.deltaRows)
                    w.member("mean_score_delta", double: t.meanDelta)
                    w.member("max_score_delta", double: t.deltaMax)
                    w.close()
                }
                w.raw("]")
            }
            for (name, recorder) in [
                ("model_latency_us", m.modelSummary), ("overhead_latency_us", m.overheadSummary),
                ("queue_wait_us", m.queueSummary), ("total_latency_us", m.totalSummary),
            ] {
                let s = recorder.summary()
                w.member(name, raw: "{\"count\":\(s.count),\"p50\":\(s.p50),\"p90\":\(s.p90),\"p99\":\(s.p99),\"max\":\(s.max)}")
            }
            w.close()
        }
        w.raw("]")
        w.close()
        return w.bytes
    }
}
