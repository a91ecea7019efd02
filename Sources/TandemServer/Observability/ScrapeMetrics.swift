import Foundation
import Prometheus
import TandemServing

/// The series `/metrics` computes when scraped: per-variant weight, share and state, model load times
/// (from `LoadProgress`), the build info, and the process metrics under Prometheus' standard `process_*`
/// names (read from /proc/self: a few small reads, no blocking I/O).
enum ScrapeMetrics {
    static let states = ["loading", "ready", "degraded", "failed"]

    /// Updates the registry's gauges from the endpoint's state and the model loads.
    static func update(_ registry: PrometheusCollectorRegistry, state: EndpointState?, loads: [LoadProgress.Record]) {
        if let state {
            let endpoint = state.config.endpointName
            for variant in state.allVariants {
                let labels = [("endpoint", endpoint), ("variant", variant.name), ("role", variant.role.rawValue)]
                if variant.role == .production {
                    registry.makeGauge(name: "tandem_variant_weight", labels: labels,
                                       help: "The variant's current weight (DesiredWeight).")
                        .set(to: state.weights[variant.name] ?? 0)
                    registry.makeGauge(name: "tandem_variant_configured_share", labels: labels,
                                       help: "The variant's weight over the sum of the production weights.")
                        .set(to: state.configuredShare(of: variant.name))
                    registry.makeGauge(name: "tandem_variant_share", labels: labels,
                                       help: "The share of weighted draws the variant gets now (0 while it cannot serve).")
                        .set(to: state.routing.share(of: variant.name))
                }
                for name in states {
                    registry.makeGauge(name: "tandem_variant_state", labels: labels + [("state", name)],
                                       help: "1 for the variant's current state (loading, ready, degraded, failed), else 0.")
                        .set(to: variant.state.name == name ? 1 : 0)
                }
            }
        }
        for load in loads {
            let labels = [("path", load.path)]
            registry.makeGauge(name: "tandem_model_load_bytes", labels: labels, help: "Size of the model file loaded or loading.")
                .set(to: Double(load.bytes))
            registry.makeGauge(name: "tandem_model_load_seconds", labels: labels,
                               help: "Time the model took to load (so far, while tandem_model_loading is 1).")
                .set(to: load.seconds ?? (ContinuousClock.now - load.started).seconds)
            registry.makeGauge(name: "tandem_model_loading", labels: labels, help: "1 while the model is loading.")
                .set(to: load.seconds == nil ? 1 : 0)
        }
    }

    /// `tandem_build_info` and the `process_*` series, in the text exposition format.
    static func processExposition(startTime: Double) -> String {
        var out = """
            # HELP tandem_build_info Tandem's version and the Swift compiler that built it (always 1).
            # TYPE tandem_build_info gauge
            tandem_build_info{version="\(TandemVersion.string)",swift="\(swiftVersion)"} 1

            """
        let process = ProcessStats.read()
        func metric(_ name: String, _ type: String, _ help: String, _ value: Double?) {
            guard let value else { return }
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        metric("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", process.cpuSeconds)
        metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", process.residentBytes)
        metric("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", process.virtualBytes)
        metric("process_open_fds", "gauge", "Number of open file descriptors.", process.openFDs)
        metric("process_max_fds", "gauge", "Maximum number of open file descriptors.", process.maxFDs)
        metric("process_threads", "gauge", "Number of OS threads in the process.", process.threads)
        metric("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", startTime)
        return out
    }

    static var swiftVersion: String {
        #if compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #else
        "6"
        #endif
    }
}

/// The process's CPU time, memory, descriptors and threads, from /proc/self (nil fields where /proc is absent).
struct ProcessStats {
    var cpuSeconds: Double?
    var residentBytes: Double?
    var virtualBytes: Double?
    var openFDs: Double?
    var maxFDs: Double?
    var threads: Double?

    static func read() -> ProcessStats {
        var stats = ProcessStats()
        let ticks = 100.0  // USER_HZ: 100 on every Linux architecture Tandem builds for
        let page = 4096.0
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        {
            // Fields after "(comm)": state is field 3; utime 14, stime 15, num_threads 20, vsize 23, rss 24.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            func field(_ number: Int) -> Double? {
                let index = number - 3
                return index < fields.count ? Double(fields[index]) : nil
            }
            if let user = field(14), let system = field(15) { stats.cpuSeconds = (user + system) / ticks }
            stats.threads = field(20)
            stats.virtualBytes = field(23)
            stats.residentBytes = field(24).map { $0 * page }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            stats.openFDs = Double(entries.count)
        }
        if let limits = try? String(contentsOfFile: "/proc/self/limits", encoding: .utf8) {
            for line in limits.split(separator: "\n") where line.hasPrefix("Max open files") {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                if parts.count > 3 { stats.maxFDs = Double(parts[3]) }
            }
        }
        return stats
    }
}

extension PrometheusCollectorRegistry {
    fileprivate func makeGauge(name: String, labels: [(String, String)], help: String) -> Gauge {
        makeGauge(
            descriptor: MetricNameDescriptor(namespace: "", metricName: name, unitName: "", helpText: help), labels: labels)
    }
}
