import Foundation

/// Evaluation metrics with XGBoost's names and definitions, computed on transformed predictions.
enum Metric: String, Sendable, CaseIterable {
    case rmse, mae, logloss, error, auc, mlogloss, merror

    static let names = Set(allCases.map(\.rawValue))

    /// Lower is better for every metric but AUC.
    var higherIsBetter: Bool { self == .auc }

    /// The metric over `labels`, with `predictions` row-major `columns` wide: the value for regression,
    /// P(class 1) for binary, class probabilities for multiclass.
    func evaluate(labels: [Float], predictions: [Double], columns: Int) -> Double {
        let n = labels.count
        guard n > 0 else { return .nan }
        let eps = 1e-15
        switch self {
        case .rmse:
            var s = 0.0
            for i in 0..<n { let d = predictions[i * columns] - Double(labels[i]); s += d * d }
            return (s / Double(n)).squareRoot()
        case .mae:
            var s = 0.0
            for i in 0..<n { s += abs(predictions[i * columns] - Double(labels[i])) }
            return s / Double(n)
        case .logloss:
            var s = 0.0
            for i in 0..<n {
                let p = min(max(predictions[i * columns], eps), 1 - eps)
                s -= labels[i] > 0.5 ? log(p) : log(1 - p)
            }
            return s / Double(n)
        case .error:
            var wrong = 0
            for i in 0..<n where (predictions[i * columns] > 0.5) != (labels[i] > 0.5) { wrong += 1 }
            return Double(wrong) / Double(n)
        case .auc:
            return Self.auc(labels: labels, scores: (0..<n).map { predictions[$0 * columns] })
        case .mlogloss:
            var s = 0.0
            for i in 0..<n {
                let c = min(max(Int(labels[i]), 0), columns - 1)
                s -= log(min(max(predictions[i * columns + c], eps), 1 - eps))
            }
            return s / Double(n)
        case .merror:
            var wrong = 0
            for i in 0..<n {
                var best = 0
                for c in 1..<max(columns, 1) where predictions[i * columns + c] > predictions[i * columns + best] { best = c }
                if best != Int(labels[i]) { wrong += 1 }
            }
            return Double(wrong) / Double(n)
        }
    }

    /// Area under the ROC curve, ties sharing their average rank.
    static func auc(labels: [Float], scores: [Double]) -> Double {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var positives = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j where labels[order[k]] > 0.5 { rankSum += rank; positives += 1 }
            i = j + 1
        }
        let negatives = Double(order.count) - positives
        guard positives > 0, negatives > 0 else { return .nan }
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
    }
}
