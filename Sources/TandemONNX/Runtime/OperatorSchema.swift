/// What a kernel factory sees about the node it builds.
struct NodeContext {
    /// The node's display name (its name, or `#index` when unnamed).
    var name: String
    var opType: String
    /// `""` for the default domain, `ai.onnx.ml` for the ML domain.
    var domain: String
    /// The resolved schema version (highest since_version <= the imported opset).
    var sinceVersion: Int64
    var attributes: NodeAttributes
    /// Inferred input types; `nil` for an omitted optional input.
    var inputTypes: [ValueType?]
    /// Input values known at load time (initializers), `nil` otherwise.
    var constantInputs: [Tensor?]
    /// How many outputs the node declares.
    var outputCount: Int
    /// Compiles the node's GRAPH attributes (If, Loop, Scan).
    var subgraphs: SubgraphCompiler? = nil

    /// The element type of input `i` when known.
    func inputElement(_ i: Int) -> ElementType? {
        i < inputTypes.count ? inputTypes[i]?.elementType : nil
    }

    /// The shape of input `i` when known.
    func inputShape(_ i: Int) -> [Int?]? {
        i < inputTypes.count ? inputTypes[i]?.shape : nil
    }

    /// Fails unless input `i` is a tensor whose element type (when known) is one of `allowed`.
    func requireInput(_ i: Int, oneOf allowed: Set<ElementType>) throws(BuildError) {
        guard i < inputTypes.count, let t = inputTypes[i] else { return }
        if t.isMapSequence {
            throw BuildError(.typeMismatch, "input \(i) must be a tensor, got \(t.text)")
        }
        if let e = t.elementType, !allowed.contains(e) {
            let names = allowed.map(\.description).sorted().joined(separator: ", ")
            throw BuildError(.typeMismatch, "input \(i) has type tensor(\(e)); the op accepts \(names)")
        }
    }
}

/// What the signature builder needs to know about a node's outputs.
enum NodeRole: Sendable {
    case plain
    /// Output 0 holds labels, output 1 scores.
    case classifier(labels: ModelSignature.ClassLabels, scoresAreProbabilities: Bool)
    /// Output 0 holds regression values.
    case regressor
    /// Output 0 holds probabilities (Softmax, Normalizer).
    case probabilities
    /// Output 0 holds a ZipMap of scores keyed by these labels.
    case zipMap(labels: ModelSignature.ClassLabels)
    /// Output 0 holds labels looked up in a constant table (ArrayFeatureExtractor over class labels).
    case labelLookup(labels: ModelSignature.ClassLabels)
    /// Output 0 is input 0 passed through unchanged in meaning (Identity, Cast, Reshape, Mul by a constant).
    case passThrough
}

/// A kernel plus what load-time inference learned about its outputs.
struct BuiltKernel {
    var kernel: any Kernel
    var outputTypes: [ValueType]
    var role: NodeRole = .plain
}

/// One operator as Tandem implements it: its domain, the schema versions it covers and a factory.
struct OperatorSchema: Sendable {
    var opType: String
    var domain: String
    /// The since_versions of the schemas Tandem implements, ascending.
    var versions: [Int64]
    /// Allowed number of inputs and outputs.
    var inputs: ClosedRange<Int>
    var outputs: ClosedRange<Int>
    /// The ai.onnx.ml version at which ONNX deprecated the op, if any.
    var deprecatedSince: Int64? = nil
    var build: @Sendable (NodeContext) throws(BuildError) -> BuiltKernel
}
