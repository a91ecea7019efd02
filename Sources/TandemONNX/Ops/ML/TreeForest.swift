/// A tree ensemble in a flat, cache-friendly layout shared by TreeEnsembleClassifier,
/// TreeEnsembleRegressor and TreeEnsemble (v5).
///
/// Every node (interior or leaf) is one `Node` in a single contiguous array, each tree laid
/// out depth-first from its root. Leaves point into two parallel vote arrays
/// (`voteTargets`, `voteWeights`). No per-node objects, no allocation while scoring.
struct TreeForest<T: BinaryFloatingPoint & Sendable>: Sendable {
    /// Branch rules; raw values are stored in `Node.packed` bits 24...27.
    enum Mode: UInt32, Sendable {
        case leq = 0, lt = 1, gte = 2, gt = 3, eq = 4, neq = 5, member = 6, leaf = 7
    }

    /// One node. `packed` = feature (bits 0...22) | NaN-goes-true flag (bit 23) | mode (bits 24...27).
    /// Leaves have mode `.leaf`; their `trueChild` is the first vote index and `falseChild` the vote count.
    struct Node: Sendable {
        var threshold: T
        var packed: UInt32
        var trueChild: Int32
        var falseChild: Int32

        static var featureMask: UInt32 { 0x7F_FFFF }
        static var nanTrueBit: UInt32 { 1 << 23 }
        static var leafPacked: UInt32 { Mode.leaf.rawValue << 24 }

        var mode: Mode { Mode(rawValue: (packed >> 24) & 0xF) ?? .leaf }
        var feature: Int { Int(packed & Self.featureMask) }
    }

    var nodes: [Node]
    /// Index of each tree's root in `nodes`, in aggregation order.
    var roots: [Int32]
    var voteTargets: [Int32]
    var voteWeights: [T]
    /// Members of each MEMBER node's set, indexed by the node's `threshold` (as an integer).
    var memberSets: [Set<T>]
    /// 1 + the highest feature index any node reads (the minimum input width).
    var featureCount: Int
    /// Set when every interior node is BRANCH_LEQ with no NaN tracking (the common sklearn case).
    var allPlainLEQ: Bool
    /// Set when every interior node is BRANCH_LT with no NaN tracking.
    var allPlainLT: Bool

    /// Number of trees (for AVERAGE).
    var treeCount: Int { roots.count }

    /// The flat index of the leaf that the row starting at `x[row]` reaches in the tree rooted at `root`.
    ///
    /// The tree walks are the one place that reads spans with `unsafe [unchecked:]` (measured: the
    /// two bounds checks per node cost ~15% of forest throughput). Lifetime is still
    /// compiler-checked (spans, no pointers); bounds are proven by: (1) `TreeForestBuilder`
    /// validates at load that every root and child index is `< nodes.count`, that the trees are
    /// acyclic, and that every feature is `< featureCount`; (2) `accumulate` checks with a
    /// `precondition` that `x.count >= rows * columns` and `columns >= featureCount`, so
    /// `row + feature < x.count` for every row `< rows`.
    @inline(__always)
    func leaf(root: Int32, x: Span<T>, row: Int, nodes n: Span<Node>) -> Int {
        var i = Int(root)
        if allPlainLEQ {
            var node = unsafe n[unchecked: i]
            while node.packed < Node.leafPacked {
                i = Int(unsafe x[unchecked: row &+ Int(node.packed)] <= node.threshold ? node.trueChild : node.falseChild)
                node = unsafe n[unchecked: i]
            }
            return i
        }
        if allPlainLT {
            var node = unsafe n[unchecked: i]
            while node.packed < Node.leafPacked {
                i = Int(unsafe x[unchecked: row &+ Int(node.packed & Node.featureMask)] < node.threshold ? node.trueChild : node.falseChild)
                node = unsafe n[unchecked: i]
            }
            return i
        }
        while true {
            let node = unsafe n[unchecked: i]
            let mode = (node.packed >> 24) & 0xF
            if mode >= Mode.leaf.rawValue { return i }
            let v = unsafe x[unchecked: row &+ Int(node.packed & Node.featureMask)]
            let t = node.threshold
            var goTrue: Bool
            switch mode {
            case 0: goTrue = v <= t
            case 1: goTrue = v < t
            case 2: goTrue = v >= t
            case 3: goTrue = v > t
            case 4: goTrue = v == t
            case 5: goTrue = v != t
            default: goTrue = memberSets[Int(t)].contains(v)
            }
            if !goTrue, node.packed & Node.nanTrueBit != 0, v.isNaN { goTrue = true }
            i = Int(goTrue ? node.trueChild : node.falseChild)
        }
    }

    /// One step of a uniform BRANCH_LEQ / BRANCH_LT walk for the row starting at `x[row]`.
    @inline(__always)
    static func step(_ node: Node, _ x: Span<T>, _ row: Int, lessThan: Bool) -> Int {
        let v = unsafe x[unchecked: row &+ Int(node.packed & Node.featureMask)]
        return Int((lessThan ? v < node.threshold : v <= node.threshold) ? node.trueChild : node.falseChild)
    }

    /// Leaves reached by four consecutive rows (starting at `x[row]`, stride `columns`) in a
    /// uniform BRANCH_LEQ (or BRANCH_LT) tree without NaN tracking. Same invariants as `leaf`.
    @inline(__always)
    func leaves4(root: Int32, _ x: Span<T>, _ row: Int, _ columns: Int, _ n: Span<Node>, lessThan: Bool) -> (Int, Int, Int, Int) {
        let x0 = row, x1 = x0 &+ columns, x2 = x1 &+ columns, x3 = x2 &+ columns
        var i0 = Int(root), i1 = i0, i2 = i0, i3 = i0
        var n0 = unsafe n[unchecked: i0], n1 = n0, n2 = n0, n3 = n0
        let leafMark = Node.leafPacked
        while true {
            var moved = false
            if n0.packed < leafMark { i0 = Self.step(n0, x, x0, lessThan: lessThan); n0 = unsafe n[unchecked: i0]; moved = true }
            if n1.packed < leafMark { i1 = Self.step(n1, x, x1, lessThan: lessThan); n1 = unsafe n[unchecked: i1]; moved = true }
            if n2.packed < leafMark { i2 = Self.step(n2, x, x2, lessThan: lessThan); n2 = unsafe n[unchecked: i2]; moved = true }
            if n3.packed < leafMark { i3 = Self.step(n3, x, x3, lessThan: lessThan); n3 = unsafe n[unchecked: i3]; moved = true }
            if !moved { return (i0, i1, i2, i3) }
        }
    }

    /// Scores `rows` rows of `x` (row stride `columns`) into `scores` (row stride `targets`),
    /// setting `has[r*targets+t]` for every target that received a vote.
    ///
    /// Rows are processed in blocks, trees outermost within a block, so one tree's nodes stay
    /// in L1 while the block's rows walk it. Each row still accumulates tree by tree in `T`,
    /// exactly the order (and so the float32 result) of onnxruntime's sequential loop.
    ///
    /// Votes and inputs go through bounds-checked spans (the tree walks excepted, see `leaf`). Expected sizes: `x` has
    /// `rows*columns` elements with `columns >= featureCount`, `scores`/`has` have
    /// `rows*targets`, vote targets are `< targets` (checked at load), so no check fails.
    func accumulate(_ input: [T], rows: Int, columns: Int, targets: Int, aggregate: TreeAggregate,
                    scores scoreArray: inout [T], has hasArray: inout [Bool]) {
        // Local spans (not `inout` span parameters) so their base addresses stay in registers.
        let x = input.span
        var scores = scoreArray.mutableSpan
        var has = hasArray.mutableSpan
        let additive = aggregate == .sum || aggregate == .average
        let takeMin = aggregate == .min
        let uniform = allPlainLEQ || allPlainLT
        // Establishes the bounds the unchecked reads in `leaf` / `leaves4` rely on (see `leaf`).
        precondition(columns >= featureCount && x.count >= rows * columns, "TreeForest input smaller than rows x featureCount")
        let n = nodes.span, vt = voteTargets.span, vw = voteWeights.span
        let blockSize = 64
        var blockStart = 0
        while blockStart < rows {
            let blockEnd = Swift.min(rows, blockStart + blockSize)
            for root in roots {
                var r = blockStart
                while r < blockEnd {
                    // Uniform-mode forests walk four rows through the tree at once
                    // (independent load chains); otherwise one row at a time.
                    var found = (0, 0, 0, 0)
                    let group: Int
                    if uniform && r + 4 <= blockEnd {
                        // Literal `lessThan` at each call so the inlined walk has no per-step mode test.
                        found = allPlainLT ? leaves4(root: root, x, r * columns, columns, n, lessThan: true)
                                           : leaves4(root: root, x, r * columns, columns, n, lessThan: false)
                        group = 4
                    } else {
                        found.0 = leaf(root: root, x: x, row: r * columns, nodes: n)
                        group = 1
                    }
                    for g in 0..<group {
                        let index = g == 0 ? found.0 : (g == 1 ? found.1 : (g == 2 ? found.2 : found.3))
                        let l = n[index]
                        let base = (r + g) * targets
                        var v = Int(l.trueChild)
                        let end = v + Int(l.falseChild)
                        if additive {
                            while v < end {
                                let t = base &+ Int(vt[v])
                                scores[t] += vw[v]
                                has[t] = true
                                v += 1
                            }
                        } else {
                            while v < end {
                                let t = base &+ Int(vt[v]), w = vw[v]
                                if !has[t] || (takeMin ? w < scores[t] : w > scores[t]) { scores[t] = w }
                                has[t] = true
                                v += 1
                            }
                        }
                    }
                    r += group
                }
            }
            blockStart = blockEnd
        }
    }
}

/// How leaf votes combine across trees.
enum TreeAggregate: Sendable { case sum, average, min, max }
