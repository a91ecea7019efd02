import Foundation
import Logging
import TandemHTTP
import TandemServing

/// `GET /dashboard` (the page), `GET /dashboard/series` (the last 15 minutes, per second and variant) and
/// `GET /dashboard/events` (Server-Sent Events, one `tick` a second).
///
/// A sampler on its own utility queue wakes at each wall-clock second: it drains every variant's
/// `SecondWindow` into the `VariantSeries` rings and, when pages are open, renders one tick event (this second's
/// points plus the `/variants` and `/metrics` JSON) and hands the same bytes to every open stream. Event loops
/// only append bytes to sockets; nothing here blocks them or runs per request.
final class Dashboard: Sendable {
    let service: InvocationService
    let series: VariantSeries
    let streams: DashboardStreams
    let metrics: MetricsRegistry
    let logger: Logger
    private let queue = DispatchQueue(label: "tandem.dashboard", qos: .utility)

    /// The guarded rollouts, whose progress each tick carries (as `/variants` does).
    private let rollouts: RolloutController?

    init(
        service: InvocationService, metrics: MetricsRegistry, limits: ServerLimits, logger: Logger,
        rollouts: RolloutController? = nil
    ) {
        self.rollouts = rollouts
        self.service = service
        self.metrics = metrics
        self.logger = logger
        series = VariantSeries(capacity: limits.dashboardHistorySeconds)
        streams = DashboardStreams(limit: limits.maxDashboardStreams)
        scheduleTick()
    }

    // MARK: Routes

    func page(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let name = service.endpoint.state?.config.endpointName ?? "Tandem"
        var response = HTTPResponse(status: 200, body: DashboardPage.html(endpointName: name))
        response.headers.add("Content-Type", "text/html; charset=utf-8")
        response.headers.add("Cache-Control", "no-store")
        // Nothing but this origin: the page works air-gapped, and a browser refuses any other host.
        response.headers.add("Content-Security-Policy", DashboardPage.contentSecurityPolicy)
        response.headers.add("X-Content-Type-Options", "nosniff")
        writer.send(response)
    }

    /// `?since=<unix seconds>`: only newer points.
    func seriesJSON(_ request: HTTPRequest, _ writer: ResponseWriter) {
        var after: Int64?
        if let since = Self.queryValue(request.query, "since") {
            guard let value = Int64(since) else {
                return writer.send(.jsonError(status: 400, code: "bad_query",
                                              message: "since must be whole unix seconds, got '\(since)'", requestID: request.id))
            }
            after = value
        }
        let now = Int64(Date().timeIntervalSince1970)
        var response = HTTPResponse(status: 200, body: DashboardJSON.series(series, state: service.endpoint.state, now: now, after: after))
        response.headers.add("Content-Type", "application/json")
        response.headers.add("Cache-Control", "no-store")
        writer.send(response)
    }

    func events(_ request: HTTPRequest, _ writer: ResponseWriter) {
        guard streams.admit() else {
            metrics.limitHit("max_dashboard_streams")
            logger.notice("limit hit", metadata: [
                "limit": "max_dashboard_streams", "request_id": "\(request.id)", "detail": "\(streams.limit) streams open",
            ])
            var response = HTTPResponse.jsonError(
                status: 503, code: "too_many_streams",
                message: "\(streams.limit) dashboard event streams are open, the most this server holds "
                    + "(TANDEM_MAX_DASHBOARD_STREAMS); close a dashboard or retry later",
                requestID: request.id, extra: [("limit", String(streams.limit))])
            response.headers.add("Retry-After", "5")
            return writer.send(response)
        }
        var head = HTTPResponse(status: 200, body: Array("retry: 2000\n\n".utf8))
        head.headers.add("Content-Type", "text/event-stream")
        head.headers.add("Cache-Control", "no-store")
        head.headers.add("X-Accel-Buffering", "no")
        guard let stream = writer.startStream(head) else {
            streams.release()
            return writer.send(.jsonError(status: 503, code: "stream_unavailable",
                                          message: "this connection cannot hold an event stream (server shutting down)",
                                          requestID: request.id))
        }
        streams.register(stream)
    }

    private static func queryValue(_ query: String?, _ name: String) -> String? {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first == Substring(name) { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }

    // MARK: Sampling

    /// Wakes just after the next wall-clock second; stops once the dashboard is gone.
    private func scheduleTick() {
        let now = Date().timeIntervalSince1970
        let delay = (now.rounded(.down) + 1.005) - now
        queue.asyncAfter(deadline: .now() + delay) { [weak self] in
            guard let self else { return }
            self.sample(second: Int64(Date().timeIntervalSince1970.rounded(.down)))
            self.scheduleTick()
        }
    }

    /// Closes one second: a point per variant into the rings, and one tick to the open pages.
    func sample(second: Int64) {
        guard let state = service.endpoint.state else { return }
        let pool = service.pool
        var points: [(variant: String, point: SeriesPoint)] = []
        points.reserveCapacity(state.allVariants.count)
        for variant in state.allVariants {
            let share = variant.role == .production ? state.routing.share(of: variant.name) : variant.samplingRate
            points.append((variant.name, SeriesPoint(
                second: second, totals: variant.metrics.window.drain(), queueDepth: pool.depth(of: variant.lane).queued,
                inFlight: variant.metrics.counts.inFlight, share: share)))
        }
        series.record(points)
        guard streams.count > 0 else { return }
        let healthy = state.isHealthy && pool.isHealthy
        streams.broadcast(DashboardJSON.tick(
            second: second, points: points,
            variants: StatusReport.json(
                endpoint: service.endpoint, pool: pool, healthy: healthy, rollouts: rollouts?.progress() ?? []),
            metrics: MetricsSummary.json(state: state)))
    }
}
