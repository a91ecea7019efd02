import Foundation
import Logging
import TandemHTTP
import TandemServing

/// Dispatches every HTTP request to its route. Runs on the event loops: `/ping`, `/metrics`,
/// `/variants` and `/execution-parameters` are answered right here from in-memory state; `/invocations`
/// and the Runtime API's `/endpoints/{name}/invocations` are handed to the worker pool; admin reloads run on a
/// background queue, and so do `/outcomes` and `/admin/weights` bodies heavier than `limits.inlineBodyBytes`
/// (a JSON parse of megabytes must not hold up the loop's other connections).
final class TandemResponder: HTTPResponder {
    let service: InvocationService
    let metrics: MetricsRegistry
    let settings: ServerSettings
    let admin: AdminAPI
    let experiment: ExperimentAPI
    let dashboard: Dashboard
    /// The Open Inference Protocol's routes (`/v2...`).
    let oip: OIPAPI
    let logger: Logger
    /// One line per settled invocation (off unless `TANDEM_ACCESS_LOG` says text or json).
    let accessLog: AccessLog
    /// Model loads, for /ping's JSON and /metrics.
    let loadProgress: LoadProgress
    /// When this server started, for `process_start_time_seconds`.
    private let startTime = Date().timeIntervalSince1970
    /// Decodes heavy admin and outcome bodies. Serial: a flood of them takes one core at most, never a loop.
    private let bodyQueue = DispatchQueue(label: "tandem.body-decode", qos: .utility)

    /// The multi-model routes and `TargetModel` (nil when the server hosts no models by key).
    let models: MultiModelAPI?

    init(
        service: InvocationService, metrics: MetricsRegistry, settings: ServerSettings, admin: AdminAPI, logger: Logger,
        models: MultiModelAPI? = nil, accessLog: AccessLog = AccessLog(format: .off), loadProgress: LoadProgress? = nil
    ) {
        self.models = models
        self.accessLog = accessLog
        self.loadProgress = loadProgress ?? LoadProgress(logger: logger)
        self.experiment = ExperimentAPI(endpoint: service.endpoint, book: service.experiments, admin: admin, metrics: metrics,
                                        maxOutcomes: settings.limits.maxOutcomesPerRequest, logger: logger)
        self.dashboard = Dashboard(
            service: service, metrics: metrics, limits: settings.limits, logger: logger, rollouts: admin.rollouts)
        self.oip = OIPAPI(
            service: service, admin: admin, logger: logger, maxInflatedBytes: settings.maxBodyBytes, metrics: metrics)
        self.service = service
        self.metrics = metrics
        self.settings = settings
        self.admin = admin
        self.logger = logger
    }

    func respond(to request: HTTPRequest, writer: ResponseWriter) {
        if request.path.hasPrefix(RuntimeAPI.pathPrefix) {
            runtimeAPI(request, writer)
            return
        }
        if let models, settings.multiModel.enabled, MultiModelAPI.handles(request.path) {
            models.respond(to: request, writer: writer)
            return
        }
        if OIPPath.matches(request.path) {
            oip.respond(to: request, writer: writer)
            return
        }
        guard let route = Route(rawValue: request.path) else {
            writer.send(
                .jsonError(
                    status: 404, code: "not_found",
                    message: "no route \(request.path); routes: " + Route.allCases.map(\.rawValue).joined(separator: ", "),
                    requestID: request.id))
            return
        }
        guard route.methods.contains(request.method) else {
            var response = HTTPResponse.jsonError(
                status: 405, code: "method_not_allowed",
                message: "\(request.method.rawValue) is not allowed on \(route.rawValue); allowed: \(route.allowHeader)",
                requestID: request.id)
            response.headers.set("Allow", route.allowHeader)
            writer.send(response)
            return
        }
        switch route {
        case .ping: ping(request, writer)
        case .invocations: invoke(request, writer)
        case .executionParameters: writer.send(executionParameters())
        case .metrics: writer.send(metricsResponse(request))
        case .variants:
            writer.send(json(200, StatusReport.json(
                endpoint: service.endpoint, pool: service.pool, healthy: isHealthy, rollouts: admin.rollouts?.progress() ?? [],
                loads: loadProgress.json())))
        case .adminRollouts: admin.rolloutsRoute(request, writer)
        case .adminWeights: offLoopIfHeavy(request) { [admin] in admin.weights(request, writer) }
        case .adminReload: admin.reload(request, writer)
        case .outcomes: offLoopIfHeavy(request) { [experiment] in experiment.outcomes(request, writer) }
        case .experiment: experiment.report(request, writer)
        case .dashboard: dashboard.page(request, writer)
        case .dashboardSeries: dashboard.seriesJSON(request, writer)
        case .dashboardEvents: dashboard.events(request, writer)
        }
    }

    /// Runs `handle` here for small bodies, else on `bodyQueue` (its `writer.send` hops back to the loop).
    private func offLoopIfHeavy(_ request: HTTPRequest, _ handle: @escaping @Sendable () -> Void) {
        if request.body.count <= settings.limits.inlineBodyBytes {
            handle()
        } else {
            bodyQueue.async(execute: handle)
        }
    }

    private var isHealthy: Bool {
        // A multi-model endpoint starts with no model: it is healthy when its workers are.
        if settings.multiModel.enabled { return service.pool.isHealthy }
        guard let state = service.endpoint.state else { return false }
        return state.isHealthy && service.pool.isHealthy
    }

    /// 200 with an empty body when the health policy holds, else 503; the per-variant breakdown as JSON
    /// when the client accepts JSON.
    private func ping(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let healthy = isHealthy
        let status = healthy ? 200 : 503
        if let accept = request.headers["Accept"], accept.contains("application/json") {
            writer.send(json(status, StatusReport.json(endpoint: service.endpoint, pool: service.pool, healthy: healthy, loads: loadProgress.json())))
        } else {
            writer.send(HTTPResponse(status: status))
        }
    }

    private func invoke(_ request: HTTPRequest, _ writer: ResponseWriter) {
        startInvocation(request, writer, render: SageMakerInvocations.response)
    }

    /// Hands `request` to the invocation core; its result is counted against the limits and written by
    /// `render` (the door's mapping, given the caller's custom attributes), from any thread.
    private func startInvocation(
        _ request: HTTPRequest, _ writer: ResponseWriter,
        render: @escaping @Sendable (InvocationResult, String?) -> HTTPResponse
    ) {
        if ExperimentAPI.carriesOutcomes(request) {
            return offLoopIfHeavy(request) { [experiment] in experiment.outcomes(request, writer, viaInvocation: true) }
        }
        let caller = request.headers["X-Amzn-SageMaker-Custom-Attributes"]
        service.invoke(
            SageMakerInvocations.request(request), scheduler: LoopDeadlineScheduler(loop: writer.eventLoop),
            isCancelled: { [writer] in !writer.isConnectionOpen },
            respond: { [writer, metrics, accessLog] result in
                Self.countLimits(result, metrics)
                let response = render(result, caller)
                accessLog.record(AccessLogEntry(request, response, result))
                writer.send(response)
            })
    }

    /// `POST /endpoints/{name}/invocations`: InvokeEndpoint as the SageMaker Runtime API presents it.
    private func runtimeAPI(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let endpointName: String
        switch RuntimeAPI.operation(path: request.path) {
        case .unknown:
            writer.send(RuntimeAPI.error(
                404, "UnknownOperationException",
                "no SageMaker Runtime operation at \(request.path); Tandem emulates InvokeEndpoint at "
                    + "POST /endpoints/{EndpointName}/invocations", requestID: request.id))
            return
        case .notEmulated(_, let operation):
            writer.send(RuntimeAPI.error(
                501, "NotImplemented",
                "\(operation) is not emulated by Tandem; use InvokeEndpoint (POST /endpoints/{EndpointName}/invocations)",
                requestID: request.id))
            return
        case .invoke(let endpoint):
            endpointName = endpoint
        }
        guard request.method == .post else {
            var response = RuntimeAPI.error(
                405, "MethodNotAllowed", "\(request.method.rawValue) is not allowed on \(request.path); allowed: POST",
                requestID: request.id)
            response.headers.set("Allow", "POST")
            writer.send(response)
            return
        }
        if let target = request.headers["X-Amzn-SageMaker-Target-Model"], let models,
            let root = settings.multiModel.modelRoot
        {
            if let rejection = RuntimeAPI.rejectEndpoint(endpointName, hosted: .anyName, requestID: request.id) {
                writer.send(rejection)
                return
            }
            models.invokeTarget(target, root: root, request, writer)
            return
        }
        if let rejection = RuntimeAPI.rejectEndpoint(
            endpointName, hosted: RuntimeAPI.hosted(by: service.endpoint), requestID: request.id)
        {
            writer.send(rejection)
            return
        }
        if let refusal = RuntimeAPI.rejectParameters(request.headers, requestID: request.id) {
            writer.send(refusal)
            return
        }
        // Only what SageMaker's front end forwards reaches the core, so what passes here passes in production.
        startInvocation(RuntimeAPI.forwarded(request), writer, render: RuntimeAPI.response)
    }

    /// Counts the core's refusals that are limits being hit.
    private static func countLimits(_ result: InvocationResult, _ metrics: MetricsRegistry) {
        if case .sessionLimit = result.failure { metrics.limitHit("max_sessions") }
    }

    /// Batch-transform parameters. MaxConcurrentTransforms x MaxPayloadInMB stays within SageMaker's 100.
    private func executionParameters() -> HTTPResponse {
        let concurrency = settings.maxConcurrentTransforms
        let payload = max(1, min(settings.maxBodyBytes >> 20, 100 / max(concurrency, 1)))
        let body = "{\"MaxConcurrentTransforms\":\(concurrency),\"BatchStrategy\":\"\(settings.batchStrategy)\",\"MaxPayloadInMB\":\(payload)}"
        return json(200, Array(body.utf8))
    }

    private func metricsResponse(_ request: HTTPRequest) -> HTTPResponse {
        let state = service.endpoint.state
        for variant in state?.allVariants ?? [] {
            variant.metrics.updateQueueDepth(service.pool.depth(of: variant.lane).queued)
        }
        if let state { metrics.updateTrafficSplit(endpoint: state.config.endpointName, state.split.report()) }
        if let state, let ledger = service.experiments.openDurable {
            metrics.updateLedger(endpoint: state.config.endpointName, kind: ledger.kind, ledger.counters())
        }
        let wantsJSON = request.query?.contains("format=json") == true
            || (request.headers["Accept"]?.contains("application/json") ?? false)
        if wantsJSON {
            return json(200, MetricsSummary.json(state: state))
        }
        ScrapeMetrics.update(metrics.prometheus, state: state, loads: loadProgress.snapshot)
        var response = HTTPResponse(
            status: 200, body: metrics.exposition() + Array(ScrapeMetrics.processExposition(startTime: startTime).utf8))
        response.headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        return response
    }

    private func json(_ status: Int, _ body: [UInt8]) -> HTTPResponse {
        var response = HTTPResponse(status: status, body: body)
        response.headers.add("Content-Type", "application/json")
        return response
    }
}
