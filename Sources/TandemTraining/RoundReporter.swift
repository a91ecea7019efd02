import Foundation

/// Evaluates the metrics after each round, prints them as `name: value` lines (what SageMaker's metric
/// definitions match, e.g. `validation-logloss: ([0-9.e+-]+)`), and decides early stopping on the last
/// metric of the validation channel, as XGBoost does (the rounds after the best are then dropped).
struct RoundReporter {
    let loss: Loss
    let metrics: [Metric]
    let earlyStoppingRounds: Int?
    let emit: (String) -> Void

    private(set) var bestRound = -1
    private(set) var bestScore = 0.0
    /// The last round's values by metric line name (`train-rmse`, `validation-rmse`, ...).
    private(set) var last: [String: Double] = [:]
    private(set) var best: [String: Double] = [:]

    init(loss: Loss, metrics: [Metric], earlyStoppingRounds: Int?, emit: @escaping (String) -> Void) {
        self.loss = loss
        self.metrics = metrics
        self.earlyStoppingRounds = earlyStoppingRounds
        self.emit = emit
    }

    /// Restores the early-stopping state of a checkpoint.
    mutating func restore(bestRound: Int, bestScore: Double, best: [String: Double]) {
        self.bestRound = bestRound
        self.bestScore = bestScore
        self.best = best
    }

    /// Reports round `round` (0-based); returns true when training should stop early.
    mutating func report(round: Int, trainLabels: [Float], trainMargins: [Double], validation: (labels: [Float], margins: [Double])?) -> Bool {
        var lines: [(String, Double)] = []
        let trainPredictions = loss.transform(trainMargins)
        for m in metrics {
            lines.append(("train-\(m.rawValue)", m.evaluate(labels: trainLabels, predictions: trainPredictions, columns: loss.columns)))
        }
        var score: Double?
        var higher = false
        if let validation {
            let predictions = loss.transform(validation.margins)
            for m in metrics {
                let v = m.evaluate(labels: validation.labels, predictions: predictions, columns: loss.columns)
                lines.append(("validation-\(m.rawValue)", v))
                score = v
                higher = m.higherIsBetter
            }
        }
        emit("round: \(round)")
        for (name, value) in lines {
            emit("\(name): \(Self.format(value))")
            last[name] = value
        }
        // Without early stopping every round is kept, as XGBoost keeps them.
        guard let score, earlyStoppingRounds != nil else {
            bestRound = round
            best = last
            return false
        }
        if bestRound < 0 || (higher ? score > bestScore : score < bestScore) {
            bestRound = round
            bestScore = score
            best = last
        }
        if let esr = earlyStoppingRounds, round - bestRound >= esr {
            emit("early stopping: best round \(bestRound)")
            return true
        }
        return false
    }

    static func format(_ v: Double) -> String {
        v.isFinite ? String(format: "%.6f", v) : "nan"
    }
}
