import Foundation
import TandemHTTP
import TandemServer
import TandemServing
import TandemTestSupport
import Testing

/// `/dashboard`, `/dashboard/series` and `/dashboard/events`, in-process (the event stream itself, which needs a
/// socket, is tested in TandemHTTPTests and in the browser test).
@Suite("Dashboard routes")
struct DashboardRouteTests {
    static let endpoint = """
        endpoint: dash-7
        production_variants:
          - {name: a, model: fast, version: 1, weight: 1}
          - {name: b, model: broken, version: 1, weight: 1}
        """

    @Test func pageIsSelfContainedAndNamesTheEndpoint() async throws {
        let (server, fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = fixture }
        let page = await server.send(.get, "/dashboard")
        #expect(page.status == 200)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        let csp = try #require(page.headers["Content-Security-Policy"])
        #expect(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"))
        let html = text(page)
        #expect(html.contains("<title>dash-7 · Tandem dashboard</title>"))
        // No other host: no absolute URL is fetched, linked or imported.
        for pattern in ["src=\"http", "href=\"http", "url(http", "@import", "//cdn", "fetch(\"http"] {
            #expect(!html.contains(pattern), "\(pattern)")
        }
    }

    /// The page's actions call routes the server has (it once posted to a `/admin/rollout` that never existed),
    /// and it reads the members the server emits: `sequential` in `/experiment`, `rollouts` and the sequential
    /// sample-ratio fields in `/variants`.
    @Test func pageCallsRealRoutesAndReadsRealFields() async throws {
        let (server, fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = fixture }
        let html = text(await server.send(.get, "/dashboard"))
        let paths = Set(html.matches(of: /"(\/admin\/[a-z_\/]+)"/).map { String($0.output.1) })
        #expect(paths == ["/admin/weights", "/admin/reload", "/admin/rollouts"])
        for path in paths {
            #expect(await server.send(.get, path).status != 404, "\(path)")
        }
        for member in ["sequential_settings", ".sequential", "absolute", "relative", "rollouts", "sequential_p_value",
                       "sequential_mismatch", "step_started_at", "history", "shares", "burn_in"] {
            #expect(html.contains(member), "\(member)")
        }
        #expect(!html.contains("always_valid_ci") && !html.contains("\"pause\""))
    }

    @Test func seriesFillsOncePerSecondPerVariant() async throws {
        let (server, fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = fixture }
        let empty = jsonObject(await server.send(.get, "/dashboard/series"))
        #expect(empty["capacity_s"] as? Int == 900)
        #expect(empty["bound_bytes"] as? Int ?? -1 <= 2 * 900 * 48)
        #expect((empty["fields"] as? [String])?.first == "t_s")
        #expect((empty["variants"] as? [[String: Any]])?.map { $0["name"] as? String } == ["a", "b"])

        for _ in 0..<20 {
            _ = await server.send(.post, "/invocations", headers: ["Content-Type": "text/csv", "X-Amzn-SageMaker-Target-Variant": "a"], body: csvRows(1))
        }
        for _ in 0..<5 {
            _ = await server.send(.post, "/invocations", headers: ["Content-Type": "text/csv", "X-Amzn-SageMaker-Target-Variant": "b"], body: csvRows(1))
        }
        // The sampler closes each wall-clock second: wait (bounded) until the requests appear in the series.
        var totals: [String: (requests: Int, errors5xx: Int)] = [:]
        var newest: Int64 = 0
        let deadline = ContinuousClock.now + .seconds(10)
        var done = false
        while !done && ContinuousClock.now < deadline {
            let series = jsonObject(await server.send(.get, "/dashboard/series"))
            totals = [:]
            for variant in series["variants"] as? [[String: Any]] ?? [] {
                let points = variant["points"] as? [[NSNumber]] ?? []
                totals[variant["name"] as? String ?? ""] = (
                    points.reduce(0) { $0 + $1[1].intValue }, points.reduce(0) { $0 + $1[3].intValue })
                newest = max(newest, points.last?[0].int64Value ?? 0)
            }
            done = totals["a"]?.requests == 20 && totals["b"]?.requests == 5
            if !done { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(done, "\(totals)")
        #expect(totals["a"]?.errors5xx == 0)
        #expect(totals["b"]?.errors5xx == 5)
        let now = Int64(Date().timeIntervalSince1970)
        #expect(abs(newest - now) <= 2)
        // `since` returns only newer points.
        let later = jsonObject(await server.send(.get, "/dashboard/series?since=\(newest)"))
        for variant in later["variants"] as? [[String: Any]] ?? [] {
            for point in variant["points"] as? [[NSNumber]] ?? [] { #expect(point[0].int64Value > newest) }
        }
    }

    @Test func badSinceIs400() async throws {
        let (server, fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = fixture }
        let response = await server.send(.get, "/dashboard/series?since=yesterday")
        #expect(response.status == 400)
        #expect(jsonObject(response)["code"] as? String == "bad_query")
    }

    @Test func streamsBeyondTheLimitAre503AndCounted() async throws {
        let (server, fixture) = try syntheticServer(Self.endpoint, environment: ["TANDEM_MAX_DASHBOARD_STREAMS": "0"])
        defer { server.shutdown(); _ = fixture }
        let response = await server.send(.get, "/dashboard/events")
        #expect(response.status == 503)
        let body = jsonObject(response)
        #expect(body["code"] as? String == "too_many_streams")
        #expect(body["limit"] as? Int == 0)
        #expect(response.headers["Retry-After"] == "5")
        let metrics = text(await server.send(.get, "/metrics"))
        #expect(metrics.contains("tandem_limit_hits_total{limit=\"max_dashboard_streams\"} 1"))
    }

    @Test func theLimitsAreConfigurable() throws {
        var limits = ServerLimits()
        try limits.apply(environment: ["TANDEM_MAX_DASHBOARD_STREAMS": "3", "TANDEM_DASHBOARD_HISTORY_S": "60"])
        #expect(limits.maxDashboardStreams == 3)
        #expect(limits.dashboardHistorySeconds == 60)
        #expect(throws: ConfigError.self) { try limits.apply(environment: ["TANDEM_MAX_DASHBOARD_STREAMS": "-1"]) }
    }
}
