/// Boosted trees: margin = base + Σ leaf values of the trees voting for each score column.
struct TreeModel: Sendable, Codable, Equatable {
    var base: Double
    var columns: Int
    var features: Int
    var trees: [Tree]
}

/// A linear model per score column: margin = bias + Σ weight × feature (missing values count as 0).
struct LinearModel: Sendable, Codable, Equatable {
    var columns: Int
    var features: Int
    /// `columns × features`, row-major.
    var weights: [Double]
    /// One per column, the base margin included.
    var bias: [Double]
}

/// What a training run produces.
enum TrainedModel: Sendable, Codable, Equatable {
    case trees(TreeModel)
    case linear(LinearModel)

    /// Margins for raw float rows, as the exported ONNX model computes them (float32 tree thresholds).
    func margins(_ data: Dataset) -> [Double] {
        switch self {
        case .trees(let m):
            var out = [Double](repeating: m.base, count: data.rows * m.columns)
            for r in 0..<data.rows {
                let row = data.values[(r * data.features)..<((r + 1) * data.features)]
                for tree in m.trees { out[r * m.columns + tree.target] += Double(tree.predict(row)) }
            }
            return out
        case .linear(let m):
            var out = [Double](repeating: 0, count: data.rows * m.columns)
            for r in 0..<data.rows {
                for c in 0..<m.columns {
                    var s = m.bias[c]
                    for f in 0..<min(m.features, data.features) {
                        let v = data.values[r * data.features + f]
                        if !v.isNaN { s += m.weights[c * m.features + f] * Double(v) }
                    }
                    out[r * m.columns + c] = s
                }
            }
            return out
        }
    }
}
