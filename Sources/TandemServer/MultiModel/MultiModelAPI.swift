import Foundation
import Synchronization
import TandemHTTP
import TandemIO
import TandemJSON
import TandemServing

/// SageMaker's multi-model endpoint container contract, and the Runtime API emulation's `TargetModel`:
/// - `POST /models` `{"model_name", "url"}`: 200 loaded, 409 already loaded, 507 does not fit the budget,
///   400 not a servable model (or an unsafe archive), 404 nothing at `url`;
/// - `GET /models[?next_page_token=N&limit=M]`: `{"models": [{"modelName", "modelUrl"}], "nextPageToken"?}`;
/// - `GET /models/{name}`, `DELETE /models/{name}` (synchronous: resources freed when it answers): 404 if not loaded;
/// - `POST /models/{name}/invoke`: the model's own variants, as `/invocations` answers (404 if not loaded).
/// `model_name` is an opaque key. Loads and unloads run off the event loop (`ModelHost`).
final class MultiModelAPI: Sendable {
    let host: ModelHost

    init(host: ModelHost) {
        self.host = host
    }

    static let pathPrefix = "/models"

    /// Whether `path` is one of the `/models` routes.
    static func handles(_ path: String) -> Bool {
        path == pathPrefix || path == pathPrefix + "/" || path.hasPrefix(pathPrefix + "/")
    }

    func respond(to request: HTTPRequest, writer: ResponseWriter) {
        let rest = request.path.dropFirst(Self.pathPrefix.count).split(separator: "/", omittingEmptySubsequences: true)
        let decode: (Substring) -> String = { String($0).removingPercentEncoding ?? String($0) }
        switch (rest.count, request.method) {
        case (0, .get), (0, .head): list(request, writer)
        case (0, .post): load(request, writer)
        case (0, _): methodNotAllowed(request, writer, allow: "GET, HEAD, POST")
        case (1, .get), (1, .head): describe(decode(rest[0]), request, writer)
        case (1, .delete): unload(decode(rest[0]), request, writer)
        case (1, _): methodNotAllowed(request, writer, allow: "GET, HEAD, DELETE")
        case (2, .post) where rest[1] == "invoke": invoke(decode(rest[0]), request, writer)
        case (2, _) where rest[1] == "invoke": methodNotAllowed(request, writer, allow: "POST")
        default:
            writer.send(.jsonError(
                status: 404, code: "not_found",
                message: "no route \(request.path); multi-model routes: /models, /models/{model_name}, /models/{model_name}/invoke",
                requestID: request.id))
        }
    }

    private func methodNotAllowed(_ request: HTTPRequest, _ writer: ResponseWriter, allow: String) {
        var response = HTTPResponse.jsonError(
            status: 405, code: "method_not_allowed", message: "\(request.method.rawValue) is not allowed on \(request.path); allowed: \(allow)",
            requestID: request.id)
        response.headers.set("Allow", allow)
        writer.send(response)
    }

    // MARK: - Load

    private func load(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let name: String
        let url: String
        switch Self.loadRequest(request.body) {
        case .success(let parsed): (name, url) = parsed
        case .failure(let problem):
            writer.send(.jsonError(status: 400, code: "bad_load_request", message: problem.message, requestID: request.id))
            return
        }
        let requestID = request.id
        host.load(name: name, url: url) { result in
            switch result {
            case .success(let model):
                var body = JSONWriter()
                body.beginObject()
                body.key("status")
                body.string("Model \"\(name)\" loaded")
                body.key("modelName")
                body.string(name)
                body.key("modelUrl")
                body.string(url)
                body.key("bytes")
                body.number(model.bytes)
                body.endObject()
                writer.send(Self.json(200, body.bytes))
            case .failure(let error):
                writer.send(.jsonError(status: error.status, code: error.code, message: error.message, requestID: requestID))
            }
        }
    }

    struct Problem: Error {
        var message: String
    }

    /// `{"model_name": "...", "url": "/opt/ml/models/<name>/model"}`, checked.
    static func loadRequest(_ body: [UInt8]) -> Result<(String, String), Problem> {
        let expected = "expected {\"model_name\": \"<key>\", \"url\": \"/opt/ml/models/<key>/model\"}"
        guard let document = try? JSONParser.parse(body, maxBytes: 64 << 10), document.objectMembers != nil else {
            return .failure(Problem(message: "the body is not a JSON object: \(expected)"))
        }
        guard let name = document["model_name"]?.stringValue, !name.isEmpty else {
            return .failure(Problem(message: "model_name is missing or not a non-empty string: \(expected)"))
        }
        guard name.utf8.count <= 1024, !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            return .failure(Problem(message: "model_name must be at most 1024 bytes without control characters"))
        }
        guard let url = document["url"]?.stringValue, url.hasPrefix("/") else {
            return .failure(Problem(message: "url is missing or not an absolute path: \(expected)"))
        }
        let normalized = (url as NSString).standardizingPath
        for forbidden in ["/dev", "/proc", "/sys"] where normalized == forbidden || normalized.hasPrefix(forbidden + "/") {
            return .failure(Problem(message: "url \(url) is under \(forbidden), which never holds a model"))
        }
        return .success((name, normalized))
    }

    // MARK: - List, describe, unload

    private func list(_ request: HTTPRequest, _ writer: ResponseWriter) {
        var offset = 0
        var limit = host.settings.pageSize
        for item in (request.query ?? "").split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "next_page_token":
                guard let value = Int(pair[1]), value >= 0 else {
                    writer.send(.jsonError(
                        status: 400, code: "bad_page_token",
                        message: "next_page_token '\(pair[1])' is not a token this server returned", requestID: request.id))
                    return
                }
                offset = value
            case "limit":
                guard let value = Int(pair[1]), value >= 1 else {
                    writer.send(.jsonError(status: 400, code: "bad_limit", message: "limit must be a whole number >= 1", requestID: request.id))
                    return
                }
                limit = min(value, host.settings.pageSize)
            default:
                continue
            }
        }
        let models = host.list()
        let page = models.dropFirst(offset).prefix(limit)
        var body = JSONWriter()
        body.beginObject()
        body.key("models")
        body.beginArray()
        for model in page {
            body.beginObject()
            body.key("modelName")
            body.string(model.name)
            body.key("modelUrl")
            body.string(model.url)
            body.endObject()
        }
        body.endArray()
        if offset + page.count < models.count {
            body.key("nextPageToken")
            body.string(String(offset + page.count))
        }
        body.endObject()
        writer.send(Self.json(200, body.bytes))
    }

    private func describe(_ name: String, _ request: HTTPRequest, _ writer: ResponseWriter) {
        guard let model = host.model(name) else {
            writer.send(notLoaded(name, request.id))
            return
        }
        var body = JSONWriter()
        body.beginObject()
        body.key("modelName")
        body.string(model.name)
        body.key("modelUrl")
        body.string(model.url)
        body.key("bytes")
        body.number(model.bytes)
        body.key("variants")
        body.fragment(StatusReport.json(endpoint: model.endpoint, pool: host.pool, healthy: true))
        body.endObject()
        writer.send(Self.json(200, body.bytes))
    }

    private func unload(_ name: String, _ request: HTTPRequest, _ writer: ResponseWriter) {
        let requestID = request.id
        host.unload(name) { [self] unloaded in
            guard unloaded else {
                writer.send(notLoaded(name, requestID))
                return
            }
            var body = JSONWriter()
            body.beginObject()
            body.key("status")
            body.string("Model \"\(name)\" unloaded")
            body.endObject()
            writer.send(Self.json(200, body.bytes))
        }
    }

    private func notLoaded(_ name: String, _ requestID: String) -> HTTPResponse {
        .jsonError(status: 404, code: "model_not_loaded", message: "model '\(name)' is not loaded", requestID: requestID)
    }

    // MARK: - Invoke

    private func invoke(_ name: String, _ request: HTTPRequest, _ writer: ResponseWriter) {
        guard let model = host.acquire(name) else {
            writer.send(notLoaded(name, request.id))
            return
        }
        host.metrics.cacheHits.increment()
        run(model, SageMakerInvocations.request(request), request, writer, render: SageMakerInvocations.response)
    }

    /// Runs an acquired model's invocation core and releases it when answered.
    private func run(
        _ model: HostedModel, _ invocation: InvocationRequest, _ request: HTTPRequest, _ writer: ResponseWriter,
        render: @escaping @Sendable (InvocationResult, String?) -> HTTPResponse
    ) {
        let caller = request.headers["X-Amzn-SageMaker-Custom-Attributes"]
        let host = self.host
        model.service.invoke(
            invocation, scheduler: LoopDeadlineScheduler(loop: writer.eventLoop),
            isCancelled: { [writer] in !writer.isConnectionOpen },
            respond: { [writer] result in
                host.release(model)
                writer.send(render(result, caller))
            })
    }

    /// `InvokeEndpoint` with `TargetModel`: the model `<TANDEM_MME_MODEL_ROOT>/<target>`, loaded (an archive
    /// extracted) on first use. A request that waits longer than `TANDEM_MME_LOAD_WAIT_MS` for the load gets
    /// `ModelNotReadyException` (429), as SageMaker answers while a model downloads; the load goes on.
    func invokeTarget(_ target: String, root: String, _ request: HTTPRequest, _ writer: ResponseWriter) {
        let started = ContinuousClock.now
        let answered = AnswerOnce()
        let requestID = request.id
        let timer = writer.eventLoop.schedule(after: host.settings.loadWait) { [host] in
            guard answered.claim() else { return }
            host.metrics.limitHit("mme_load_wait")
            var response = RuntimeAPI.error(
                429, "ModelNotReadyException",
                "Model '\(target)' is still loading (waited \(host.settings.loadWait)); retry the request", requestID: requestID)
            response.headers.add("Retry-After", "1")
            writer.send(response)
        }
        host.acquireLoading(target, url: { () throws(ModelLoadError) -> String in try Self.resolve(target, root: root) }) { [self] outcome in
            guard answered.claim() else {
                if case .success(let acquired) = outcome { host.release(acquired.model) }
                return
            }
            timer.cancel()
            switch outcome {
            case .success(let acquired):
                if !acquired.cacheHit { host.metrics.loadingWaitTime.record(.now - started) }
                writer.eventLoop.execute { [self] in
                    run(acquired.model, SageMakerInvocations.request(RuntimeAPI.forwarded(request)), request, writer) { result, caller in
                        RuntimeAPI.response(result, callerAttributes: caller)
                    }
                }
            case .failure(let error):
                writer.send(Self.runtimeError(error, target: target, requestID: requestID))
            }
        }
    }

    /// `root/target`, refusing names that would leave the root.
    static func resolve(_ target: String, root: String) throws(ModelLoadError) -> String {
        let parts = target.split(separator: "/", omittingEmptySubsequences: true)
        guard !target.hasPrefix("/"), !parts.isEmpty, !parts.contains("..") else {
            throw .invalid("TargetModel '\(target)' must be a relative path inside the model root, without '..'")
        }
        return root + "/" + parts.joined(separator: "/")
    }

    /// A failed `TargetModel` load, as SageMaker's front end reports it.
    static func runtimeError(_ error: ModelLoadError, target: String, requestID: String) -> HTTPResponse {
        switch error {
        case .notFound:
            return RuntimeAPI.error(
                400, "ValidationError",
                "Failed to download model data for TargetModel '\(target)': \(error.message) (TANDEM_MME_MODEL_ROOT)",
                requestID: requestID)
        case .invalid, .alreadyLoaded:
            return RuntimeAPI.error(400, "ValidationError", "TargetModel '\(target)' cannot be loaded: \(error.message)", requestID: requestID)
        case .insufficientMemory:
            let original = String(decoding: ErrorBody.json(code: error.code, message: error.message, requestID: requestID), as: UTF8.self)
            return RuntimeAPI.error(
                424, "ModelError",
                "Received server error (507) from primary with message \"\(original)\". Request id: \(requestID).",
                requestID: requestID, extra: [("OriginalStatusCode", "507"), ("OriginalMessage", ErrorBody.quoted(original))])
        }
    }

    private static func json(_ status: Int, _ body: [UInt8]) -> HTTPResponse {
        var response = HTTPResponse(status: status, body: body)
        response.headers.add("Content-Type", "application/json")
        return response
    }
}

/// Lets exactly one of two racing paths (the load's outcome, the wait's timer) answer a request.
final class AnswerOnce: Sendable {
    private let answered = Atomic<Bool>(false)

    /// True for the first caller only.
    func claim() -> Bool {
        answered.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }
}
