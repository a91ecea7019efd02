import TandemONNX
import TandemServing

/// The models the Open Inference Protocol sees in one endpoint snapshot, and what a model name and version
/// address:
/// - the **endpoint** itself, by its endpoint name, as a model with the one version `1`: its requests go
///   through the A/B routing (weights, sticky key, `X-Amzn-SageMaker-Target-Variant`), as `/invocations`';
/// - each **model version** a production variant serves, by model name and version number, straight to that
///   variant; without a version, the highest one served.
/// The endpoint name wins when a repository model has the same name. Shadow variants take no direct
/// requests, so a version only shadows serve is not listed.
struct OIPCatalog {
    /// A resolved model name and version.
    struct Model {
        enum Target {
            /// The A/B-routed endpoint.
            case endpoint
            /// One production variant, addressed directly.
            case variant(Variant)
        }

        var name: String
        var version: String
        var target: Target
        /// The production variants behind it (their metrics make its statistics).
        var variants: [Variant]

        /// The signature its requests are read against (the first production variant's with a loaded model).
        var signature: ModelSignature? { variants.lazy.compactMap(\.loadedModel).first?.signature }

        /// What kind of artifact serves it (`onnx`, `synthetic`).
        var kind: String? { variants.lazy.compactMap(\.loadedModel).first?.kind }

        /// Whether a request to it can be served now.
        func isReady(poolHealthy: Bool, state: EndpointState) -> Bool {
            switch target {
            case .endpoint: state.isHealthy && poolHealthy
            case .variant: poolHealthy && variants.contains { $0.state.isServing }
            }
        }
    }

    /// Why a name or version addresses nothing (answered 404).
    struct NotFound: Error {
        var message: String
    }

    let state: EndpointState

    var endpointName: String { state.config.endpointName }

    /// Production variants by the model name they serve, in config order.
    private var servedModels: [(name: String, variants: [Variant])] {
        var order: [String] = []
        var byName: [String: [Variant]] = [:]
        for variant in state.production {
            if byName[variant.modelID.name] == nil { order.append(variant.modelID.name) }
            byName[variant.modelID.name, default: []].append(variant)
        }
        return order.map { ($0, byName[$0] ?? []) }
    }

    /// The versions a production variant serves of model `name`, ascending.
    func versions(of name: String) -> [Int] {
        Array(Set(state.production.filter { $0.modelID.name == name }.map(\.modelID.version))).sorted()
    }

    /// What `name` (and `version`, when given) address.
    func resolve(_ name: String, version: String?) -> Result<Model, NotFound> {
        if name == endpointName {
            guard version == nil || version == "1" else {
                return .failure(NotFound(
                    message: "model '\(name)' is the A/B-routed endpoint, whose only version is 1; reach one variant's "
                        + "model as /v2/models/{model}/versions/{version} (\(listing))"))
            }
            return .success(Model(name: name, version: "1", target: .endpoint, variants: state.production))
        }
        let served = versions(of: name)
        guard let highest = served.last else {
            return .failure(NotFound(message: "unknown model '\(name)'; models: \(listing)"))
        }
        let number: Int
        if let version {
            guard let wanted = Int(version), served.contains(wanted) else {
                return .failure(NotFound(
                    message: "model '\(name)' has no version '\(version)' served; versions: "
                        + served.map(String.init).joined(separator: ", ")))
            }
            number = wanted
        } else {
            number = highest
        }
        let variants = state.production.filter { $0.modelID == ModelID(name: name, version: number) }
        guard let first = variants.first(where: { $0.state.isServing }) ?? variants.first else {
            return .failure(NotFound(message: "unknown model '\(name)'; models: \(listing)"))
        }
        return .success(Model(name: name, version: String(number), target: .variant(first), variants: variants))
    }

    /// Every addressable model version: the endpoint first, then each served model version.
    var allModels: [Model] {
        var models = [Model(name: endpointName, version: "1", target: .endpoint, variants: state.production)]
        for (name, variants) in servedModels where name != endpointName {
            for version in versions(of: name) {
                let serving = variants.filter { $0.modelID.version == version }
                guard let first = serving.first else { continue }
                models.append(Model(name: name, version: String(version), target: .variant(first), variants: serving))
            }
        }
        return models
    }

    /// The model names, for error messages.
    private var listing: String {
        ([endpointName + " (the endpoint)"] + servedModels.map(\.name).filter { $0 != endpointName }).joined(separator: ", ")
    }
}
