import Foundation
import TandemHTTP
import TandemJSON
import TandemServing

/// Admin calls: change variant weights live (like UpdateEndpointWeightsAndCapacities) and reload the
/// config. Off unless an admin token is configured; then every call must carry it as
/// `Authorization: Bearer <token>` or `X-Tandem-Admin-Token: <token>`.
final class AdminAPI: Sendable {
    let endpoint: Endpoint
    let loader: EndpointLoader
    /// The guarded rollouts (`/admin/rollouts`).
    let rollouts: RolloutController?

    init(endpoint: Endpoint, loader: EndpointLoader, rollouts: RolloutController? = nil) {
        self.endpoint = endpoint
        self.loader = loader
        self.rollouts = rollouts
    }

    /// GET: current weights and shares. POST `{"weights": {"control": 0.5}}` or SageMaker's
    /// `{"DesiredWeightsAndCapacities": [{"VariantName": "control", "DesiredWeight": 0.5}]}`.
    func weights(_ request: HTTPRequest, _ writer: ResponseWriter) {
        if let denied = authorize(request) { return writer.send(denied) }
        if request.method == .get {
            return writer.send(weightsBody(endpoint.state))
        }
        let changes: [String: Double]
        switch parseWeights(request.body) {
        case .success(let parsed): changes = parsed
        case .failure(let error):
            return writer.send(.jsonError(status: 400, code: "bad_weights", message: error.message, requestID: request.id))
        }
        do {
            let state = try endpoint.setWeights(changes)
            ServingStack.logVariants(state, event: "weights changed", logger: loader.logger)
            writer.send(weightsBody(state))
        } catch {
            writer.send(.jsonError(status: 400, code: "bad_weights", message: error.message, requestID: request.id))
        }
    }

    /// POST: reload the config (what SIGHUP does) and answer with the outcome.
    func reload(_ request: HTTPRequest, _ writer: ResponseWriter) {
        if let denied = authorize(request) { return writer.send(denied) }
        let id = request.id
        loader.reloadAsync { result in
            switch result {
            case .success(let state):
                var response = HTTPResponse(status: 200, body: Array("{\"reloaded\":true,\"generation\":\(state.generation)}".utf8))
                response.headers.add("Content-Type", "application/json")
                writer.send(response)
            case .failure(let error):
                writer.send(
                    .jsonError(
                        status: 400, code: "config_refused",
                        message: "the new config was refused and the previous one keeps serving: \(error.message)", requestID: id))
            }
        }
    }

    /// nil when the request carries the admin token; else the 403/401 to answer with.
    func authorize(_ request: HTTPRequest) -> HTTPResponse? {
        guard let token = endpoint.state?.config.adminToken else {
            return .jsonError(
                status: 403, code: "admin_disabled",
                message: "admin calls are off: set admin.token or admin.token_env in the endpoint config to enable them",
                requestID: request.id)
        }
        var presented = request.headers["X-Tandem-Admin-Token"]
        if presented == nil, let auth = request.headers["Authorization"], auth.lowercased().hasPrefix("bearer ") {
            presented = String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        guard let presented, constantTimeEqual(presented, token) else {
            var response = HTTPResponse.jsonError(
                status: 401, code: "unauthorized", message: "a valid admin token is required", requestID: request.id)
            response.headers.set("WWW-Authenticate", "Bearer")
            return response
        }
        return nil
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    private func parseWeights(_ body: [UInt8]) -> Result<[String: Double], AdminInputError> {
        guard let document = try? JSONParser.parse(body), document.objectMembers != nil else {
            return .failure(AdminInputError("expected a JSON object: {\"weights\": {\"variant\": weight}}"))
        }
        var changes: [String: Double] = [:]
        if let weights = document["weights"]?.objectMembers {
            for (name, value) in weights {
                guard let number = value.numberValue else {
                    return .failure(AdminInputError("weight for '\(name)' must be a number"))
                }
                changes[name] = number
            }
        } else if case .array(let desired)? = document["DesiredWeightsAndCapacities"],
            desired.allSatisfy({ $0.objectMembers != nil })
        {
            for entry in desired {
                guard let name = entry["VariantName"]?.stringValue, let number = entry["DesiredWeight"]?.numberValue else {
                    return .failure(AdminInputError("each DesiredWeightsAndCapacities entry needs VariantName and DesiredWeight"))
                }
                changes[name] = number
            }
        } else {
            return .failure(AdminInputError("expected {\"weights\": {...}} or {\"DesiredWeightsAndCapacities\": [...]}"))
        }
        guard !changes.isEmpty else { return .failure(AdminInputError("no weights given")) }
        return .success(changes)
    }

    private func weightsBody(_ state: EndpointState?) -> HTTPResponse {
        var w = JSONWriter()
        w.beginObject()
        w.member("generation", int: state?.generation ?? 0)
        w.key("variants")
        w.beginArray()
        for variant in state?.production ?? [] {
            w.beginObject()
            w.member("name", string: variant.name)
            w.member("weight", double: state?.weights[variant.name] ?? 0)
            w.member("share", double: state?.routing.share(of: variant.name) ?? 0)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        var response = HTTPResponse(status: 200, body: w.bytes)
        response.headers.add("Content-Type", "application/json")
        return response
    }
}

/// A malformed admin request body.
struct AdminInputError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
