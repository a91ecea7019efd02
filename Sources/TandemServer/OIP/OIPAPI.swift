import Logging
import TandemHTTP
import TandemJSON
import TandemServing

/// The Open Inference Protocol's front door (KServe v2 / Triton HTTP / MLServer REST), on the same port
/// and event loops as the SageMaker routes: health, server and model metadata, Triton's model
/// configuration and statistics extensions, inference with JSON and binary tensors, and the repository
/// extension behind the admin token.
///
/// Everything but `infer` and `load` is answered on the event loop from the endpoint snapshot in memory;
/// `infer` goes to the invocation core with an `OIPInferCodec` (the tensors are read on a worker), and
/// `load` reloads on the loader's background queue. The core's typed result is mapped to the protocol's
/// error shape, `{"error": "..."}`, with the status `/invocations` gives the same failure.
final class OIPAPI: Sendable {
    let service: InvocationService
    let admin: AdminAPI
    let logger: Logger
    /// The most bytes a compressed request body may inflate to.
    let maxInflatedBytes: Int
    /// Counts compressed bodies refused for inflating past `maxInflatedBytes`.
    let metrics: MetricsRegistry

    init(service: InvocationService, admin: AdminAPI, logger: Logger, maxInflatedBytes: Int, metrics: MetricsRegistry) {
        self.service = service
        self.admin = admin
        self.logger = logger
        self.maxInflatedBytes = maxInflatedBytes
        self.metrics = metrics
    }

    func respond(to request: HTTPRequest, writer: ResponseWriter) {
        let path = OIPPath(path: request.path)
        guard path != .unknown else {
            return writer.send(Self.error(
                404, "no Open Inference Protocol route \(request.path); see /v2, /v2/health/{live,ready}, "
                    + "/v2/models/{model}[/versions/{version}][/ready|/config|/stats|/infer], /v2/repository/..."))
        }
        guard path.methods.contains(request.method) else {
            let allowed = path.methods.map(\.rawValue).joined(separator: ", ")
            var response = Self.error(405, "\(request.method.rawValue) is not allowed on \(request.path); allowed: \(allowed)")
            response.headers.set("Allow", allowed)
            return writer.send(response)
        }
        switch path {
        case .serverMetadata: writer.send(Self.json(200, OIPDocuments.serverMetadata()))
        case .live: writer.send(Self.json(200, Array("{\"live\":true}".utf8)))
        case .ready: writer.send(Self.json(isHealthy ? 200 : 503, Array("{\"ready\":\(isHealthy)}".utf8)))
        case .allStats:
            withCatalog(writer) { catalog in Self.json(200, OIPDocuments.statistics(catalog.allModels)) }
        case .model(let name, let version, let action):
            model(name, version, action, request, writer)
        case .repositoryIndex: repositoryIndex(request, writer)
        case .repository(let name, let action): repository(name, action, request, writer)
        case .unknown: break
        }
    }

    private var isHealthy: Bool {
        guard let state = service.endpoint.state else { return false }
        return state.isHealthy && service.pool.isHealthy
    }

    /// Answers with `render(catalog)`, or 503 while the models load.
    private func withCatalog(_ writer: ResponseWriter, _ render: (OIPCatalog) -> HTTPResponse) {
        guard let state = service.endpoint.state else {
            var response = Self.error(503, service.endpoint.failure.map { "the endpoint failed to start: \($0)" } ?? "models are still loading")
            response.headers.add("Retry-After", "1")
            return writer.send(response)
        }
        writer.send(render(OIPCatalog(state: state)))
    }

    private func model(
        _ name: String, _ version: String?, _ action: OIPPath.ModelAction, _ request: HTTPRequest, _ writer: ResponseWriter
    ) {
        guard let state = service.endpoint.state else {
            return withCatalog(writer) { _ in Self.error(503, "models are still loading") }
        }
        let catalog = OIPCatalog(state: state)
        let model: OIPCatalog.Model
        switch catalog.resolve(name, version: version) {
        case .success(let resolved): model = resolved
        case .failure(let notFound): return writer.send(Self.error(404, notFound.message))
        }
        switch action {
        case .metadata:
            let versions: [String]
            if case .endpoint = model.target { versions = ["1"] } else { versions = catalog.versions(of: model.name).map(String.init) }
            writer.send(Self.json(200, OIPDocuments.modelMetadata(model, versions: versions)))
        case .ready:
            let ready = model.isReady(poolHealthy: service.pool.isHealthy, state: state)
            writer.send(Self.json(ready ? 200 : 503, Array("{\"name\":\(ErrorBody.quoted(model.name)),\"ready\":\(ready)}".utf8)))
        case .config:
            writer.send(Self.json(200, OIPDocuments.modelConfig(model)))
        case .stats:
            let models = version == nil && name != catalog.endpointName
                ? catalog.allModels.filter { $0.name == model.name } : [model]
            writer.send(Self.json(200, OIPDocuments.statistics(models)))
        case .infer:
            infer(model, request, writer)
        }
    }

    /// Hands the request to the invocation core: the endpoint model through the A/B routing (weights,
    /// sticky key, an explicit `X-Amzn-SageMaker-Target-Variant`), a model version straight to its variant.
    private func infer(_ model: OIPCatalog.Model, _ request: HTTPRequest, _ writer: ResponseWriter) {
        let compression: OIPInferCodec.Compression?
        do {
            compression = try OIPInferCodec.Compression.of(header: request.headers["Content-Encoding"])
        } catch {
            return writer.send(Self.error(
                415, "Content-Encoding '\(error.name)' is not supported; send the request as gzip, deflate or uncompressed"))
        }
        let headers = request.headers
        let selection: VariantSelection
        switch model.target {
        case .endpoint:
            selection = VariantSelection(
                targetVariant: headers["X-Amzn-SageMaker-Target-Variant"],
                customAttributes: headers["X-Amzn-SageMaker-Custom-Attributes"], header: { headers[$0] })
        case .variant(let variant):
            selection = VariantSelection(targetVariant: variant.name)
        }
        let codec = OIPInferCodec(
            headerLength: headers["Inference-Header-Content-Length"], requestID: request.id, compression: compression,
            maxInflatedBytes: maxInflatedBytes)
        let invocation = InvocationRequest(
            requestID: request.id, body: request.body, payload: .codec(codec), selection: selection, receivedAt: request.receivedAt)
        let name = model.name
        let version = model.version
        service.invoke(
            invocation, scheduler: LoopDeadlineScheduler(loop: writer.eventLoop),
            isCancelled: { [writer] in !writer.isConnectionOpen },
            respond: { [writer, metrics] result in
                if case .badInput(let error) = result.failure, error.code == OIPInferCodec.inflatedTooLarge {
                    metrics.limitHit("max_inflated_body_bytes")
                }
                writer.send(Self.response(result, modelName: name, modelVersion: version, codec: codec))
            })
    }

    /// The protocol's answer for what the core answered: the tensors, with the model, its version and how
    /// the request was routed in front (`parameters`) and in the usual headers; or `{"error": ...}`.
    static func response(_ result: InvocationResult, modelName: String, modelVersion: String, codec: OIPInferCodec) -> HTTPResponse {
        var response: HTTPResponse
        switch result.outcome {
        case .success(let answer):
            var w = JSONWriter()
            w.beginObject()
            w.member("model_name", string: modelName)
            w.member("model_version", string: modelVersion)
            if let route = result.route {
                w.key("parameters")
                w.beginObject()
                w.member("variant", string: route.variant)
                w.member("model", string: route.model.description)
                w.member("routing", string: route.rule.rawValue)
                w.endObject()
            }
            var body = w.bytes
            body.append(UInt8(ascii: ","))
            let prefixLength = body.count
            body.append(contentsOf: answer.body)
            response = HTTPResponse(status: 200, body: body)
            response.headers.add("Content-Type", answer.mediaType)
            if let layout = codec.encodedLayout, layout.hasBinary {
                response.headers.add("Inference-Header-Content-Length", String(prefixLength + layout.jsonLength))
            }
        case .failure(let failure):
            response = error(SageMakerInvocations.status(of: failure), failure.message)
            if let retry = failure.retryAfter { response.headers.add("Retry-After", "\(retry.components.seconds)") }
        }
        if let route = result.route {
            response.headers.add("X-Amzn-Invoked-Production-Variant", route.variant)
            response.headers.add("X-Tandem-Routing", route.rule.rawValue)
            response.headers.add("X-Tandem-Model", route.model.description)
        }
        return response
    }

    /// `POST /v2/repository/index` (`{"ready": true}` lists only ready models).
    private func repositoryIndex(_ request: HTTPRequest, _ writer: ResponseWriter) {
        if let denied = admin.authorize(request) { return writer.send(denied) }
        var readyOnly = false
        if request.body.contains(where: { $0 > 0x20 }) {
            guard let document = try? JSONParser.parse(request.body, maxBytes: 4096), document.objectMembers != nil else {
                return writer.send(Self.error(400, "the repository index request must be a JSON object such as {\"ready\": true}"))
            }
            if let flag = document["ready"] {
                guard case .bool(let value) = flag else { return writer.send(Self.error(400, "\"ready\" must be true or false")) }
                readyOnly = value
            }
        }
        let healthy = service.pool.isHealthy
        withCatalog(writer) { catalog in
            Self.json(200, OIPDocuments.repositoryIndex(catalog, poolHealthy: healthy, readyOnly: readyOnly))
        }
    }

    /// `load`: reload the endpoint config and the repository from disk (new versions per each model's version
    /// policy, configured weights restored), then check the model is served. `unload`: take the model's
    /// production variants out of the weighted draw (weight 0); a direct request by model and version still
    /// reaches them, and a `load` puts the configured weights back. The endpoint model cannot be unloaded.
    private func repository(_ name: String, _ action: OIPPath.RepositoryAction, _ request: HTTPRequest, _ writer: ResponseWriter) {
        if let denied = admin.authorize(request) { return writer.send(denied) }
        switch action {
        case .load:
            let id = request.id
            let logger = logger
            admin.loader.reloadAsync { result in
                switch result {
                case .failure(let error):
                    writer.send(Self.error(400, "the reload was refused and the previous config keeps serving: \(error.message)"))
                case .success(let state):
                    switch OIPCatalog(state: state).resolve(name, version: nil) {
                    case .success: writer.send(Self.json(200, Array("{}".utf8)))
                    case .failure(let notFound):
                        logger.notice("OIP load of an unserved model", metadata: ["request_id": "\(id)", "model": "\(name)"])
                        writer.send(Self.error(
                            404, "reloaded, but \(notFound.message); Tandem serves the models its endpoint config's variants name"))
                    }
                }
            }
        case .unload:
            guard let state = service.endpoint.state else { return writer.send(Self.error(503, "models are still loading")) }
            let catalog = OIPCatalog(state: state)
            guard name != catalog.endpointName else {
                return writer.send(Self.error(400, "'\(name)' is the endpoint itself and cannot be unloaded; unload one of its models"))
            }
            guard case .success = catalog.resolve(name, version: nil) else {
                return writer.send(Self.error(404, "unknown model '\(name)'"))
            }
            let changes = Dictionary(uniqueKeysWithValues: state.production.filter { $0.modelID.name == name }.map { ($0.name, 0.0) })
            do {
                try service.endpoint.setWeights(changes)
                writer.send(Self.json(200, Array("{}".utf8)))
            } catch {
                writer.send(Self.error(400, "cannot unload '\(name)': \(error.message)"))
            }
        }
    }

    static func json(_ status: Int, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    /// The protocol's error shape: `{"error": "<message>"}`.
    static func error(_ status: Int, _ message: String) -> HTTPResponse {
        json(status, Array("{\"error\":\(ErrorBody.quoted(message))}".utf8))
    }
}
