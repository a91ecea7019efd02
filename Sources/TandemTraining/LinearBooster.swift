/// The linear booster (`booster: gblinear`): XGBoost's coordinate descent. Each round updates the bias
/// of every score column by a Newton step, then each feature's weight in turn with the elastic-net step
/// (`lambda`, `alpha` scaled by the row count, as XGBoost does), keeping the gradients current after each
/// update. Missing values contribute nothing, as in XGBoost. Row sums are computed on every core.
struct LinearBooster {
    let params: Hyperparameters
    let loss: Loss
    let train: Dataset
    let validation: Dataset?

    func run(
        resume: Checkpoint?, reporter: inout RoundReporter, checkpoint: (Int, TrainedModel, FeatureCuts?, RoundReporter) throws(TrainingError) -> Void
    ) throws(TrainingError) -> TrainedModel {
        let columns = loss.columns
        let n = train.rows
        let features = train.features
        var model = LinearModel(
            columns: columns, features: features, weights: [Double](repeating: 0, count: columns * features),
            bias: [Double](repeating: loss.baseMargin(train.labels), count: columns))
        var firstRound = 0
        if let resume, case .linear(let saved) = resume.model {
            model = saved
            firstRound = resume.rounds
            reporter.restore(bestRound: resume.bestRound, bestScore: resume.bestScore, best: resume.best)
        }
        // Column-major copies with missing values as 0.
        let x: [Double] = concatenate(parallelMap(features) { f in
            (0..<n).map { r in
                let v = train.values[r * features + f]
                return v.isNaN ? 0 : Double(v)
            }
        })
        let lambda = params.lambda * Double(n)
        let alpha = params.alpha * Double(n)
        let parts = chunks(n, parts: workerCount * 2)
        var best = model
        var stopped = false
        var round = firstRound
        while round < params.numRound && !stopped {
            let start = TrainedModel.linear(model).margins(train)
            for k in 0..<columns {
                var (g, h) = loss.gradients(margins: start, labels: train.labels, column: k)
                // Bias.
                let (sg, sh) = Self.sums(parts) { [g, h] r in (g[r], h[r]) }
                let db = sh > 1e-5 ? -params.eta * sg / sh : 0
                model.bias[k] += db
                for r in 0..<n { g[r] += h[r] * db }
                for f in 0..<features {
                    let base = f * n
                    let (fg, fh) = Self.sums(parts) { [g, h] r in
                        let v = x[base + r]
                        return (g[r] * v, h[r] * v * v)
                    }
                    let w = model.weights[k * features + f]
                    let dw = params.eta * Self.coordinateDelta(fg, fh, w, lambda, alpha)
                    guard dw != 0 else { continue }
                    model.weights[k * features + f] += dw
                    for r in 0..<n { g[r] += h[r] * x[base + r] * dw }
                }
            }
            let margins = TrainedModel.linear(model).margins(train)
            let validationMargins = validation.map { TrainedModel.linear(model).margins($0) }
            stopped = reporter.report(
                round: round, trainLabels: train.labels, trainMargins: margins,
                validation: validation.flatMap { v in validationMargins.map { (v.labels, $0) } })
            if reporter.bestRound == round { best = model }
            round += 1
            if round % 10 == 0 || round == params.numRound || stopped {
                try checkpoint(round, .linear(model), nil, reporter)
            }
        }
        return .linear(validation == nil ? model : best)
    }

    /// XGBoost's `CoordinateDelta`: the elastic-net Newton step for one weight, not crossing zero.
    static func coordinateDelta(_ g: Double, _ h: Double, _ w: Double, _ lambda: Double, _ alpha: Double) -> Double {
        guard h >= 1e-5 else { return 0 }
        let gl2 = g + lambda * w
        let hl2 = h + lambda
        let tmp = w - gl2 / hl2
        if tmp >= 0 { return max(-(gl2 + alpha) / hl2, -w) }
        return min(-(gl2 - alpha) / hl2, -w)
    }

    /// Σ over rows of a pair, chunk by chunk on every core, chunks combined in order.
    private static func sums(_ parts: [Range<Int>], _ term: @Sendable (Int) -> (Double, Double)) -> (Double, Double) {
        let pieces = parallelMap(parts.count) { p in
            var a = 0.0
            var b = 0.0
            for r in parts[p] {
                let (x, y) = term(r)
                a += x
                b += y
            }
            return (a, b)
        }
        return pieces.reduce((0.0, 0.0)) { ($0.0 + $1.0, $0.1 + $1.1) }
    }
}
