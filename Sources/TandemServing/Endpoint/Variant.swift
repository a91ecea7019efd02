/// One variant as served: its model version (or why it has none), its lane in the worker pool,
/// its metrics and its health. Immutable; a config reload builds new ones.
public final class Variant: Sendable {
    /// Production variants take routed traffic; shadow variants get sampled copies.
    public enum Role: String, Sendable {
        case production
        case shadow
    }

    public let name: String
    public let role: Role
    /// The model version this variant serves.
    public let modelID: ModelID
    /// `modelID` as text (`name/version`), made once: the experiment ledger writes it with every assignment.
    public let modelVersion: String
    /// The loaded model, or the load error that makes this variant failed.
    public let model: Result<any InferenceModel, ConfigError>
    public let rendering: OutputRendering
    /// The request deadline.
    public let timeout: Duration
    /// For shadow variants, the share of production requests copied (0...1).
    public let samplingRate: Double
    public let lane: WorkerLane
    public let metrics: VariantMetrics
    public let health: HealthTracker
    /// The model's description from model.yaml.
    public let modelDescription: String?

    init(
        name: String, role: Role, modelID: ModelID, model: Result<any InferenceModel, ConfigError>,
        rendering: OutputRendering, timeout: Duration, samplingRate: Double, lane: WorkerLane,
        metrics: VariantMetrics, health: HealthTracker, modelDescription: String?
    ) {
        self.name = name
        self.role = role
        self.modelID = modelID
        self.modelVersion = modelID.description
        self.model = model
        self.rendering = rendering
        self.timeout = timeout
        self.samplingRate = samplingRate
        self.lane = lane
        self.metrics = metrics
        self.health = health
        self.modelDescription = modelDescription
    }

    /// Loading, ready, degraded or failed.
    public var state: VariantHealth {
        switch model {
        case .failure(let error): return .failed(error.message)
        case .success: return health.state()
        }
    }

    /// The loaded model, when there is one.
    public var loadedModel: (any InferenceModel)? {
        if case .success(let m) = model { return m }
        return nil
    }
}
