import Foundation

/// An objective's gradients, starting margin and output transform (XGBoost's definitions).
struct Loss: Sendable {
    let objective: Objective
    let columns: Int

    /// The starting margin: the label mean for squared error, its log-odds for binary:logistic, 0 for multiclass.
    func baseMargin(_ labels: [Float]) -> Double {
        guard !labels.isEmpty else { return 0 }
        let mean = labels.reduce(0.0) { $0 + Double($1) } / Double(labels.count)
        switch objective {
        case .squaredError: return mean
        case .binaryLogistic:
            let p = min(max(mean, 1e-6), 1 - 1e-6)
            return log(p / (1 - p))
        case .multiSoftprob, .multiSoftmax: return 0
        }
    }

    /// Checks that the labels fit the objective, naming the first that does not.
    func validate(_ labels: [Float], channel: String) throws(TrainingError) {
        for (i, y) in labels.enumerated() {
            switch objective {
            case .squaredError:
                guard y.isFinite else { throw TrainingError("\(channel): row \(i + 1) has a non-finite label") }
            case .binaryLogistic:
                guard y >= 0 && y <= 1 else {
                    throw TrainingError("\(channel): row \(i + 1) has label \(y); binary:logistic needs labels in [0, 1]")
                }
            case .multiSoftprob, .multiSoftmax:
                guard y >= 0, y == y.rounded(), Int(y) < columns else {
                    throw TrainingError("\(channel): row \(i + 1) has label \(y); with num_class = \(columns) labels must be 0...\(columns - 1)")
                }
            }
        }
    }

    /// Gradients and hessians per row for score column `k` (row-major margins, `columns` wide).
    func gradients(margins: [Double], labels: [Float], column k: Int) -> ([Double], [Double]) {
        let n = labels.count
        let parts = chunks(n, parts: workerCount * 4)
        let pieces = parallelMap(parts.count) { p in
            var g: [Double] = []
            var h: [Double] = []
            g.reserveCapacity(parts[p].count)
            h.reserveCapacity(parts[p].count)
            for r in parts[p] {
                let y = Double(labels[r])
                switch objective {
                case .squaredError:
                    g.append(margins[r] - y)
                    h.append(1)
                case .binaryLogistic:
                    let pr = 1 / (1 + exp(-margins[r]))
                    g.append(pr - y)
                    h.append(max(pr * (1 - pr), 1e-16))
                case .multiSoftprob, .multiSoftmax:
                    let o = r * columns
                    var top = -Double.infinity
                    for c in 0..<columns { top = max(top, margins[o + c]) }
                    var total = 0.0
                    for c in 0..<columns { total += exp(margins[o + c] - top) }
                    let pr = exp(margins[o + k] - top) / total
                    g.append(pr - (Int(y) == k ? 1 : 0))
                    h.append(max(2 * pr * (1 - pr), 1e-16))
                }
            }
            return (g, h)
        }
        return (concatenate(pieces.map(\.0)), concatenate(pieces.map(\.1)))
    }

    /// Predictions from margins: the value (regression), P(class 1) (binary), class probabilities (multiclass).
    func transform(_ margins: [Double]) -> [Double] {
        switch objective {
        case .squaredError: return margins
        case .binaryLogistic: return margins.map { 1 / (1 + exp(-$0)) }
        case .multiSoftprob, .multiSoftmax:
            var out = margins
            let rows = margins.count / columns
            for r in 0..<rows {
                let o = r * columns
                var top = -Double.infinity
                for c in 0..<columns { top = max(top, margins[o + c]) }
                var total = 0.0
                for c in 0..<columns { out[o + c] = exp(margins[o + c] - top); total += out[o + c] }
                for c in 0..<columns { out[o + c] /= total }
            }
            return out
        }
    }
}
