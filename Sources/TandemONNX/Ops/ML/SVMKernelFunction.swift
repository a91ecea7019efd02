import Foundation

/// The SVM kernel functions `K(x, v)` of SVMClassifier / SVMRegressor, in float32.
struct SVMKernelFunction: Sendable {
    enum Kind: Sendable { case linear, poly, rbf, sigmoid }
    var kind: Kind
    var gamma: Float
    var coef0: Float
    var degree: Float

    init(_ a: NodeAttributes) throws(BuildError) {
        switch try a.string("kernel_type") ?? "LINEAR" {
        case "LINEAR": kind = .linear
        case "POLY": kind = .poly
        case "RBF": kind = .rbf
        case "SIGMOID": kind = .sigmoid
        case let other: throw BuildError(.invalidAttribute, "kernel_type '\(other)' is not one of LINEAR, POLY, RBF, SIGMOID")
        }
        let params = try a.floats("kernel_params") ?? []
        guard params.isEmpty || params.count >= 3 else {
            throw BuildError(.invalidAttribute, "'kernel_params' must hold [gamma, coef0, degree], got \(params.count) values")
        }
        gamma = params.first ?? 0
        coef0 = params.count > 1 ? params[1] : 0
        degree = params.count > 2 ? params[2] : 0
    }

    /// `out[r * vectorCount + v] = K(x_r, vectors_v)` for every row and vector; `constant` is added
    /// to the dot product in LINEAR mode (onnxruntime's GEMM bias).
    func evaluate(_ x: [Float], rows: Int, features: Int, vectors: [Float], vectorCount: Int, linearConstant: Float = 0) -> [Float] {
        var out = [Float](repeating: 0, count: rows * vectorCount)
        do {
            // Sizes: x has rows*features and vectors vectorCount*features elements (checked by callers).
            let xs = x.span, vs = vectors.span
            for r in 0..<rows {
                let xr = xs.extracting((r * features)..<((r + 1) * features))
                for v in 0..<vectorCount {
                    let vr = vs.extracting((v * features)..<((v + 1) * features))
                    var s: Float = 0
                    if kind == .rbf {
                        for f in 0..<features { let d = xr[f] - vr[f]; s += d * d }
                        out[r * vectorCount + v] = expf(-gamma * s)
                        continue
                    }
                    for f in 0..<features { s += xr[f] * vr[f] }
                    switch kind {
                    case .linear: out[r * vectorCount + v] = s + linearConstant
                    case .poly:
                        let base = gamma * s + coef0
                        out[r * vectorCount + v] = degree == 2 ? base * base : (degree == 3 ? base * base * base : powf(base, degree))
                    case .sigmoid: out[r * vectorCount + v] = tanhf(gamma * s + coef0)
                    case .rbf: break
                    }
                }
            }
        }
        return out
    }
}
