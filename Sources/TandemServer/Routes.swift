import TandemHTTP

/// The routes Tandem answers, and the methods each allows (for 405 with `Allow`).
enum Route: String, CaseIterable {
    case ping = "/ping"
    case invocations = "/invocations"
    case executionParameters = "/execution-parameters"
    case metrics = "/metrics"
    case adminWeights = "/admin/weights"
    case adminReload = "/admin/reload"
    case variants = "/variants"
    case outcomes = "/outcomes"
    case experiment = "/experiment"
    case adminRollouts = "/admin/rollouts"
    case dashboard = "/dashboard"
    case dashboardSeries = "/dashboard/series"
    case dashboardEvents = "/dashboard/events"

    var methods: [HTTPMethod] {
        switch self {
        case .ping, .executionParameters, .metrics, .variants: [.get, .head]
        case .experiment: [.get, .head, .delete]
        case .dashboard, .dashboardSeries, .dashboardEvents: [.get, .head]
        case .invocations, .adminReload, .outcomes: [.post]
        case .adminWeights, .adminRollouts: [.get, .post]
        }
    }

    var allowHeader: String { methods.map(\.rawValue).joined(separator: ", ") }
}
