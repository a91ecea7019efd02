import Dispatch
import Foundation
import Synchronization
import TandemHTTP
import TandemJSON
import TandemServing

/// One settled invocation, as the access log records it.
public struct AccessLogEntry: Sendable, Equatable {
    /// Wall-clock time the answer was sent, seconds since 1970.
    public var time: Double
    public var requestID: String
    /// `/invocations` or `/endpoints/{name}/invocations`.
    public var path: String
    public var status: Int
    public var bytesIn: Int
    public var bytesOut: Int
    /// The variant, model, version and routing reason; nil when the request was refused before routing.
    public var route: ServedRoute?
    /// From the request's last byte to its answer.
    public var total: Duration
    /// Time queued for a worker, and time on the worker (decode, run, encode); nil when it did not get there.
    public var queue: Duration?
    public var model: Duration?
    /// The error code when the status is not 2xx.
    public var error: String?

    /// The entry as one line (without the newline).
    func line(_ format: AccessLogFormat) -> String {
        func ms(_ d: Duration?) -> Double? {
            d.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }
        }
        switch format {
        case .off, .json:
            var w = JSONWriter(capacity: 256)
            w.beginObject()
            w.key("time"); w.string(ISOTime.format(time))
            w.key("request_id"); w.string(requestID)
            w.key("path"); w.string(path)
            w.key("status"); w.number(Int64(status))
            w.key("variant"); if let route { w.string(route.variant) } else { w.null() }
            w.key("model"); if let route { w.string(route.model.name) } else { w.null() }
            w.key("version"); if let route { w.number(route.model.version) } else { w.null() }
            w.key("routing"); if let route { w.string(route.rule.rawValue) } else { w.null() }
            w.key("bytes_in"); w.number(Int64(bytesIn))
            w.key("bytes_out"); w.number(Int64(bytesOut))
            for (name, value) in [("total_ms", ms(total)), ("queue_ms", ms(queue)), ("model_ms", ms(model))] {
                w.key(name)
                if let value { w.number((value * 1000).rounded() / 1000) } else { w.null() }
            }
            w.key("error"); if let error { w.string(error) } else { w.null() }
            w.endObject()
            return String(decoding: w.bytes, as: UTF8.self)
        case .text:
            func field(_ value: Double?) -> String { value.map { String(($0 * 1000).rounded() / 1000) } ?? "-" }
            return "\(ISOTime.format(time)) \(requestID) \(path) \(status) variant=\(route?.variant ?? "-") "
                + "model=\(route?.model.name ?? "-") version=\(route.map { String($0.model.version) } ?? "-") routing=\(route?.rule.rawValue ?? "-") "
                + "in=\(bytesIn) out=\(bytesOut) total_ms=\(field(ms(total))) queue_ms=\(field(ms(queue))) "
                + "model_ms=\(field(ms(model))) error=\(error ?? "-")"
        }
    }
}

/// Writes one line per settled invocation, off the event loops: `record` only appends to a bounded buffer
/// (a loop never formats or writes); a serial queue renders and writes the buffered lines in one batch at most
/// every `interval`. When the writer falls `capacity` entries behind, new entries are dropped and counted
/// (`tandem_limit_hits_total{limit="access_log_buffer"}`), so a slow stdout never grows memory without bound.
public final class AccessLog: Sendable {
    public let format: AccessLogFormat
    private let capacity: Int
    private let interval: DispatchTimeInterval
    private let write: @Sendable ([UInt8]) -> Void
    private let dropped: @Sendable () -> Void
    private let queue = DispatchQueue(label: "tandem.access-log", qos: .utility)
    private let pending = SanitizerVisibleLock<(entries: [AccessLogEntry], scheduled: Bool)>(([], false))

    /// `write` gets each batch of lines (stdout by default); `dropped` counts an entry the buffer had no room for.
    public init(
        format: AccessLogFormat, capacity: Int = 10_000, interval: DispatchTimeInterval = .milliseconds(100),
        dropped: @escaping @Sendable () -> Void = {},
        write: @escaping @Sendable ([UInt8]) -> Void = { FileHandle.standardOutput.write(Data($0)) }
    ) {
        self.format = format
        self.capacity = max(1, capacity)
        self.interval = interval
        self.write = write
        self.dropped = dropped
    }

    /// Buffers `entry` (cheap: called on the event loops).
    public func record(_ entry: AccessLogEntry) {
        guard format != .off else { return }
        let (kept, schedule) = pending.withLock { p -> (Bool, Bool) in
            guard p.entries.count < capacity else { return (false, false) }
            p.entries.append(entry)
            let schedule = !p.scheduled
            p.scheduled = true
            return (true, schedule)
        }
        if !kept { dropped() }
        if schedule { queue.asyncAfter(deadline: .now() + interval) { [self] in drain() } }
    }

    /// Writes everything buffered now and waits for it (at shutdown).
    public func flush() {
        queue.sync { drain() }
    }

    private func drain() {
        let entries = pending.withLock { p -> [AccessLogEntry] in
            p.scheduled = false
            defer { p.entries.removeAll(keepingCapacity: true) }
            return p.entries
        }
        guard !entries.isEmpty else { return }
        var out: [UInt8] = []
        out.reserveCapacity(entries.count * 240)
        for entry in entries {
            out += entry.line(format).utf8
            out.append(0x0A)
        }
        write(out)
    }
}

/// RFC 3339 UTC timestamps with milliseconds (`2026-12-07T16:35:24.123Z`), without Foundation's formatters.
enum ISOTime {
    static func format(_ seconds: Double) -> String {
        let millis = Int64((seconds * 1000).rounded(.down))
        let (days, msOfDay) = millis.quotientAndRemainder(dividingBy: 86_400_000)
        let (y, m, d) = civil(fromDays: Int(days))
        let s = Int(msOfDay / 1000)
        func pad(_ v: Int, _ width: Int = 2) -> String {
            let text = String(v)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(y, 4))-\(pad(m))-\(pad(d))T\(pad(s / 3600)):\(pad(s / 60 % 60)):\(pad(s % 60)).\(pad(Int(msOfDay % 1000), 3))Z"
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension AccessLogEntry {
    /// The entry for `request`, answered with `response` from the core's `result`.
    init(_ request: HTTPRequest, _ response: HTTPResponse, _ result: InvocationResult) {
        let error: String?
        if let failure = result.failure { error = failure.code } else { error = nil }
        self.init(
            time: Date().timeIntervalSince1970, requestID: request.id, path: request.path, status: response.status,
            bytesIn: request.body.count, bytesOut: response.body.count, route: result.route,
            total: ContinuousClock.now - request.receivedAt, queue: result.queueTime, model: result.modelTime, error: error)
    }
}
