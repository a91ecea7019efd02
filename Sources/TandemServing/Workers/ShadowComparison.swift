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
        let pair = halves.withLock { halves -> (PredictionTable, PredictionTable)? in
            halves.production = table
            return halves.shadow.map { (table, $0) }
        }
        if let (production, shadow) = pair { record(production, shadow) }
    }

    /// The shadow variant's answer (from its worker).
    func shadowAnswered(_ table: PredictionTable) {
        let pair = halves.withLock { halves -> (PredictionTable, PredictionTable)? in
            halves.shadow = table
            return halves.production.map { ($0, table) }
        }
        if let (production, shadow) = pair { record(production, shadow) }
    }

    private func record(_ production: PredictionTable, _ shadow: PredictionTable) {
        halves.withLock { $0 = (nil, nil) }
        shadowMetrics.shadowCompared(against: self.production, PredictionAgreement(production: production, shadow: shadow))
    }
}
