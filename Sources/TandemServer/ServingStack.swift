import Logging
import TandemHTTP
import TandemIO
import TandemServing

/// Everything behind the sockets, wired together: the worker pool, the endpoint and its loader, the
/// metrics, the protocol-neutral invocation core and the responder that holds the front doors.
///
/// `TandemApp` puts an `HTTPServer` in front of it; tests drive `responder` in-process, without sockets
/// (`TandemTestSupport`). Nothing starts until `start()`; models load with `load()`.
public final class ServingStack: Sendable {
    public let settings: ServerSettings
    public let pool: WorkerPool
    public let metrics: MetricsRegistry
    public let endpoint: Endpoint
    public let service: InvocationService
    /// Data capture: samples settled invocations and writes them in SageMaker's capture format.
    public let capture: DataCapture
    /// The routes: the SageMaker contract, the Runtime API emulation, admin, experiment and status.
    public let responder: any HTTPResponder
    /// The access log (`TANDEM_ACCESS_LOG`), flushed at shutdown.
    public let accessLog: AccessLog
    /// Each model file's load: size, time, state (logged, on /ping's JSON and /metrics); cancelled by SIGTERM.
    public let loadProgress: LoadProgress
    let loader: EndpointLoader
    /// Guarded rollouts (the config's `rollouts:` and `/admin/rollouts`).
    public let rollouts: RolloutController
    /// Thompson sampling weights (`experiment.bandit`).
    public let bandit: BanditController
    /// The models hosted by key (multi-model endpoint, `TargetModel`); nil unless `settings.multiModel` asks for it.
    public let models: ModelHost?

    public init(settings: ServerSettings, environment: [String: String], loader: ModelLoader, logger: Logger) {
        self.settings = settings
        let nice = settings.workerNice
        pool = WorkerPool(workers: settings.workers) { name in
            CurrentThread.setName(name)
            CurrentThread.setNice(nice)
        }
        metrics = MetricsRegistry()
        endpoint = Endpoint()
        let capture = DataCapture(metrics: metrics, logger: logger)
        self.capture = capture
        service = InvocationService(
            endpoint: endpoint, pool: pool, negotiation: ContentNegotiation(defaultAccept: settings.defaultAccept),
            experiments: ExperimentBook(logger: logger, bufferCapacity: settings.limits.ledgerBuffer),
            sessions: SessionTable(capacity: settings.limits.maxSessions, lifetime: settings.limits.sessionLifetime),
            sink: capture, logger: logger)
        loadProgress = LoadProgress(logger: logger)
        self.loader = EndpointLoader(
            source: settings.modelSource, environment: environment, loader: loadProgress.wrapping(loader),
            builder: EndpointBuilder(
                pool: pool, metrics: metrics,
                settings: EndpointState.Settings(queueBound: settings.queueBound, timeout: settings.timeout)),
            endpoint: endpoint, logger: logger, installed: { _ = capture.configure($0.config) })
        rollouts = RolloutController(endpoint: endpoint, book: service.experiments, metrics: metrics, logger: logger)
        bandit = BanditController(endpoint: endpoint, book: service.experiments, logger: logger)
        models = settings.multiModel.hostsModels
            ? ModelHost(
                settings: settings.multiModel, environment: environment, loader: loader,
                builder: EndpointBuilder(
                    pool: pool, metrics: metrics,
                    settings: EndpointState.Settings(queueBound: settings.queueBound, timeout: settings.timeout)),
                negotiation: service.negotiation, logger: logger)
            : nil
        accessLog = AccessLog(
            format: settings.observability.accessLog, capacity: settings.observability.accessLogBuffer,
            dropped: { [metrics] in metrics.limitHit("access_log_buffer") })
        responder = TandemResponder(
            service: service, metrics: metrics, settings: settings,
            admin: AdminAPI(endpoint: endpoint, loader: self.loader, rollouts: rollouts), logger: logger,
            models: models.map(MultiModelAPI.init(host:)), accessLog: accessLog, loadProgress: loadProgress)
    }

    /// Starts the worker threads.
    public func start() {
        pool.start()
        rollouts.start()
        bandit.start()
    }

    /// Loads the endpoint config and its models (blocking; call off the event loops). With `strict`, a
    /// model that fails to load fails the whole load instead of only its variant.
    public func load(strict: Bool = false) -> Result<EndpointState, ConfigError> {
        loader.load(strict: strict)
    }

    /// Reloads the config on the loader's queue, as SIGHUP does; `completion` gets the outcome.
    public func reload(_ completion: @escaping @Sendable (Result<EndpointState, ConfigError>) -> Void) {
        loader.reloadAsync(completion)
    }

    /// Marks the endpoint as failed to start (no config could be served).
    public func failStartup(_ reason: String) {
        endpoint.failStartup(reason)
    }

    /// Stops the workers once queued jobs finish or `deadline` passes.
    public func shutdown(deadline: ContinuousClock.Instant) {
        pool.shutdown(deadline: deadline)
        rollouts.stop()
        bandit.stop()
        service.experiments.shutdown()
        capture.stop(deadline: max(deadline, .now + .seconds(1)))
    }
}
