/// Numpy-style (multidirectional) broadcasting for element-wise binary ops.
enum Broadcasting {
    /// The broadcast shape of `a` and `b`, or `nil` when they are incompatible.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Same for statically known shapes (`nil` dims unknown); `nil` result when ranks are unknown.
    static func shape(_ a: [Int?]?, _ b: [Int?]?) -> [Int?]? {
        guard let a, let b else { return nil }
        let rank = max(a.count, b.count)
        var out = [Int?](repeating: 1, count: rank)
        for i in 0..<rank {
            let da: Int? = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db: Int? = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == 1 { out[i] = db } else if db == 1 { out[i] = da } else if da == db { out[i] = da } else if da == nil || db == nil { out[i] = da ?? db } else { return nil }
        }
        return out
    }

    /// Float `x (op) y` for the shapes MLPs and scalers produce (same shape, scalar `y`, one-row
    /// `y`), as tight loops over contiguous buffers; `nil` for other shapes.
    static func floatFastPath(_ x: [Float], _ xs: [Int], _ y: [Float], _ ys: [Int], _ out: [Int], add: Bool) -> [Float]? {
        guard x.count == (Shapes.elementCount(out) ?? -1) else { return nil }
        let c: Int
        if xs == ys { c = x.count } else if y.count == 1 { c = 1 } else if let last = xs.last, y.count == last, ys.last == last,
            ys.dropLast().allSatisfy({ $0 == 1 }) { c = last } else { return nil }
        guard c > 0 else { return x }
        var result = x
        do {
            // r.count is a multiple of c (c = r.count, 1 or the last dimension) and Y has c elements
            // (or exactly r.count when the shapes are equal), so i + j stays in range.
            var r = result.mutableSpan
            let Y = y.span
            var i = 0
            while i < r.count {
                if add { for j in 0..<c { r[i + j] += Y[j] } } else { for j in 0..<c { r[i + j] *= Y[j] } }
                i += c
            }
        }
        return result
    }

    /// Applies `f` element-wise with broadcasting; `out` is the broadcast shape.
    static func apply<T>(_ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int], _ out: [Int], _ f: (T, T) -> T) -> [T] {
        map(x, xs, y, ys, out, f)
    }

    /// `f(x, y)` element-wise with broadcasting, for operand and result types that may differ
    /// (comparisons give bool, Pow mixes base and exponent types); `out` is the broadcast shape.
    static func map<A, B, R>(_ x: [A], _ xs: [Int], _ y: [B], _ ys: [Int], _ out: [Int], _ f: (A, B) -> R) -> [R] {
        let count = Shapes.elementCount(out) ?? 0
        if xs == ys { return zip(x, y).map { f($0, $1) } }
        if y.count == 1, x.count == count { let s = y[0]; return x.map { f($0, s) } }
        if x.count == 1, y.count == count { let s = x[0]; return y.map { f(s, $0) } }
        var result = [R]()
        result.reserveCapacity(count)
        // Row broadcast: y is one row ([C] or [1, C]) against x [N, C].
        if let c = xs.last, c > 0, x.count == count, y.count == c, ys.last == c, ys.dropLast().allSatisfy({ $0 == 1 }) {
            var i = 0
            while i < count {
                for j in 0..<c { result.append(f(x[i + j], y[j])) }
                i += c
            }
            return result
        }
        // General case: strides with 0 on broadcast dimensions.
        let rank = out.count
        let sx = strides(xs, rank: rank), sy = strides(ys, rank: rank)
        var index = [Int](repeating: 0, count: rank)
        var ox = 0, oy = 0
        for _ in 0..<count {
            result.append(f(x[ox], y[oy]))
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                ox += sx[d]
                oy += sy[d]
                if index[d] < out[d] { break }
                ox -= sx[d] * index[d]
                oy -= sy[d] * index[d]
                index[d] = 0
                d -= 1
            }
        }
        return result
    }

    /// `f(c, x, y)` element-wise with broadcasting of three operands (Where); `out` is the
    /// broadcast shape of all three.
    static func map3<A, B, C, R>(_ a: [A], _ sa: [Int], _ b: [B], _ sb: [Int], _ c: [C], _ sc: [Int], _ out: [Int],
                                 _ f: (A, B, C) -> R) -> [R] {
        let count = Shapes.elementCount(out) ?? 0
        if sa == out, sb == out, sc == out { return (0..<count).map { f(a[$0], b[$0], c[$0]) } }
        let rank = out.count
        let ta = strides(sa, rank: rank), tb = strides(sb, rank: rank), tc = strides(sc, rank: rank)
        var index = [Int](repeating: 0, count: rank)
        var result = [R]()
        result.reserveCapacity(count)
        var oa = 0, ob = 0, oc = 0
        for _ in 0..<count {
            result.append(f(a[oa], b[ob], c[oc]))
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                oa += ta[d]
                ob += tb[d]
                oc += tc[d]
                if index[d] < out[d] { break }
                oa -= ta[d] * index[d]
                ob -= tb[d] * index[d]
                oc -= tc[d] * index[d]
                index[d] = 0
                d -= 1
            }
        }
        return result
    }

    /// Row-major strides of `shape` aligned to the right of a `rank`-dimensional output, with 0 on
    /// broadcast (size-1 or missing) dimensions.
    static func strides(_ shape: [Int], rank: Int) -> [Int] {
        var st = [Int](repeating: 0, count: rank)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            let dim = rank - shape.count + i
            st[dim] = shape[i] == 1 ? 0 : acc
            acc &*= shape[i]
        }
        return st
    }
}
