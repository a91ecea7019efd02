/// What a loaded model expects and returns, described without ONNX vocabulary, so the
/// server can decode requests and render responses without knowing the graph.
public struct ModelSignature: Sendable, Equatable {
    /// One graph input a caller must feed.
    public struct Input: Sendable, Equatable {
        /// The graph input's name (`input`, or `num` and `cat` for a multi-input model).
        public var name: String
        /// The element type the model expects.
        public var elementType: ElementType
        /// The declared shape; `nil` marks a dynamic dimension (the batch dimension usually).
        public var shape: [Int?]
        /// Values per row: the product of the non-batch dimensions, `nil` when unknown.
        public var featureCount: Int?

        public init(name: String, elementType: ElementType, shape: [Int?], featureCount: Int?) {
            self.name = name
            self.elementType = elementType
            self.shape = shape
            self.featureCount = featureCount
        }
    }

    /// The kind of value an output carries.
    public enum OutputKind: Sendable, Equatable {
        /// A tensor of the given element type.
        case tensor(ElementType)
        /// A sequence of maps from the given key type (int64 or string) to float.
        case mapSequence(key: ElementType)
    }

    /// One graph output.
    public struct Output: Sendable, Equatable {
        /// The graph output's name (`label`, `probabilities`, `variable`, ...).
        public var name: String
        /// What the output carries.
        public var kind: OutputKind
        /// The declared shape (may be wrong; run-time shapes win).
        public var shape: [Int?]

        public init(name: String, kind: OutputKind, shape: [Int?]) {
            self.name = name
            self.kind = kind
            self.shape = shape
        }
    }

    /// What the model does, as far as the graph tells.
    public enum Task: String, Sendable, Equatable {
        case classification
        case regression
        case unknown
    }

    /// The class labels of a classifier, in score-column order.
    public enum ClassLabels: Sendable, Equatable {
        case int64([Int64])
        case string([String])
    }

    /// The graph inputs a caller must feed (initializers excluded), in graph order.
    public var inputs: [Input]
    /// The graph outputs, in graph order.
    public var outputs: [Output]
    /// Classification, regression or unknown.
    public var task: Task
    /// The class labels for classifiers, when the graph declares them.
    public var classLabels: ClassLabels?
    /// The output holding the predicted label, for classifiers.
    public var labelOutput: String?
    /// The output holding per-class probabilities or scores (a tensor or a ZipMap sequence).
    public var scoresOutput: String?
    /// True when `scoresOutput` holds probabilities (a post-transform normalises them), false for raw scores.
    public var scoresAreProbabilities: Bool
    /// The output holding regression values, for regressors.
    public var valueOutput: String?

    public init(
        inputs: [Input], outputs: [Output], task: Task, classLabels: ClassLabels?,
        labelOutput: String?, scoresOutput: String?, scoresAreProbabilities: Bool, valueOutput: String?
    ) {
        self.inputs = inputs
        self.outputs = outputs
        self.task = task
        self.classLabels = classLabels
        self.labelOutput = labelOutput
        self.scoresOutput = scoresOutput
        self.scoresAreProbabilities = scoresAreProbabilities
        self.valueOutput = valueOutput
    }
}
