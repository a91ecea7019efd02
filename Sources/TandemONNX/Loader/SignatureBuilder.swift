/// Derives a `ModelSignature` from a compiled graph: true inputs, outputs with their kinds,
/// and which output carries labels, scores or regression values (traced back through
/// pass-through ops such as Identity, Cast, Reshape and Mul-by-one).
enum SignatureBuilder {
    private enum Origin {
        case none
        case label(ModelSignature.ClassLabels?)
        case scores(ModelSignature.ClassLabels?, probabilities: Bool)
        case value
    }

    static func build(_ graph: GraphBuilder) -> ModelSignature {
        let inputs = graph.graphInputs.map { feed -> ModelSignature.Input in
            let shape = feed.shape ?? []
            var features: Int? = nil
            if let s = feed.shape, !s.isEmpty {
                features = s.dropFirst().reduce(Optional(1)) { acc, d in
                    guard let acc, let d else { return nil }
                    return acc * d
                }
            }
            return ModelSignature.Input(name: feed.name, elementType: feed.elementType, shape: shape, featureCount: features)
        }
        var outputs: [ModelSignature.Output] = []
        var labelOutput: String?, scoresOutput: String?, valueOutput: String?
        var classLabels: ModelSignature.ClassLabels?
        var probabilities = false
        var untraced: [(name: String, type: ValueType)] = []
        for (name, type) in graph.graphOutputs {
            let kind: ModelSignature.OutputKind
            switch type {
            case .mapSequence(let key): kind = .mapSequence(key: key)
            case .tensor(let e, _): kind = .tensor(e ?? .float)
            case .unknown: kind = .tensor(.float)
            }
            outputs.append(ModelSignature.Output(name: name, kind: kind, shape: type.shape ?? []))
            switch trace(name, graph) {
            case .label(let labels):
                if labelOutput == nil { labelOutput = name }
                if classLabels == nil { classLabels = labels }
            case .scores(let labels, let p):
                if scoresOutput == nil {
                    scoresOutput = name
                    probabilities = p
                }
                if classLabels == nil { classLabels = labels }
            case .value:
                if valueOutput == nil { valueOutput = name }
            case .none:
                untraced.append((name, type))
            }
        }
        // A classifier whose scores come out of ordinary math (naive Bayes' Exp of normalised
        // log-likelihoods, KNN's vote Div, calibration's averages) rather than an estimator op: the
        // label is traced, and the float output beside it holds one score per class. skl2onnx names
        // it `probabilities`.
        if labelOutput != nil, scoresOutput == nil,
            let candidate = untraced.first(where: { o in
                guard case .tensor(let e, let shape) = o.type, e == nil || e == .float || e == .double else { return false }
                return shape == nil || shape?.count == 2
            })
        {
            scoresOutput = candidate.name
            probabilities = candidate.name.lowercased().contains("prob")
        }
        let task: ModelSignature.Task = (labelOutput != nil || classLabels != nil) ? .classification : (valueOutput != nil ? .regression : .unknown)
        return ModelSignature(
            inputs: inputs, outputs: outputs, task: task, classLabels: classLabels, labelOutput: labelOutput,
            scoresOutput: scoresOutput, scoresAreProbabilities: scoresOutput != nil && probabilities, valueOutput: valueOutput)
    }

    private static func trace(_ output: String, _ graph: GraphBuilder) -> Origin {
        var name = output
        var isScores = false, sawProbabilities = false
        var zipLabels: ModelSignature.ClassLabels? = nil
        for _ in 0...graph.nodes.count {
            guard let producer = graph.values[name]?.producer else { break }
            let node = graph.nodes[producer.node]
            switch node.role {
            case .passThrough:
                guard let next = node.inputs.first, !next.isEmpty else { break }
                name = next
                continue
            case .probabilities:
                isScores = true
                sawProbabilities = true
                guard let next = node.inputs.first else { break }
                name = next
                continue
            case .zipMap(let labels):
                isScores = true
                zipLabels = labels
                guard let next = node.inputs.first else { break }
                name = next
                continue
            case .classifier(let labels, let p):
                if producer.output == 0 && !isScores { return .label(labels) }
                return .scores(zipLabels ?? labels, probabilities: p || sawProbabilities)
            case .regressor:
                return isScores ? .scores(zipLabels, probabilities: sawProbabilities) : .value
            case .labelLookup(let labels):
                return .label(labels)
            case .plain:
                break
            }
            break
        }
        return isScores ? .scores(zipLabels, probabilities: sawProbabilities) : .none
    }
}
