/// `scores[N, E] = X[N, C] · W[E, C]ᵀ + b[E]` in float32, the shared core of the linear ops.
enum LinearMath {
    static func scores(_ x: [Float], rows: Int, columns: Int, weights: [Float], intercepts: [Float], targets: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * targets)
        x.withUnsafeBufferPointer { px in
            weights.withUnsafeBufferPointer { pw in
                out.withUnsafeMutableBufferPointer { po in
                    // Invariant: px has rows*columns, pw targets*columns and po rows*targets elements.
                    guard let X = px.baseAddress, let W = pw.baseAddress, let O = po.baseAddress else { return }
                    for r in 0..<rows {
                        let xr = X + r * columns
                        for e in 0..<targets {
                            let wr = W + e * columns
                            var s: Float = 0
                            for c in 0..<columns { s += xr[c] * wr[c] }
                            O[r * targets + e] = s + (intercepts.isEmpty ? 0 : intercepts[e])
                        }
                    }
                }
            }
        }
        return out
    }
}
