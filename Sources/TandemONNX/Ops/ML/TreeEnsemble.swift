/// `TreeEnsemble` (ai.onnx.ml 5): separate interior and leaf tables, split thresholds as a
/// float or double tensor (compared in that type), uint8 modes including MEMBER sets,
/// integer `aggregate_function` / `post_transform`, no base values.
struct TreeEnsembleKernel: Kernel {
    enum Forest: Sendable {
        case float(TreeForest<Float>)
        case double(TreeForest<Double>)
    }
    let forest: Forest
    let targets: Int
    let aggregate: TreeAggregate
    let transform: PostTransform

    static let schema = OperatorSchema(opType: "TreeEnsemble", domain: OpsetTable.mlDomain, versions: [5], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.float, .double])
        let a = ctx.attributes
        let targets = Int(try a.requiredInt("n_targets"))
        guard targets >= 1, targets <= 1 << 20 else { throw BuildError(.invalidAttribute, "n_targets = \(targets) is invalid") }
        let aggregate: TreeAggregate
        switch try a.int("aggregate_function") ?? 1 {
        case 0: aggregate = .average
        case 1: aggregate = .sum
        case 2: aggregate = .min
        case 3: aggregate = .max
        case let other: throw BuildError(.invalidAttribute, "aggregate_function \(other) is not in 0...3")
        }
        let transform = try PostTransform(code: a.int("post_transform") ?? 0)
        guard let splits = try a.tensor("nodes_splits") else {
            throw BuildError(.invalidAttribute, "required attribute 'nodes_splits' (TENSOR) is missing")
        }
        let forest: Forest
        switch splits.dataType {
        case ElementType.float.rawValue:
            forest = .float(try build(a, targets: targets, convert: { Float($0) }))
        case ElementType.double.rawValue:
            forest = .double(try build(a, targets: targets, convert: { $0 }))
        default:
            throw BuildError(.attributeType, "'nodes_splits' must be a float or double tensor, got data type \(splits.dataType)")
        }
        let element: ElementType = splits.dataType == ElementType.double.rawValue ? .double : .float
        if let input = ctx.inputElement(0), input != element {
            throw BuildError(.typeMismatch, "the splits are \(element) but the input is tensor(\(input))")
        }
        let rows = ctx.inputShape(0)?.first ?? nil
        return BuiltKernel(kernel: TreeEnsembleKernel(forest: forest, targets: targets, aggregate: aggregate, transform: transform),
                           outputTypes: [.tensor(element, shape: [rows, targets])], role: .regressor)
    }

    private static func build<T: BinaryFloatingPoint & Sendable & Hashable>(
        _ a: NodeAttributes, targets: Int, convert: (Double) -> T
    ) throws(BuildError) -> TreeForest<T> {
        let features = try a.requiredInts("nodes_featureids")
        guard let splitsProto = try a.tensor("nodes_splits"), let modesProto = try a.tensor("nodes_modes") else {
            throw BuildError(.invalidAttribute, "required attributes 'nodes_splits' and 'nodes_modes' (TENSOR) are missing")
        }
        let splits = try TensorDecoding.doubles(splitsProto, what: "attribute 'nodes_splits'").map(convert)
        let modes = try TensorDecoding.integers(modesProto, what: "attribute 'nodes_modes'")
        let trueIds = try a.requiredInts("nodes_truenodeids"), trueLeafs = try a.requiredInts("nodes_trueleafs")
        let falseIds = try a.requiredInts("nodes_falsenodeids"), falseLeafs = try a.requiredInts("nodes_falseleafs")
        let tracks = try a.ints("nodes_missing_value_tracks_true") ?? []
        let roots = try a.requiredInts("tree_roots")
        let leafTargets = try a.requiredInts("leaf_targetids")
        guard let weightsProto = try a.tensor("leaf_weights") else {
            throw BuildError(.invalidAttribute, "required attribute 'leaf_weights' (TENSOR) is missing")
        }
        let leafWeights = try TensorDecoding.doubles(weightsProto, what: "attribute 'leaf_weights'").map(convert)
        let members = try a.tensor("membership_values").map { (p: Onnx_TensorProto) throws(BuildError) in
            try TensorDecoding.doubles(p, what: "attribute 'membership_values'").map(convert)
        } ?? []
        let interior = features.count
        for (name, n) in [("nodes_splits", splits.count), ("nodes_modes", modes.count), ("nodes_truenodeids", trueIds.count),
                          ("nodes_trueleafs", trueLeafs.count), ("nodes_falsenodeids", falseIds.count), ("nodes_falseleafs", falseLeafs.count)]
        where n != interior {
            throw BuildError(.invalidAttribute, "'\(name)' has \(n) entries but 'nodes_featureids' has \(interior)")
        }
        guard tracks.isEmpty || tracks.count == interior else {
            throw BuildError(.invalidAttribute, "'nodes_missing_value_tracks_true' has \(tracks.count) entries but there are \(interior) nodes")
        }
        guard leafTargets.count == leafWeights.count else {
            throw BuildError(.invalidAttribute, "'leaf_targetids' has \(leafTargets.count) entries but 'leaf_weights' has \(leafWeights.count)")
        }
        guard !roots.isEmpty else { throw BuildError(.invalidAttribute, "'tree_roots' is empty") }

        // Split the NaN-separated membership list into one set per MEMBER node.
        var sets: [Set<T>] = [[]]
        for v in members {
            if v.isNaN { sets.append([]) } else { sets[sets.count - 1].insert(v) }
        }
        if sets.last?.isEmpty == true, members.last?.isNaN == true { sets.removeLast() }

        var builder = TreeForestBuilder<T>()
        builder.source.reserveCapacity(interior + leafWeights.count)
        var memberIndex = 0
        func child(_ id: Int64, _ isLeaf: Int64, _ node: Int) throws(BuildError) -> Int {
            if isLeaf != 0 {
                guard id >= 0, id < Int64(leafWeights.count) else { throw BuildError(.invalidAttribute, "node \(node) points at leaf \(id), outside 0..<\(leafWeights.count)") }
                return interior + Int(id)
            }
            guard id >= 0, id < Int64(interior) else { throw BuildError(.invalidAttribute, "node \(node) points at node \(id), outside 0..<\(interior)") }
            return Int(id)
        }
        for i in 0..<interior {
            let mode: TreeForest<T>.Mode
            var threshold = splits[i]
            switch modes[i] {
            case 0: mode = .leq
            case 1: mode = .lt
            case 2: mode = .gte
            case 3: mode = .gt
            case 4: mode = .eq
            case 5: mode = .neq
            case 6:
                mode = .member
                guard memberIndex < sets.count, memberIndex < 1 << 24, !members.isEmpty else {
                    throw BuildError(.invalidAttribute, "MEMBER node \(i) has no set in 'membership_values'")
                }
                threshold = T(memberIndex)
                memberIndex += 1
            default: throw BuildError(.invalidAttribute, "nodes_modes[\(i)] = \(modes[i]) is not a known mode (0...6)")
            }
            builder.source.append(.init(feature: features[i], threshold: threshold, mode: mode,
                                        nanTrue: tracks.isEmpty ? false : tracks[i] != 0,
                                        trueChild: try child(trueIds[i], trueLeafs[i], i),
                                        falseChild: try child(falseIds[i], falseLeafs[i], i)))
        }
        for l in 0..<leafWeights.count {
            guard leafTargets[l] >= 0, leafTargets[l] < Int64(targets) else {
                throw BuildError(.invalidAttribute, "leaf_targetids[\(l)] = \(leafTargets[l]) is outside 0..<\(targets)")
            }
            var leaf = TreeForestBuilder<T>.SourceNode(feature: 0, threshold: 0, mode: .leaf, nanTrue: false, trueChild: -1, falseChild: -1)
            leaf.votes = [(Int32(leafTargets[l]), leafWeights[l])]
            builder.source.append(leaf)
        }
        for r in roots {
            guard r >= 0, r < Int64(interior) else { throw BuildError(.invalidAttribute, "tree root \(r) is outside 0..<\(interior)") }
            builder.roots.append(Int(r))
        }
        builder.memberSets = sets
        return try builder.build(targets: targets)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0)
        let (rows, columns) = t.rowsAndColumns
        switch forest {
        case .float(let f):
            guard let x = t.floatValues() else { throw KernelError("expects a numeric tensor") }
            guard columns >= f.featureCount else { throw KernelError("input has \(columns) features but the trees read feature \(f.featureCount - 1)") }
            let y = TreeScoring.regress(f, x, rows: rows, columns: columns, targets: targets, aggregate: aggregate, baseValues: [], transform: transform)
            return [.tensor(Tensor(shape: [rows, targets], data: .float(y)))]
        case .double(let f):
            let x: [Double]
            switch t.data {
            case .double(let v): x = v
            case .float(let v): x = v.map { Double($0) }
            default: throw KernelError("expects a float or double tensor, got tensor(\(t.elementType))")
            }
            guard columns >= f.featureCount else { throw KernelError("input has \(columns) features but the trees read feature \(f.featureCount - 1)") }
            let agg = aggregate
            let y = TreeScoring.regress(f, x, rows: rows, columns: columns, targets: targets, aggregate: agg, baseValues: [], transform: transform)
            return [.tensor(Tensor(shape: [rows, targets], data: .double(y)))]
        }
    }
}
