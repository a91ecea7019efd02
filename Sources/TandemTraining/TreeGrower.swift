/// Grows one histogram-based regression tree, depth by depth, on gradient pairs (XGBoost's `hist`
/// method): split gain `T(G_L)²/(H_L+λ) + T(G_R)²/(H_R+λ) - T(G)²/(H+λ)` with `T` the L1 soft threshold,
/// splits taken when the gain exceeds `gamma` and both children weigh at least `min_child_weight`,
/// missing values sent to whichever side gains more. Histograms are built feature-parallel on every
/// core; the larger child's histogram is the parent's minus the smaller's.
struct TreeGrower {
    let cuts: FeatureCuts
    let bins: [UInt8]
    let rows: Int
    let features: Int
    private let lambda: Double
    private let alpha: Double
    private let gamma: Double
    private let eta: Double
    private let minChildWeight: Double
    private let maxDepth: Int

    /// Feature f's histogram slots start at `offsets[f]`: one per value bin, then one for missing values.
    private let offsets: [Int]

    init(cuts: FeatureCuts, bins: [UInt8], rows: Int, features: Int, params: Hyperparameters) {
        self.cuts = cuts
        self.bins = bins
        self.rows = rows
        self.features = features
        lambda = params.lambda
        alpha = params.alpha
        gamma = params.gamma
        eta = params.eta
        minChildWeight = params.minChildWeight
        maxDepth = params.maxDepth
        var offsets = [0]
        for f in 0..<features { offsets.append((offsets.last ?? 0) + cuts.binCount(f) + 1) }
        self.offsets = offsets
    }

    private struct Open {
        var node: Int
        var rows: [Int32]
        var histogram: [Double]
        var g: Double
        var h: Double
    }

    private struct Split {
        var gain: Double
        var feature: Int
        var bin: Int
        var defaultLeft: Bool
    }

    func grow(gradients g: [Double], hessians h: [Double], sampleRows: [Int32], allowedFeatures: [Int], target: Int) -> Tree {
        var nodes = [TreeNode()]
        var level: [Open] = []
        let (rootG, rootH) = Self.sum(g, h, sampleRows)
        level.append(Open(node: 0, rows: sampleRows, histogram: histogram(sampleRows, g, h), g: rootG, h: rootH))
        var depth = 0
        while !level.isEmpty {
            var next: [Open] = []
            for open in level {
                let split = depth < maxDepth ? bestSplit(open, allowedFeatures) : nil
                guard let split else {
                    nodes[open.node].value = Float(leafWeight(open.g, open.h) * eta)
                    continue
                }
                var leftRows: [Int32] = []
                var rightRows: [Int32] = []
                leftRows.reserveCapacity(open.rows.count)
                let column = split.feature * rows
                for r in open.rows {
                    let b = bins[column + Int(r)]
                    let goLeft = b == FeatureCuts.missingBin ? split.defaultLeft : Int(b) <= split.bin
                    if goLeft { leftRows.append(r) } else { rightRows.append(r) }
                }
                let (lg, lh) = Self.sum(g, h, leftRows)
                let left = nodes.count
                let right = left + 1
                nodes[open.node] = TreeNode(
                    feature: Int32(split.feature), bin: Int32(split.bin), threshold: cuts.cuts[split.feature][split.bin],
                    defaultLeft: split.defaultLeft, left: Int32(left), right: Int32(right), value: 0)
                nodes.append(TreeNode())
                nodes.append(TreeNode())
                let smallIsLeft = leftRows.count <= rightRows.count
                let small = histogram(smallIsLeft ? leftRows : rightRows, g, h)
                var large = open.histogram
                for f in allowedFeatures {
                    for i in (offsets[f] * 2)..<(offsets[f + 1] * 2) { large[i] -= small[i] }
                }
                next.append(Open(node: left, rows: leftRows, histogram: smallIsLeft ? small : large, g: lg, h: lh))
                next.append(Open(node: right, rows: rightRows, histogram: smallIsLeft ? large : small, g: open.g - lg, h: open.h - lh))
            }
            level = next
            depth += 1
        }
        return Tree(nodes: nodes, target: target)
    }

    private static func sum(_ g: [Double], _ h: [Double], _ rows: [Int32]) -> (Double, Double) {
        var sg = 0.0
        var sh = 0.0
        for r in rows { sg += g[Int(r)]; sh += h[Int(r)] }
        return (sg, sh)
    }

    /// Gradient and hessian sums per (feature, bin), interleaved: `[(offsets[f] + b) * 2 + {0, 1}]`, the
    /// missing-value bin last (a compact layout: most features have far fewer than 256 bins).
    private func histogram(_ nodeRows: [Int32], _ g: [Double], _ h: [Double]) -> [Double] {
        let offsets = self.offsets
        let work = nodeRows.count * features
        let parts = chunks(features, parts: work < 100_000 ? 1 : workerCount * 2)
        let rows = self.rows
        let bins = self.bins
        let pieces = parallelMap(parts.count) { p in
            let range = parts[p]
            let start = offsets[range.lowerBound]
            var local = [Double](repeating: 0, count: (offsets[range.upperBound] - start) * 2)
            for f in range {
                let column = f * rows
                let base = (offsets[f] - start) * 2
                let missing = offsets[f + 1] - offsets[f] - 1
                for r in nodeRows {
                    let i = Int(r)
                    let v = bins[column + i]
                    let slot = base + (v == FeatureCuts.missingBin ? missing : Int(v)) * 2
                    local[slot] += g[i]
                    local[slot + 1] += h[i]
                }
            }
            return local
        }
        return concatenate(pieces)
    }

    private func thresholdL1(_ g: Double) -> Double {
        if g > alpha { return g - alpha }
        if g < -alpha { return g + alpha }
        return 0
    }

    private func score(_ g: Double, _ h: Double) -> Double {
        let t = thresholdL1(g)
        return t * t / (h + lambda)
    }

    func leafWeight(_ g: Double, _ h: Double) -> Double {
        guard h + lambda > 0 else { return 0 }
        return -thresholdL1(g) / (h + lambda)
    }

    private func bestSplit(_ open: Open, _ allowed: [Int]) -> Split? {
        guard open.h >= 2 * minChildWeight, open.rows.count >= 2 else { return nil }
        let parent = score(open.g, open.h)
        let mcw = max(minChildWeight, 1e-12)
        var best: Split?
        let hist = open.histogram
        for f in allowed {
            let count = cuts.binCount(f)
            guard count > 1 else { continue }
            let base = offsets[f] * 2
            let gm = hist[base + count * 2]
            let hm = hist[base + count * 2 + 1]
            let hasMissing = hm > 0
            var gl = 0.0
            var hl = 0.0
            for b in 0..<(count - 1) {
                gl += hist[base + b * 2]
                hl += hist[base + b * 2 + 1]
                // Missing values right.
                let gr = open.g - gl
                let hr = open.h - hl
                if hl >= mcw && hr >= mcw {
                    let gain = score(gl, hl) + score(gr, hr) - parent
                    if gain > (best?.gain ?? 0) {
                        best = Split(gain: gain, feature: f, bin: b, defaultLeft: !hasMissing && hl > hr)
                    }
                }
                if hasMissing {
                    let gl2 = gl + gm
                    let hl2 = hl + hm
                    let gr2 = open.g - gl2
                    let hr2 = open.h - hl2
                    if hl2 >= mcw && hr2 >= mcw {
                        let gain = score(gl2, hl2) + score(gr2, hr2) - parent
                        if gain > (best?.gain ?? 0) { best = Split(gain: gain, feature: f, bin: b, defaultLeft: true) }
                    }
                }
            }
        }
        guard let best, best.gain > max(gamma, 1e-6) else { return nil }
        return best
    }
}
