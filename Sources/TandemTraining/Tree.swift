/// One node of a trained regression tree: a split (feature >= 0) or a leaf (feature == -1).
struct TreeNode: Sendable, Codable, Equatable {
    /// The feature compared, or -1 for a leaf.
    var feature: Int32 = -1
    /// Rows whose bin is at most this go left (the float test is `x < threshold`).
    var bin: Int32 = 0
    var threshold: Float = 0
    /// Where missing values go.
    var defaultLeft = false
    var left: Int32 = 0
    var right: Int32 = 0
    /// The leaf's contribution to the margin (learning rate included).
    var value: Float = 0

    var isLeaf: Bool { feature < 0 }
}

/// A regression tree over binned features; node 0 is the root. `target` is the score column it adds to.
struct Tree: Sendable, Codable, Equatable {
    var nodes: [TreeNode]
    var target: Int

    /// The leaf a row reaches, from its bins (column-major `bins[f * rows + r]`).
    @inline(__always)
    func leaf(bins: [UInt8], rows: Int, row r: Int) -> Int {
        var i = 0
        while true {
            let node = nodes[i]
            if node.isLeaf { return i }
            let b = bins[Int(node.feature) * rows + r]
            let goLeft = b == FeatureCuts.missingBin ? node.defaultLeft : Int32(b) <= node.bin
            i = Int(goLeft ? node.left : node.right)
        }
    }

    /// The leaf value a raw float row reaches, as the exported model computes it.
    func predict(_ x: ArraySlice<Float>) -> Float {
        var i = 0
        let base = x.startIndex
        while true {
            let node = nodes[i]
            if node.isLeaf { return node.value }
            let v = x[base + Int(node.feature)]
            let goLeft = v.isNaN ? node.defaultLeft : v < node.threshold
            i = Int(goLeft ? node.left : node.right)
        }
    }

    /// Adds this tree's leaf values to column `target` of `margins` (`columns` wide) for every row.
    func addPredictions(bins: [UInt8], rows: Int, to margins: inout [Double], columns: Int) {
        let parts = chunks(rows, parts: workerCount * 4)
        let values = parallelMap(parts.count) { p in parts[p].map { r in self.nodes[self.leaf(bins: bins, rows: rows, row: r)].value } }
        for (p, range) in parts.enumerated() {
            for (k, r) in range.enumerated() { margins[r * columns + target] += Double(values[p][k]) }
        }
    }
}
