import Synchronization

/// The dashboard's history: a `SeriesRing` per variant of the endpoint being served, one point per second.
///
/// Memory is bounded by `capacity` x the variants of the current config: a ring is created when a variant first
/// appears and dropped when a config reload removes it.
public final class VariantSeries: Sendable {
    /// Points kept per variant (seconds of history).
    public let capacity: Int
    private let rings = SanitizerVisibleLock<[String: SeriesRing]>([:])

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Appends one point per variant; variants not in `points` lose their history.
    public func record(_ points: [(variant: String, point: SeriesPoint)]) {
        rings.withLock { table in
            let names = Set(points.map(\.variant))
            for name in table.keys where !names.contains(name) { table[name] = nil }
            for (name, point) in points {
                if table[name] == nil { table[name] = SeriesRing(capacity: capacity) }
                table[name]?.append(point)
            }
        }
    }

    /// A variant's points, oldest first (after `second` when given).
    public func points(of variant: String, after second: Int64? = nil) -> [SeriesPoint] {
        rings.withLock { $0[variant]?.points(after: second) ?? [] }
    }

    /// A variant's newest point.
    public func last(of variant: String) -> SeriesPoint? {
        rings.withLock { $0[variant]?.last }
    }

    /// Variants with a history.
    public var variants: [String] { rings.withLock { $0.keys.sorted() } }

    /// The most point storage the current variants can hold.
    public var boundBytes: Int { rings.withLock { $0.count } * SeriesRing.storageBytes(capacity: capacity) }
}
