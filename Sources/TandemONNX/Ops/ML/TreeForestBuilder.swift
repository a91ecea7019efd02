/// Builds a `TreeForest` from the ONNX attribute tables, validating ids, children, cycles
/// and votes so that scoring can run without bounds checks.
struct TreeForestBuilder<T: BinaryFloatingPoint & Sendable & Hashable> {
    /// A node as described by the attributes, before layout.
    struct SourceNode {
        var feature: Int64
        var threshold: T
        var mode: TreeForest<T>.Mode
        var nanTrue: Bool
        /// Child source indices (interior nodes only).
        var trueChild: Int
        var falseChild: Int
        var votes: [(target: Int32, weight: T)] = []
    }

    var source: [SourceNode] = []
    var roots: [Int] = []
    var memberSets: [Set<T>] = []

    /// Lays the trees out depth-first, checking for cycles.
    func build(targets: Int) throws(BuildError) -> TreeForest<T> {
        var flatIndex = [Int32](repeating: -1, count: source.count)
        var order: [Int] = []
        order.reserveCapacity(source.count)
        // 0 = unvisited, 1 = on the current path, 2 = done.
        var state = [UInt8](repeating: 0, count: source.count)
        // Roots first (their layout is what scoring uses), then every other node so that a cycle
        // among nodes no root reaches is still reported.
        for root in roots + Array(source.indices) {
            if state[root] == 2 { continue }
            var stack: [(node: Int, expanded: Bool)] = [(root, false)]
            while let (node, expanded) = stack.popLast() {
                if expanded { state[node] = 2; continue }
                if state[node] == 2 { continue }
                if state[node] == 1 { throw BuildError(.invalidAttribute, "the tree nodes form a cycle (node index \(node))") }
                state[node] = 1
                flatIndex[node] = Int32(order.count)
                order.append(node)
                stack.append((node, true))
                let n = source[node]
                if n.mode != .leaf {
                    for child in [n.falseChild, n.trueChild] {
                        if state[child] == 1 { throw BuildError(.invalidAttribute, "the tree nodes form a cycle (node index \(child))") }
                        if state[child] == 0 { stack.append((child, false)) }
                    }
                }
            }
        }
        var nodes: [TreeForest<T>.Node] = []
        nodes.reserveCapacity(order.count)
        var voteTargets: [Int32] = [], voteWeights: [T] = []
        var featureCount = 0
        var plainLEQ = true, plainLT = true
        for s in order {
            let n = source[s]
            if n.mode == .leaf {
                for v in n.votes where v.target < 0 || Int(v.target) >= targets {
                    throw BuildError(.invalidAttribute, "a leaf votes for target/class \(v.target), outside 0..<\(targets)")
                }
                nodes.append(.init(threshold: 0, packed: TreeForest<T>.Node.leafPacked,
                                   trueChild: Int32(voteTargets.count), falseChild: Int32(n.votes.count)))
                voteTargets.append(contentsOf: n.votes.map(\.target))
                voteWeights.append(contentsOf: n.votes.map(\.weight))
                continue
            }
            guard n.feature >= 0, n.feature <= Int64(TreeForest<T>.Node.featureMask) else {
                throw BuildError(.invalidAttribute, "feature index \(n.feature) is out of range")
            }
            featureCount = max(featureCount, Int(n.feature) + 1)
            if n.mode != .leq || n.nanTrue { plainLEQ = false }
            if n.mode != .lt || n.nanTrue { plainLT = false }
            let packed = UInt32(n.feature) | (n.nanTrue ? TreeForest<T>.Node.nanTrueBit : 0) | (n.mode.rawValue << 24)
            nodes.append(.init(threshold: n.threshold, packed: packed,
                               trueChild: flatIndex[n.trueChild], falseChild: flatIndex[n.falseChild]))
        }
        return TreeForest(
            nodes: nodes, roots: roots.map { flatIndex[$0] }, voteTargets: voteTargets, voteWeights: voteWeights,
            memberSets: memberSets, featureCount: featureCount, allPlainLEQ: plainLEQ, allPlainLT: plainLT)
    }
}

extension TreeForestBuilder where T == Float {
    /// Reads the v1/v3 TreeEnsembleClassifier/Regressor tables. `prefix` is `class` or `target`.
    static func fromV1(_ a: NodeAttributes, prefix: String) throws(BuildError) -> (builder: Self, targetIds: [Int64], weights: [Float]) {
        for name in ["nodes_values_as_tensor", "\(prefix)_weights_as_tensor", "base_values_as_tensor"] where a.has(name) {
            throw BuildError(.invalidAttribute, "double-precision attribute '\(name)' is not supported")
        }
        let treeIds = try a.requiredInts("nodes_treeids")
        let nodeIds = try a.requiredInts("nodes_nodeids")
        let featureIds = try a.requiredInts("nodes_featureids")
        let values = try a.floats("nodes_values") ?? []
        guard let modes = try a.strings("nodes_modes") else {
            throw BuildError(.invalidAttribute, "required attribute 'nodes_modes' (STRINGS) is missing")
        }
        let trueIds = try a.requiredInts("nodes_truenodeids")
        let falseIds = try a.requiredInts("nodes_falsenodeids")
        let tracks = try a.ints("nodes_missing_value_tracks_true") ?? []
        _ = try a.floats("nodes_hitrates")
        let count = treeIds.count
        for (name, n) in [("nodes_nodeids", nodeIds.count), ("nodes_featureids", featureIds.count), ("nodes_values", values.count),
                          ("nodes_modes", modes.count), ("nodes_truenodeids", trueIds.count), ("nodes_falsenodeids", falseIds.count)]
        where n != count {
            throw BuildError(.invalidAttribute, "'\(name)' has \(n) entries but 'nodes_treeids' has \(count)")
        }
        guard tracks.isEmpty || tracks.count == count else {
            throw BuildError(.invalidAttribute, "'nodes_missing_value_tracks_true' has \(tracks.count) entries but there are \(count) nodes")
        }
        guard count > 0 else { throw BuildError(.invalidAttribute, "the ensemble has no nodes") }

        var index: [TreeNodeKey: Int] = [:]
        index.reserveCapacity(count)
        for i in 0..<count {
            let key = TreeNodeKey(tree: treeIds[i], node: nodeIds[i])
            guard index[key] == nil else { throw BuildError(.invalidAttribute, "node (tree \(key.tree), id \(key.node)) is defined twice") }
            index[key] = i
        }
        var builder = Self()
        builder.source.reserveCapacity(count)
        var hasParent = [Bool](repeating: false, count: count)
        for i in 0..<count {
            let mode: TreeForest<Float>.Mode
            switch modes[i] {
            case "BRANCH_LEQ": mode = .leq
            case "BRANCH_LT": mode = .lt
            case "BRANCH_GTE": mode = .gte
            case "BRANCH_GT": mode = .gt
            case "BRANCH_EQ": mode = .eq
            case "BRANCH_NEQ": mode = .neq
            case "LEAF": mode = .leaf
            case let other: throw BuildError(.invalidAttribute, "nodes_modes[\(i)] = '\(other)' is not a known node mode")
            }
            var t = -1, f = -1
            if mode != .leaf {
                guard let ti = index[TreeNodeKey(tree: treeIds[i], node: trueIds[i])], let fi = index[TreeNodeKey(tree: treeIds[i], node: falseIds[i])] else {
                    throw BuildError(.invalidAttribute, "node (tree \(treeIds[i]), id \(nodeIds[i])) points at a child that does not exist (true \(trueIds[i]), false \(falseIds[i]))")
                }
                t = ti; f = fi
                hasParent[ti] = true
                hasParent[fi] = true
            }
            builder.source.append(SourceNode(feature: featureIds[i], threshold: values[i], mode: mode,
                                              nanTrue: tracks.isEmpty ? false : tracks[i] != 0, trueChild: t, falseChild: f))
        }
        var rootsPerTree: [Int64: Int] = [:]
        for i in 0..<count where !hasParent[i] {
            if rootsPerTree[treeIds[i]] != nil {
                throw BuildError(.invalidAttribute, "tree \(treeIds[i]) has more than one root (unreferenced node ids)")
            }
            rootsPerTree[treeIds[i]] = i
            builder.roots.append(i)
        }
        if rootsPerTree.count != Set(treeIds).count {
            throw BuildError(.invalidAttribute, "some tree has no root: its nodes form a cycle")
        }

        let voteTrees = try a.requiredInts("\(prefix)_treeids")
        let voteNodes = try a.requiredInts("\(prefix)_nodeids")
        let voteIds = try a.requiredInts("\(prefix)_ids")
        let voteWeights = try a.requiredFloats("\(prefix)_weights")
        guard voteNodes.count == voteTrees.count, voteIds.count == voteTrees.count, voteWeights.count == voteTrees.count else {
            throw BuildError(.invalidAttribute, "'\(prefix)_treeids', '\(prefix)_nodeids', '\(prefix)_ids' and '\(prefix)_weights' must have the same length")
        }
        for v in 0..<voteTrees.count {
            guard let node = index[TreeNodeKey(tree: voteTrees[v], node: voteNodes[v])] else {
                throw BuildError(.invalidAttribute, "\(prefix) weight \(v) refers to node (tree \(voteTrees[v]), id \(voteNodes[v])) that does not exist")
            }
            guard builder.source[node].mode == .leaf else {
                throw BuildError(.invalidAttribute, "\(prefix) weight \(v) refers to node (tree \(voteTrees[v]), id \(voteNodes[v])) that is not a LEAF")
            }
            guard voteIds[v] >= 0, voteIds[v] <= Int64(Int32.max) else {
                throw BuildError(.invalidAttribute, "\(prefix)_ids[\(v)] = \(voteIds[v]) is out of range")
            }
            builder.source[node].votes.append((Int32(voteIds[v]), voteWeights[v]))
        }
        return (builder, voteIds, voteWeights)
    }
}

/// A v1 tree node's identity: (tree id, node id).
private struct TreeNodeKey: Hashable {
    var tree: Int64
    var node: Int64
}
