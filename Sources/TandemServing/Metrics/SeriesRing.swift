/// One second of one variant, as the dashboard charts it (48 bytes).
public struct SeriesPoint: Sendable, Equatable {
    /// Unix time of the second's end, in seconds.
    public var second: Int64
    public var requests: Int32
    public var errors4xx: Int32
    public var errors5xx: Int32
    /// Latency percentiles over the second, microseconds (0: no request ran the model).
    public var modelP50: UInt32
    public var modelP99: UInt32
    public var overheadP50: UInt32
    public var overheadP99: UInt32
    /// Requests queued for a worker, and queued or running, at the end of the second.
    public var queueDepth: Int32
    public var inFlight: Int32
    /// Share of traffic routed to the variant at the end of the second (shadows: their sampling rate).
    public var share: Float

    public init(second: Int64, totals: SecondWindow.Totals = SecondWindow.Totals(), queueDepth: Int = 0, inFlight: Int = 0,
                share: Double = 0) {
        self.second = second
        self.requests = Int32(clamping: totals.requests)
        self.errors4xx = Int32(clamping: totals.errors4xx)
        self.errors5xx = Int32(clamping: totals.errors5xx)
        self.modelP50 = totals.modelP50
        self.modelP99 = totals.modelP99
        self.overheadP50 = totals.overheadP50
        self.overheadP99 = totals.overheadP99
        self.queueDepth = Int32(clamping: queueDepth)
        self.inFlight = Int32(clamping: inFlight)
        self.share = Float(share)
    }
}

/// A fixed-capacity ring of the latest points: storage is allocated once, appends overwrite the oldest point.
public struct SeriesRing: Sendable {
    public let capacity: Int
    private var storage: [SeriesPoint]
    private var start = 0
    public private(set) var count = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage = Array(repeating: SeriesPoint(second: 0), count: self.capacity)
    }

    /// Adds `point`, dropping the oldest one when full.
    public mutating func append(_ point: SeriesPoint) {
        if count < capacity {
            storage[(start + count) % capacity] = point
            count += 1
        } else {
            storage[start] = point
            start = (start + 1) % capacity
        }
    }

    /// The newest point, if any.
    public var last: SeriesPoint? { count > 0 ? storage[(start + count - 1) % capacity] : nil }

    /// Points oldest first, only those after `second` when given.
    public func points(after second: Int64? = nil) -> [SeriesPoint] {
        var out: [SeriesPoint] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let point = storage[(start + i) % capacity]
            if let second, point.second <= second { continue }
            out.append(point)
        }
        return out
    }

    /// Bytes of point storage one ring holds, whatever it has seen.
    public static func storageBytes(capacity: Int) -> Int { max(1, capacity) * MemoryLayout<SeriesPoint>.stride }
}
