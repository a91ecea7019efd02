import Foundation
import TandemHTTP
import TandemJSON
import TandemServing

/// `GET /admin/rollouts`: every rollout's progress. `POST /admin/rollouts` (admin token):
/// `{"action": "start", "policy": {"variant": "challenger", "policy": "canary", ...}}` starts one (the config's
/// keys), `{"action": "promote" | "abort", "variant": "challenger"}` decides one.
extension AdminAPI {
    func rolloutsRoute(_ request: HTTPRequest, _ writer: ResponseWriter) {
        if let denied = authorize(request) { return writer.send(denied) }
        guard let controller = rollouts else {
            return writer.send(.jsonError(status: 409, code: "rollouts_unavailable", message: "rollouts are not running", requestID: request.id))
        }
        if request.method != .post { return writer.send(Self.rolloutsBody(controller.progress())) }
        guard let state = endpoint.state else {
            return writer.send(.jsonError(status: 503, code: "not_ready", message: "the endpoint is still loading", requestID: request.id))
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
              let action = object["action"] as? String
        else {
            return writer.send(.jsonError(
                status: 400, code: "bad_rollout",
                message: "expected {\"action\": \"start\", \"policy\": {...}} or {\"action\": \"promote\"|\"abort\", \"variant\": \"...\"}",
                requestID: request.id))
        }
        switch action {
        case "start":
            do {
                let control = state.config.experiment?.control ?? state.production.first?.name ?? ""
                let policy = try RolloutPolicy.parse(
                    json: object["policy"] as Any, production: state.production.map(\.name), control: control)
                controller.begin(policy)
                writer.send(Self.json(202, "{\"started\":true,\"variant\":\(JSONWriter.quoted(policy.variant))}"))
            } catch {
                writer.send(.jsonError(status: 400, code: "bad_rollout", message: error.message, requestID: request.id))
            }
        case "promote", "abort":
            guard let variant = object["variant"] as? String else {
                return writer.send(.jsonError(status: 400, code: "bad_rollout", message: "\(action) needs a variant", requestID: request.id))
            }
            let id = request.id
            controller.decide(variant: variant, promote: action == "promote") { progress in
                guard let progress else {
                    return writer.send(.jsonError(status: 404, code: "no_rollout", message: "no rollout for '\(variant)'", requestID: id))
                }
                writer.send(Self.rolloutsBody([progress]))
            }
        default:
            writer.send(.jsonError(status: 400, code: "bad_rollout", message: "unknown action '\(action)': start, promote or abort",
                                   requestID: request.id))
        }
    }

    static func json(_ status: Int, _ body: String) -> HTTPResponse {
        var response = HTTPResponse(status: status, body: Array(body.utf8))
        response.headers.add("Content-Type", "application/json")
        return response
    }

    static func rolloutsBody(_ list: [RolloutProgress]) -> HTTPResponse {
        json(200, "{\"rollouts\":" + rolloutsJSON(list) + "}")
    }

    /// The rollouts as a JSON array (also in `/variants`).
    static func rolloutsJSON(_ list: [RolloutProgress]) -> String {
        var w = JSONWriter()
        w.beginArray()
        for progress in list {
            w.beginObject()
            w.member("variant", string: progress.policy.variant)
            w.member("policy", string: progress.policy.kind.rawValue)
            w.member("phase", string: progress.phase.rawValue)
            w.member("share", double: progress.share)
            w.member("step", int: progress.step + 1)
            w.member("steps", int: progress.policy.steps.count)
            w.member("step_started_at", double: progress.stepStartedAt)
            w.member("promote", bool: progress.policy.promote)
            if let reason = progress.reason { w.member("reason", string: reason) }
            w.key("history")
            w.beginArray()
            for event in progress.history {
                w.beginObject()
                w.member("time", double: event.time)
                w.member("action", string: event.action)
                w.member("share", double: event.share)
                w.member("detail", string: event.detail)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
