import Synchronization

/// Pairs the production answer to one request with the answer its sampled shadow copy got, and records
/// how far they agree in the shadow variant's metrics (`PredictionAgreement`), whichever finishes second.
///
/// If either side fails, times out or never runs, nothing is recorded: only requests both variants answered
/// are compared.
final class ShadowComparison: Sendable {
    /// The production variant that served the request.
    let production: String
    private let shadowMetrics: VariantMetrics
    private let halves = Mutex<(production: PredictionTable?, shadow: PredictionTable?)>((nil, nil))

    init(production: String, shadowMetrics: VariantMetrics) {
        self.production = production
        self.shadowMetrics = shadowMetrics
    }

    /// The production variant's answer (from its worker).
    func productionAnswered(_ table: PredictionTable) {
        offer(table, asProduction: true)
    }

    /// The shadow variant's answer (from its worker).
    func shadowAnswered(_ table: PredictionTable) {
        offer(table, asProduction: false)
    }

    /// Keeps one side's answer; the side that completes the pair takes both and records the comparison
    /// after the lock is released.
    private func offer(_ table: PredictionTable, asProduction: Bool) {
        let pair = halves.withLock { halves -> (production: PredictionTable, shadow: PredictionTable)? in
            if asProduction { halves.production = table } else { halves.shadow = table }
            guard let production = halves.production, let shadow = halves.shadow else { return nil }
            halves = (nil, nil)
            return (production, shadow)
        }
        if let pair {
            shadowMetrics.shadowCompared(against: production, PredictionAgreement(production: pair.production, shadow: pair.shadow))
        }
    }
}
