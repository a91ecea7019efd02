/// `scores[N, E] = X[N, C] · W[E, C]ᵀ + b[E]` in float32, the shared core of the linear ops.
enum LinearMath {
    static func scores(_ x: [Float], rows: Int, columns: Int, weights: [Float], intercepts: [Float], targets: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * targets)
        // Sizes: x has rows*columns, weights targets*columns and out rows*targets elements.
        let X = x.span, W = weights.span
        var O = out.mutableSpan
        for r in 0..<rows {
            let xr = r * columns
            for e in 0..<targets {
                let wr = e * columns
                var s: Float = 0
                for c in 0..<columns { s += X[xr + c] * W[wr + c] }
                O[r * targets + e] = s + (intercepts.isEmpty ? 0 : intercepts[e])
            }
        }
        return out
    }
}
