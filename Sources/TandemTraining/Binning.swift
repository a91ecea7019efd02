/// Per-feature histogram cut points and the binned (column-major, one byte per value) training matrix.
///
/// A value `x` falls in bin `b` = the number of cuts `<= x`, so `x < cuts[b]` exactly when its bin is
/// at most `b`: a split "bin <= b" is exported as the float32 test `x < cuts[b]` (BRANCH_LT) and the
/// exported model routes every training value as training did. Missing values (NaN) take bin 255.
struct FeatureCuts: Sendable, Codable, Equatable {
    var cuts: [[Float]]

    static let missingBin: UInt8 = 255
    /// At most 255 value bins (254 cuts), bin 255 is for missing values.
    static let maxValueBins = 255

    /// Cut points from the data's distinct values: every boundary when there are at most `maxBin` of them,
    /// else boundaries at quantiles of the non-missing values.
    init(_ data: Dataset, maxBin: Int) {
        let bins = min(maxBin, Self.maxValueBins)
        cuts = parallelMap(data.features) { f in Self.featureCuts(data, feature: f, bins: bins) }
    }

    init(cuts: [[Float]]) { self.cuts = cuts }

    private static func featureCuts(_ data: Dataset, feature f: Int, bins: Int) -> [Float] {
        var column: [Float] = []
        column.reserveCapacity(data.rows)
        for r in 0..<data.rows {
            let v = data.values[r * data.features + f]
            if !v.isNaN { column.append(v) }
        }
        guard !column.isEmpty else { return [] }
        column.sort()
        var distinct: [Float] = []
        var counts: [Int] = []
        for v in column {
            if let last = distinct.last, last == v { counts[counts.count - 1] += 1 } else { distinct.append(v); counts.append(1) }
        }
        var result: [Float] = []
        if distinct.count <= bins {
            for i in 1..<distinct.count { result.append(midpoint(distinct[i - 1], distinct[i])) }
            return result
        }
        let n = Double(column.count)
        var cumulative = 0
        var next = 1
        for i in 0..<(distinct.count - 1) {
            cumulative += counts[i]
            if Double(cumulative) >= n * Double(next) / Double(bins) {
                result.append(midpoint(distinct[i], distinct[i + 1]))
                while next < bins && Double(cumulative) >= n * Double(next) / Double(bins) { next += 1 }
                if result.count == bins - 1 { break }
            }
        }
        return result
    }

    /// A float32 `m` with `a < m <= b`.
    private static func midpoint(_ a: Float, _ b: Float) -> Float {
        let m = Float((Double(a) + Double(b)) / 2)
        return m > a && m <= b ? m : b
    }

    /// The bin of a value.
    func bin(_ value: Float, feature f: Int) -> UInt8 {
        if value.isNaN { return Self.missingBin }
        let c = cuts[f]
        var lo = 0
        var hi = c.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if c[mid] <= value { lo = mid + 1 } else { hi = mid }
        }
        return UInt8(lo)
    }

    /// Value bins of a feature (cuts + 1).
    func binCount(_ f: Int) -> Int { cuts[f].count + 1 }

    /// The dataset's bins, column-major: `bins[f * rows + r]`.
    func binned(_ data: Dataset) -> [UInt8] {
        let columns = parallelMap(data.features) { f in
            (0..<data.rows).map { r in self.bin(data.values[r * data.features + f], feature: f) }
        }
        return concatenate(columns)
    }
}
