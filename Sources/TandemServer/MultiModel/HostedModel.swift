import Synchronization
import TandemServing

/// One model a multi-model endpoint has loaded: an endpoint of its own (one variant for a single ONNX file,
/// or every variant its `endpoint.yaml` names), with the invocation core over it. Its lanes in the shared
/// worker pool form their own group, so loading or unloading it leaves the others' alone.
public final class HostedModel: Sendable {
    /// The key it was loaded under: SageMaker's opaque `model_name`, or the `TargetModel` path.
    public let name: String
    /// Where it was loaded from (the `url` of `POST /models`).
    public let url: String
    /// Bytes it holds against the memory budget (its artifacts' size on disk).
    public let bytes: Int
    public let endpoint: Endpoint
    public let service: InvocationService
    /// The worker-pool lane group of its variants.
    let laneGroup: String
    /// Its variants' metrics keys (dropped from `/metrics` on unload).
    let metricKeys: [VariantMetricsKey]
    /// The directory an archive was extracted into for it (removed on unload), if any.
    let extractedDirectory: String?
    /// Its data capture, when its endpoint config asks for one (stopped on unload).
    let capture: DataCapture?
    /// Requests holding it. Raised only under the host's table lock (so eviction, which checks it under the
    /// same lock, never takes a model a request has just acquired); lowered from anywhere.
    let inFlight = Atomic<Int>(0)
    /// The host's use counter when it was last acquired (least recently used goes first).
    let lastUsed = Atomic<UInt64>(0)

    init(
        name: String, url: String, bytes: Int, endpoint: Endpoint, service: InvocationService, laneGroup: String,
        metricKeys: [VariantMetricsKey], extractedDirectory: String?, capture: DataCapture? = nil
    ) {
        self.capture = capture
        self.name = name
        self.url = url
        self.bytes = bytes
        self.endpoint = endpoint
        self.service = service
        self.laneGroup = laneGroup
        self.metricKeys = metricKeys
        self.extractedDirectory = extractedDirectory
    }
}

/// A load in progress that any number of requests wait on: one load, every waiter told its outcome.
final class LoadTicket: Sendable {
    typealias Outcome = Result<HostedModel, ModelLoadError>
    /// Many requests wait on one load: a lock ThreadSanitizer can see (see `SanitizerVisibleLock`).
    private let state = SanitizerVisibleLock<(outcome: Outcome?, waiters: [@Sendable (Outcome) -> Void])>((nil, []))

    /// Calls `waiter` with the outcome: now if the load has finished, else when it does (on the loader's queue).
    func wait(_ waiter: @escaping @Sendable (Outcome) -> Void) {
        let done = state.withLock { s -> Outcome? in
            if let outcome = s.outcome { return outcome }
            s.waiters.append(waiter)
            return nil
        }
        if let done { waiter(done) }
    }

    func finish(_ outcome: Outcome) {
        let waiters = state.withLock { s -> [@Sendable (Outcome) -> Void] in
            s.outcome = outcome
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter(outcome) }
    }
}

/// Why a model could not be loaded, with the status the `/models` routes answer.
public enum ModelLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 409: the key is loaded or loading already.
    case alreadyLoaded(String)
    /// 507: it does not fit the memory budget, even after unloading every idle model.
    case insufficientMemory(String)
    /// 400: the artifact is not a model Tandem can serve, or its archive was refused.
    case invalid(String)
    /// 404: no artifact at that path.
    case notFound(String)

    public var status: Int {
        switch self {
        case .alreadyLoaded: 409
        case .insufficientMemory: 507
        case .invalid: 400
        case .notFound: 404
        }
    }

    public var code: String {
        switch self {
        case .alreadyLoaded: "model_already_loaded"
        case .insufficientMemory: "insufficient_memory"
        case .invalid: "invalid_model"
        case .notFound: "model_not_found"
        }
    }

    public var message: String {
        switch self {
        case .alreadyLoaded(let m), .insufficientMemory(let m), .invalid(let m), .notFound(let m): m
        }
    }

    public var description: String { message }
}
