import TandemJSON
import TandemServing

/// The dashboard's JSON: `GET /dashboard/series` (the ring buffers) and the payload of each pushed tick.
enum DashboardJSON {
    /// The members of every point array, in order (units in the names).
    static let fields = [
        "t_s", "requests", "errors_4xx", "errors_5xx", "model_p50_us", "model_p99_us", "overhead_p50_us",
        "overhead_p99_us", "queue_depth", "in_flight", "share",
    ]

    /// `{"endpoint", "interval_s", "capacity_s", "bound_bytes", "now_s", "fields", "variants": [{name, role, points}]}`.
    static func series(_ series: VariantSeries, state: EndpointState?, now: Int64, after: Int64?) -> [UInt8] {
        var w = JSONWriter(capacity: 4096)
        w.beginObject()
        w.member("endpoint", string: state?.config.endpointName ?? "")
        w.member("interval_s", int: 1)
        w.member("capacity_s", int: series.capacity)
        w.member("bound_bytes", int: series.boundBytes)
        w.key("now_s")
        w.number(now)
        w.member("fields", strings: fields)
        w.key("variants")
        w.beginArray()
        for variant in state?.allVariants ?? [] {
            w.beginObject()
            w.member("name", string: variant.name)
            w.member("role", string: variant.role.rawValue)
            w.key("points")
            w.beginArray()
            for point in series.points(of: variant.name, after: after) { write(point, &w) }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }

    /// One Server-Sent Event: `event: tick` with this second's points and the `/variants` and `/metrics` JSON of
    /// the same moment, so a page shows one consistent picture.
    static func tick(second: Int64, points: [(variant: String, point: SeriesPoint)], variants: [UInt8],
                     metrics: [UInt8]) -> [UInt8] {
        var w = JSONWriter(capacity: 4096)
        w.beginObject()
        w.key("t_s")
        w.number(second)
        w.key("points")
        w.beginObject()
        for (name, point) in points {
            w.key(name)
            write(point, &w)
        }
        w.endObject()
        w.key("variants")
        w.fragment(variants)
        w.key("metrics")
        w.fragment(metrics)
        w.endObject()
        // JSONWriter escapes control characters, so the payload is one line: one `data:` field.
        var event = Array("event: tick\ndata: ".utf8)
        event.append(contentsOf: w.bytes)
        event.append(contentsOf: [0x0A, 0x0A])
        return event
    }

    private static func write(_ p: SeriesPoint, _ w: inout JSONWriter) {
        w.beginArray()
        w.number(p.second)
        w.number(Int(p.requests))
        w.number(Int(p.errors4xx))
        w.number(Int(p.errors5xx))
        w.number(Int(p.modelP50))
        w.number(Int(p.modelP99))
        w.number(Int(p.overheadP50))
        w.number(Int(p.overheadP99))
        w.number(Int(p.queueDepth))
        w.number(Int(p.inFlight))
        w.number((Double(p.share) * 1e6).rounded() / 1e6)
        w.endArray()
    }
}
