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
    /// The routes: the SageMaker contract, the Runtime API emulation, admin, experiment and status.
    public let responder: any HTTPResponder
    /// The access log (`TANDEM_ACCESS_LOG`), flushed at shutdown.
    public let accessLog: AccessLog
    /// Each model file's load: size, time, state (logged, on /ping's JSON and /metrics); cancelled by SIGTERM.
    public let loadProgress: LoadProgress
    let loader: EndpointLoader

    public init(settings: ServerSettings, environment: [String: String], loader: ModelLoader, logger: Logger) {
        self.settings = settings
        let nice = settings.workerNice
        pool = WorkerPool(workers: settings.workers) { name in
            CurrentThread.setName(name)
            CurrentThread.setNice(nice)
        }
        metrics = MetricsRegistry()
        endpoint = Endpoint()
        service = InvocationService(
            endpoint: endpoint, pool: pool, negotiation: ContentNegotiation(defaultAccept: settings.defaultAccept),
            sessions: SessionTable(capacity: settings.limits.maxSessions, lifetime: settings.limits.sessionLifetime),
            logger: logger)
        loadProgress = LoadProgress(logger: logger)
        self.loader = EndpointLoader(
            source: settings.modelSource, environment: environment, loader: loadProgress.wrapping(loader),
            builder: EndpointBuilder(
                pool: pool, metrics: metrics,
                settings: EndpointState.Settings(queueBound: settings.queueBound, timeout: settings.timeout)),
            endpoint: endpoint, logger: logger)
        accessLog = AccessLog(
            format: settings.observability.accessLog, capacity: settings.observability.accessLogBuffer,
            dropped: { [metrics] in metrics.limitHit("access_log_buffer") })
        responder = TandemResponder(
            service: service, metrics: metrics, settings: settings,
            admin: AdminAPI(endpoint: endpoint, loader: self.loader), logger: logger, accessLog: accessLog,
            loadProgress: loadProgress)
    }

    /// Starts the worker threads.
    public func start() {
        pool.start()
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
    }
}
