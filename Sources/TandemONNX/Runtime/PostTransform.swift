import Foundation

/// The score transforms of the ai.onnx.ml classifiers and regressors, computed the way
/// onnxruntime's `ml_common.h` does (float32, max-subtracted softmax, |x| logistic form).
enum PostTransform: Sendable, Equatable {
    case none, logistic, softmax, softmaxZero, probit

    /// Parses the STRING attribute form (`NONE`, `LOGISTIC`, ...).
    init(name: String) throws(BuildError) {
        switch name {
        case "NONE": self = .none
        case "LOGISTIC": self = .logistic
        case "SOFTMAX": self = .softmax
        case "SOFTMAX_ZERO": self = .softmaxZero
        case "PROBIT": self = .probit
        default: throw BuildError(.invalidAttribute, "post_transform '\(name)' is not one of NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO, PROBIT")
        }
    }

    /// Parses the INT attribute form of ai.onnx.ml v5 `TreeEnsemble`. The ONNX text lists
    /// 1 SOFTMAX and 2 LOGISTIC, but onnxruntime 1.31.1 casts the integer onto its own enum
    /// (NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO, PROBIT), so 1 is LOGISTIC and 2 is SOFTMAX.
    /// The oracle wins (checked by the tree_ensemble_v5_* fixtures).
    init(code: Int64) throws(BuildError) {
        switch code {
        case 0: self = .none
        case 1: self = .logistic
        case 2: self = .softmax
        case 3: self = .softmaxZero
        case 4: self = .probit
        default: throw BuildError(.invalidAttribute, "post_transform \(code) is not in 0...4")
        }
    }

    /// True when the transform turns scores into probabilities.
    var producesProbabilities: Bool { self == .logistic || self == .softmax || self == .softmaxZero }

    /// Applies the transform in place to one row of scores (`scores.count >= 2` semantics).
    /// Works on a bounds-checked span, so only the row's own elements can be touched.
    func apply(_ row: inout MutableSpan<Float>) {
        switch self {
        case .none: return
        case .logistic: for i in row.indices { row[i] = MLMath.logistic(row[i]) }
        case .probit: for i in row.indices { row[i] = MLMath.probit(row[i]) }
        case .softmax: MLMath.softmax(&row)
        case .softmaxZero: MLMath.softmaxZero(&row)
        }
    }
}

extension PostTransform {
    /// Applies the transform in place to a whole array (one row of scores).
    func apply(_ row: inout [Float]) {
        var span = row.mutableSpan
        apply(&span)
    }

    /// Applies the transform in place to each `width`-element row of `values` (row-major, `rows` rows).
    func applyRows(_ values: inout [Float], rows: Int, width: Int) {
        if self == .none { return }
        var all = values.mutableSpan
        for r in 0..<rows {
            var row = all.extracting((r * width)..<((r + 1) * width))
            apply(&row)
        }
    }
}

/// Scalar math helpers matching onnxruntime's ML kernels.
enum MLMath {
    /// `1/(1+e^-|x|)`, mirrored for negative x: finite for any input.
    @inline(__always)
    static func logistic(_ x: Float) -> Float {
        let v = 1 / (1 + expf(-abs(x)))
        return x < 0 ? 1 - v : v
    }

    /// Approximate inverse error function (the Winitzki form onnxruntime uses).
    static func erfInv(_ value: Float) -> Float {
        let sign: Float = value < 0 ? -1 : 1
        let x = (1 - value) * (1 + value)
        let lnx = logf(x)
        let v: Float = 2 / (3.14159 * 0.147) + 0.5 * lnx
        let v2: Float = 1 / 0.147 * lnx
        let v3 = -v + sqrtf(v * v - v2)
        return sign * sqrtf(v3)
    }

    /// `sqrt(2) * erfinv(2x - 1)`.
    static func probit(_ x: Float) -> Float { 1.41421356 * erfInv(2 * x - 1) }

    /// Softmax with the row maximum subtracted first.
    static func softmax(_ row: inout MutableSpan<Float>) {
        var vmax = -Float.greatestFiniteMagnitude
        for i in row.indices where row[i] > vmax { vmax = row[i] }
        var sum: Float = 0
        for i in row.indices {
            let e = expf(row[i] - vmax)
            row[i] = e
            sum += e
        }
        for i in row.indices { row[i] /= sum }
    }

    /// Softmax over the non-zero entries; entries within 1e-7 of zero are scaled by e^-max (stay ~0).
    static func softmaxZero(_ row: inout MutableSpan<Float>) {
        var vmax = -Float.greatestFiniteMagnitude
        for i in row.indices where row[i] > vmax { vmax = row[i] }
        let expNegMax = expf(-vmax)
        var sum: Float = 0
        for i in row.indices {
            let v = row[i]
            if v > 0.0000001 || v < -0.0000001 {
                let e = expf(v - vmax)
                row[i] = e
                sum += e
            } else {
                row[i] = v * expNegMax
            }
        }
        for i in row.indices { row[i] /= sum }
    }
}

/// How onnxruntime widens a single binary score into two columns.
enum BinaryExpansion {
    /// `[1 - p, p]` (all-positive tree weights, one-row LinearClassifier, SVM with a transform).
    case complement
    /// `[-s, s]`, or `[σ(-s), σ(s)]` under LOGISTIC (mixed-sign tree weights, SVM without transform).
    case negate

    /// The two output columns for raw score `s` under `transform`.
    func columns(_ s: Float, _ transform: PostTransform) -> (Float, Float) {
        switch (self, transform) {
        case (.complement, .logistic):
            let p = MLMath.logistic(s)
            return (1 - p, p)
        case (.complement, .probit):
            let p = MLMath.probit(s)
            return (1 - p, p)
        case (.complement, _):
            return (1 - s, s)
        case (.negate, .logistic):
            return (MLMath.logistic(-s), MLMath.logistic(s))
        case (.negate, _):
            return (-s, s)
        }
    }
}
