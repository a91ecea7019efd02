/// Turns a trained model into a single-operator ONNX model of the kinds onnxmltools writes for XGBoost,
/// so both Tandem's runtime and onnxruntime score it:
/// - trees, reg:squarederror: `TreeEnsembleRegressor` (SUM, the base margin in `base_values`);
/// - trees, binary:logistic: `TreeEnsembleClassifier`, one vote per leaf for class id 0 with LOGISTIC,
///   which onnxruntime scores as `[σ(-s), σ(s)]` when the weights have mixed signs (ensured below);
/// - trees, multiclass: `TreeEnsembleClassifier`, tree i votes for its class, SOFTMAX;
/// - gblinear: `LinearRegressor`, or `LinearClassifier` with rows `(-w, w)` and LOGISTIC (binary) or
///   one row per class and SOFTMAX. Missing values must be imputed by the caller for linear models.
/// Trees test `x < threshold` (BRANCH_LT) with the learned default direction for missing values.
enum ONNXExport {
    static func model(_ trained: TrainedModel, objective: Objective, version: String) -> ONNXModelProto {
        switch trained {
        case .trees(let m): return trees(m, objective: objective, version: version)
        case .linear(let m): return linear(m, objective: objective, version: version)
        }
    }

    private static func classifierOutputs(_ classes: Int) -> [ONNXModelProto.Output] {
        [
            .init(name: "label", elementType: ONNXModelProto.int64Type, shape: [nil]),
            .init(name: "probabilities", elementType: ONNXModelProto.floatType, shape: [nil, Int64(classes)]),
        ]
    }

    private static let regressorOutputs: [ONNXModelProto.Output] = [.init(name: "variable", elementType: ONNXModelProto.floatType, shape: [nil, 1])]

    private static func trees(_ m: TreeModel, objective: Objective, version: String) -> ONNXModelProto {
        var trees = m.trees
        var base = Float(m.base)
        let binary = objective == .binaryLogistic
        if binary && trees.allSatisfy({ $0.nodes.allSatisfy { !$0.isLeaf || $0.value >= 0 } }) {
            // onnxruntime treats a binary ensemble whose votes are all >= 0 as a random forest (label s > 0.5);
            // a constant tree of -1 balanced by +1 in the base keeps the margin and the mixed-sign rule.
            trees.append(Tree(nodes: [TreeNode(value: -1)], target: 0))
            base += 1
        }
        var treeIds: [Int64] = [], nodeIds: [Int64] = [], featureIds: [Int64] = [], values: [Float] = []
        var modes: [String] = [], trueIds: [Int64] = [], falseIds: [Int64] = [], tracks: [Int64] = []
        var voteTrees: [Int64] = [], voteNodes: [Int64] = [], voteIds: [Int64] = [], voteWeights: [Float] = []
        for (t, tree) in trees.enumerated() {
            for (i, node) in tree.nodes.enumerated() {
                treeIds.append(Int64(t))
                nodeIds.append(Int64(i))
                if node.isLeaf {
                    featureIds.append(0); values.append(0); modes.append("LEAF")
                    trueIds.append(0); falseIds.append(0); tracks.append(0)
                    voteTrees.append(Int64(t)); voteNodes.append(Int64(i))
                    voteIds.append(Int64(binary ? 0 : tree.target)); voteWeights.append(node.value)
                } else {
                    featureIds.append(Int64(node.feature)); values.append(node.threshold); modes.append("BRANCH_LT")
                    trueIds.append(Int64(node.left)); falseIds.append(Int64(node.right)); tracks.append(node.defaultLeft ? 1 : 0)
                }
            }
        }
        var attributes: [(String, ONNXAttribute)] = [
            ("nodes_treeids", .ints(treeIds)), ("nodes_nodeids", .ints(nodeIds)), ("nodes_featureids", .ints(featureIds)),
            ("nodes_values", .floats(values)), ("nodes_modes", .strings(modes)), ("nodes_truenodeids", .ints(trueIds)),
            ("nodes_falsenodeids", .ints(falseIds)), ("nodes_missing_value_tracks_true", .ints(tracks)),
        ]
        if objective == .squaredError {
            attributes += [
                ("target_treeids", .ints(voteTrees)), ("target_nodeids", .ints(voteNodes)), ("target_ids", .ints(voteIds)),
                ("target_weights", .floats(voteWeights)), ("n_targets", .int(1)), ("aggregate_function", .string("SUM")),
                ("base_values", .floats([base])), ("post_transform", .string("NONE")),
            ]
            return ONNXModelProto(opType: "TreeEnsembleRegressor", attributes: attributes, featureCount: m.features, outputs: regressorOutputs, producerVersion: version)
        }
        let classes = binary ? 2 : m.columns
        attributes += [
            ("class_treeids", .ints(voteTrees)), ("class_nodeids", .ints(voteNodes)), ("class_ids", .ints(voteIds)),
            ("class_weights", .floats(voteWeights)), ("classlabels_int64s", .ints((0..<Int64(classes)).map { $0 })),
            ("base_values", .floats(binary ? [base] : [Float](repeating: base, count: classes))),
            ("post_transform", .string(binary ? "LOGISTIC" : "SOFTMAX")),
        ]
        return ONNXModelProto(opType: "TreeEnsembleClassifier", attributes: attributes, featureCount: m.features, outputs: classifierOutputs(classes), producerVersion: version)
    }

    private static func linear(_ m: LinearModel, objective: Objective, version: String) -> ONNXModelProto {
        let w = m.weights.map { Float($0) }
        let b = m.bias.map { Float($0) }
        switch objective {
        case .squaredError:
            return ONNXModelProto(
                opType: "LinearRegressor",
                attributes: [("coefficients", .floats(w)), ("intercepts", .floats(b)), ("targets", .int(1)), ("post_transform", .string("NONE"))],
                featureCount: m.features, outputs: regressorOutputs, producerVersion: version)
        case .binaryLogistic:
            return ONNXModelProto(
                opType: "LinearClassifier",
                attributes: [
                    ("coefficients", .floats(w.map { -$0 } + w)), ("intercepts", .floats(b.map { -$0 } + b)),
                    ("classlabels_ints", .ints([0, 1])), ("multi_class", .int(0)), ("post_transform", .string("LOGISTIC")),
                ],
                featureCount: m.features, outputs: classifierOutputs(2), producerVersion: version)
        case .multiSoftprob, .multiSoftmax:
            return ONNXModelProto(
                opType: "LinearClassifier",
                attributes: [
                    ("coefficients", .floats(w)), ("intercepts", .floats(b)),
                    ("classlabels_ints", .ints((0..<Int64(m.columns)).map { $0 })), ("multi_class", .int(1)),
                    ("post_transform", .string("SOFTMAX")),
                ],
                featureCount: m.features, outputs: classifierOutputs(m.columns), producerVersion: version)
        }
    }
}
