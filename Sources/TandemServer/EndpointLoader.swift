import Dispatch
import Foundation
import Logging
import TandemServing

/// Loads (and reloads) the endpoint: reads the config, loads the repository, builds the new state and
/// installs it atomically. Loads run one at a time on a background queue, never on an event loop.
final class EndpointLoader: Sendable {
    let source: ModelSource
    let environment: [String: String]
    let loader: ModelLoader
    let builder: EndpointBuilder
    let endpoint: Endpoint
    let logger: Logger
    /// Told about each state installed by a load (data capture follows the config's section).
    let installed: @Sendable (EndpointState) -> Void
    private let queue = DispatchQueue(label: "tandem.endpoint-loader")

    init(
        source: ModelSource, environment: [String: String], loader: ModelLoader, builder: EndpointBuilder,
        endpoint: Endpoint, logger: Logger, installed: @escaping @Sendable (EndpointState) -> Void = { _ in }
    ) {
        self.installed = installed
        self.source = source
        self.environment = environment
        self.loader = loader
        self.builder = builder
        self.endpoint = endpoint
        self.logger = logger
    }

    /// Validates and loads the config. At start-up a variant whose model fails to load is kept as
    /// failed; on reload (`strict`) any variant that fails to load refuses the whole config, so a bad
    /// artifact never replaces a good one.
    func load(strict: Bool) -> Result<EndpointState, ConfigError> {
        queue.sync {
            do throws(ConfigError) {
                let config = try source.endpointConfig(environment: environment)
                let models = try ModelRepository.load(for: config, loader: loader)
                if strict {
                    let names = Set(config.production.map(\.model) + config.shadows.map(\.model))
                    for name in names.sorted() {
                        for version in models[name]?.loaded ?? [] {
                            if case .failure(let error) = version.model { throw error }
                        }
                    }
                }
                let state = try builder.build(config: config, models: models, previous: endpoint.state)
                endpoint.install(state)
                installed(state)
                for variant in state.allVariants {
                    if case .failed(let reason) = variant.state {
                        logger.error("variant failed to load", metadata: ["variant": "\(variant.name)", "reason": "\(reason)"])
                    }
                }
                return .success(state)
            } catch {
                return .failure(error)
            }
        }
    }

    /// Reloads in the background and reports the outcome.
    func reloadAsync(_ completion: @escaping @Sendable (Result<EndpointState, ConfigError>) -> Void) {
        DispatchQueue.global().async { [self] in
            let result = load(strict: true)
            switch result {
            case .success(let state):
                ServingStack.logVariants(state, event: "config reloaded", logger: logger)
                for warning in SageMakerFidelity.warnings(state.config) { logger.warning("\(warning)") }
            case .failure(let error):
                logger.error("config reload refused; the previous config keeps serving", metadata: ["error": "\(error)"])
            }
            completion(result)
        }
    }
}
