import Foundation
import Logging
import Synchronization
import TandemHTTP
import TandemJSON
import TandemServing

/// A/B analysis inside the server: `POST /outcomes` joins delayed outcomes (a conversion, revenue...) to the
/// variant that served each request, and `GET /experiment` compares every production variant's mean outcome
/// with control's (Welch's t-test: difference, 95% interval, p-value). On when the endpoint config has
/// `experiment: {outcomes: true}`; when an admin token is configured, posting outcomes requires it.
final class ExperimentAPI: Sendable {
    let endpoint: Endpoint
    let admin: AdminAPI
    let metrics: MetricsRegistry
    /// Entries one `POST /outcomes` may carry (`TANDEM_MAX_OUTCOMES_PER_REQUEST`).
    let maxOutcomes: Int
    let logger: Logger
    /// The ledger the invocation core notes assignments in.
    let book: ExperimentBook

    init(endpoint: Endpoint, book: ExperimentBook, admin: AdminAPI, metrics: MetricsRegistry, maxOutcomes: Int = 10_000,
         logger: Logger = Logger(label: "tandem.experiment")) {
        self.endpoint = endpoint
        self.book = book
        self.admin = admin
        self.metrics = metrics
        self.maxOutcomes = maxOutcomes
        self.logger = logger
    }

    private func ledger(_ config: ExperimentConfig) -> OutcomeLedger {
        book.ledger(config)
    }

    /// The content type that makes an InvokeEndpoint call (or `/invocations`) carry outcomes instead of
    /// features: SageMaker forwards only `/invocations` and `/ping`, so this is how outcomes reach an endpoint.
    static let outcomesContentType = "application/vnd.tandem.outcomes+json"

    /// Whether `request` is an outcome post arriving through an invocation door.
    static func carriesOutcomes(_ request: HTTPRequest) -> Bool {
        request.headers["Content-Type"]?.lowercased().hasPrefix(outcomesContentType) ?? false
    }

    /// `POST /outcomes` with `{"request_id": "...", "value": 1}` or `{"outcomes": [{...}, ...]}`; also an
    /// invocation with `Content-Type: application/vnd.tandem.outcomes+json` (`viaInvocation`: no admin token
    /// is asked for, since SageMaker forwards no Authorization header and the caller passed its IAM check).
    func outcomes(_ request: HTTPRequest, _ writer: ResponseWriter, viaInvocation: Bool = false) {
        guard let state = endpoint.state, let config = state.config.experiment else {
            return writer.send(disabled(request))
        }
        if !viaInvocation, state.config.adminToken != nil, let denied = admin.authorize(request) { return writer.send(denied) }
        let entries: [(id: String, value: Double)]
        switch Self.parse(request.body, metric: config.metric) {
        case .success(let parsed) where parsed.count > maxOutcomes:
            metrics.limitHit("max_outcomes_per_request")
            logger.notice("limit hit", metadata: [
                "limit": "max_outcomes_per_request", "request_id": "\(request.id)", "detail": "\(parsed.count) outcomes",
            ])
            return writer.send(.jsonError(
                status: 400, code: "bad_outcomes",
                message: "\(parsed.count) outcomes in one request; at most \(maxOutcomes) are taken (send them in batches)",
                requestID: request.id, extra: [("limit", String(maxOutcomes))]))
        case .success(let parsed): entries = parsed
        case .failure(let error):
            return writer.send(.jsonError(status: 400, code: "bad_outcomes", message: error.message, requestID: request.id))
        }
        let ledger = ledger(config)
        var local: [String: String] = [:]
        for entry in entries { if let variant = ledger.variant(of: entry.id) { local[entry.id] = variant } }
        guard let durable = book.durable(config, endpoint: state.config.endpointName) else {
            return writer.send(recordLocally(entries, ledger))
        }
        let id = request.id
        durable.outcomes(entries, source: viaInvocation ? "invocation" : "http", knownLocally: local) { [self] result in
            switch result {
            case .success(let verdicts):
                // The database is the record; the in-memory ledger keeps the fallback statistics.
                _ = entries.map { ledger.record($0.id, value: $0.value) }
                var accepted = 0
                var unknown: [String] = [], duplicate: [String] = []
                for (entry, verdict) in zip(entries, verdicts) {
                    switch verdict {
                    case .accepted(let variant):
                        accepted += 1
                        count(entry.value, variant: variant)
                    case .unknownRequest: unknown.append(entry.id)
                    case .duplicate: duplicate.append(entry.id)
                    }
                }
                writer.send(Self.verdictBody(accepted: accepted, unknown: unknown, duplicate: duplicate))
            case .failure(let error):
                logger.warning("ledger unavailable for outcomes: answered from memory, outcomes queued for retry", metadata: [
                    "request_id": "\(id)", "error": "\(error.message)",
                ])
                writer.send(recordLocally(entries, ledger))
            }
        }
    }

    /// Records outcomes in the in-memory ledger and answers with its verdicts.
    private func recordLocally(_ entries: [(id: String, value: Double)], _ ledger: OutcomeLedger) -> HTTPResponse {
        var accepted = 0
        var unknown: [String] = []
        var duplicate: [String] = []
        for entry in entries {
            let (verdict, variant) = ledger.record(entry.id, value: entry.value)
            switch verdict {
            case .accepted:
                accepted += 1
                if let variant { count(entry.value, variant: variant) }
            case .unknownRequest: unknown.append(entry.id)
            case .duplicate: duplicate.append(entry.id)
            }
        }
        return Self.verdictBody(accepted: accepted, unknown: unknown, duplicate: duplicate)
    }

    private static func verdictBody(accepted: Int, unknown: [String], duplicate: [String]) -> HTTPResponse {
        var w = JSONWriter()
        w.beginObject()
        w.member("accepted", int: accepted)
        w.member("unknown_request_ids", strings: unknown)
        w.member("duplicate_request_ids", strings: duplicate)
        w.endObject()
        var response = HTTPResponse(status: 200, body: w.bytes)
        response.headers.add("Content-Type", "application/json")
        return response
    }

    /// `GET /experiment`: per production variant, the outcome statistics and the comparison with control.
    /// `DELETE /experiment` (admin token): forget the statistics and start a new experiment. With a database
    /// ledger the statistics are the whole endpoint's (every replica's), read on the ledger's thread; when the
    /// database cannot be read, this replica's in-memory statistics are reported with the reason.
    func report(_ request: HTTPRequest, _ writer: ResponseWriter) {
        guard let state = endpoint.state, let config = state.config.experiment else {
            return writer.send(disabled(request))
        }
        if request.method == .delete {
            if let denied = admin.authorize(request) { return writer.send(denied) }
            ledger(config).reset()
        }
        guard let durable = book.durable(config, endpoint: state.config.endpointName) else {
            return writer.send(Self.reportBody(state, config, ledger(config).statistics(), ledger: nil, decisions: book.banditDecisions()))
        }
        let fallback = ledger(config)
        let decisions = book.banditDecisions()
        let answer: @Sendable () -> Void = {
            durable.report { result in
                switch result {
                case .success(let report):
                    writer.send(Self.reportBody(
                        state, config, report.statistics, ledger: Self.ledgerBody(durable, error: nil), decisions: decisions))
                case .failure(let error):
                    writer.send(Self.reportBody(
                        state, config, fallback.statistics(), ledger: Self.ledgerBody(durable, error: error.message),
                        decisions: decisions))
                }
            }
        }
        if request.method == .delete {
            durable.reset { _ in answer() }
        } else {
            answer()
        }
    }

    /// The report's `ledger` member: where the statistics came from and what the writer did.
    static func ledgerBody(_ durable: DurableLedger, error: String?) -> String {
        let counters = durable.counters()
        var w = JSONWriter()
        w.beginObject()
        w.member("kind", string: durable.kind)
        w.member("scope", string: error == nil ? "endpoint" : "this_replica")
        if let error { w.member("error", string: error) }
        w.member("written_rows", int: counters.written)
        w.member("pending_rows", int: counters.pending)
        w.member("dropped_rows", int: counters.dropped)
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    static func reportBody(
        _ state: EndpointState, _ config: ExperimentConfig, _ stats: [String: OutcomeStats], ledger: String?,
        decisions: [BanditDecision] = []
    ) -> HTTPResponse {
        let control = stats[config.control] ?? OutcomeStats()
        var w = JSONWriter()
        w.beginObject()
        w.member("endpoint", string: state.config.endpointName)
        w.member("control", string: config.control)
        w.member("significance_level", double: 0.05)
        w.member("metric", string: config.metric.rawValue)
        w.member("sequential_settings", fragment: ExperimentReport.settings(config.sequential))
        w.member("ledger", fragment: ledger ?? "{\"kind\":\"memory\",\"scope\":\"this_replica\"}")
        if config.bandit != nil { w.member("bandit", fragment: ExperimentReport.bandit(decisions)) }
        w.key("variants")
        w.beginArray()
        for variant in state.production {
            let s = stats[variant.name] ?? OutcomeStats()
            w.beginObject()
            w.member("name", string: variant.name)
            w.member("outcomes", int: s.count)
            w.member("mean", double: s.count > 0 ? s.mean : nil)
            w.member("stddev", double: s.variance.squareRoot())
            if variant.name != config.control {
                switch WelchTest.compare(control, s) {
                case .computed(let result):
                    w.member("difference", double: result.difference)
                    w.member("ci95", doubles: [result.lower95, result.upper95])
                    w.member("p_value", double: result.pValue)
                    w.member("significant", bool: result.pValue < 0.05)
                case .insufficientData:
                    w.member("difference", double: nil)
                    w.key("significant")
                    w.null()
                    w.member("note", string: "needs at least 2 outcomes on this variant and on control")
                case .notComputable:
                    w.member("difference", double: nil)
                    w.key("significant")
                    w.null()
                    w.member("not_computable", bool: true)
                    w.member("note", string: "not computable: the outcome values overflow double precision")
                }
                w.member("sequential", fragment: ExperimentReport.sequential(control, s, config.sequential))
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        var response = HTTPResponse(status: 200, body: w.bytes)
        response.headers.add("Content-Type", "application/json")
        return response
    }

    private func count(_ value: Double, variant: String) {
        metrics.outcomeRecorded(endpoint: endpoint.state?.config.endpointName ?? "", variant: variant, value: value)
    }

    private func disabled(_ request: HTTPRequest) -> HTTPResponse {
        .jsonError(
            status: 409, code: "experiment_disabled",
            message: "outcome collection is off: set experiment: {outcomes: true} in the endpoint config", requestID: request.id)
    }

    static func parse(_ body: [UInt8], metric: OutcomeMetric = .continuous) -> Result<[(id: String, value: Double)], AdminInputError> {
        let shape = "expected {\"request_id\": \"...\", \"value\": <number>} or {\"outcomes\": [...]}"
        guard let document = try? JSONParser.parse(body), document.objectMembers != nil else {
            return .failure(AdminInputError("the body is not a JSON object; " + shape))
        }
        let items: [JSONValue]
        if case .array(let list)? = document["outcomes"] { items = list } else { items = [document] }
        guard !items.isEmpty else { return .failure(AdminInputError("no outcomes given")) }
        var entries: [(id: String, value: Double)] = []
        for (index, item) in items.enumerated() {
            guard let id = item["request_id"]?.stringValue, !id.isEmpty else {
                return .failure(AdminInputError("outcome \(index + 1): needs a string request_id; " + shape))
            }
            guard let value = item["value"]?.numberValue, value.isFinite else {
                return .failure(AdminInputError("outcome \(index + 1) (\(id)): value must be a finite number"))
            }
            if metric == .binary, value != 0, value != 1 {
                return .failure(AdminInputError("outcome \(index + 1) (\(id)): the experiment's metric is binary: value must be 0 or 1, got \(value)"))
            }
            entries.append((id, value))
        }
        return .success(entries)
    }
}
