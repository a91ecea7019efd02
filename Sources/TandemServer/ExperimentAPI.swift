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

    /// `POST /outcomes` with `{"request_id": "...", "value": 1}` or `{"outcomes": [{...}, ...]}`.
    func outcomes(_ request: HTTPRequest, _ writer: ResponseWriter) {
        guard let config = endpoint.state?.config.experiment else {
            return writer.send(disabled(request))
        }
        if endpoint.state?.config.adminToken != nil, let denied = admin.authorize(request) { return writer.send(denied) }
        let entries: [(id: String, value: Double)]
        switch Self.parse(request.body) {
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
        var w = JSONWriter()
        w.beginObject()
        w.member("accepted", int: accepted)
        w.member("unknown_request_ids", strings: unknown)
        w.member("duplicate_request_ids", strings: duplicate)
        w.endObject()
        var response = HTTPResponse(status: 200, body: w.bytes)
        response.headers.add("Content-Type", "application/json")
        writer.send(response)
    }

    /// `GET /experiment`: per production variant, the outcome statistics and the comparison with control.
    /// `DELETE /experiment` (admin token): forget the statistics and start a new experiment.
    func report(_ request: HTTPRequest, _ writer: ResponseWriter) {
        guard let state = endpoint.state, let config = state.config.experiment else {
            return writer.send(disabled(request))
        }
        if request.method == .delete {
            if let denied = admin.authorize(request) { return writer.send(denied) }
            ledger(config).reset()
        }
        let stats = ledger(config).statistics()
        let control = stats[config.control] ?? OutcomeStats()
        var w = JSONWriter()
        w.beginObject()
        w.member("endpoint", string: state.config.endpointName)
        w.member("control", string: config.control)
        w.member("significance_level", double: 0.05)
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
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        var response = HTTPResponse(status: 200, body: w.bytes)
        response.headers.add("Content-Type", "application/json")
        writer.send(response)
    }

    private func count(_ value: Double, variant: String) {
        metrics.outcomeRecorded(endpoint: endpoint.state?.config.endpointName ?? "", variant: variant, value: value)
    }

    private func disabled(_ request: HTTPRequest) -> HTTPResponse {
        .jsonError(
            status: 409, code: "experiment_disabled",
            message: "outcome collection is off: set experiment: {outcomes: true} in the endpoint config", requestID: request.id)
    }

    static func parse(_ body: [UInt8]) -> Result<[(id: String, value: Double)], AdminInputError> {
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
            entries.append((id, value))
        }
        return .success(entries)
    }
}
