import TandemServing

/// Where an endpoint config would behave differently behind a real SageMaker endpoint than locally.
///
/// SageMaker forwards only the headers InvokeEndpoint defines (`RuntimeAPI.forwardedHeaders`): a sticky
/// key read from any other header never reaches the container there, so every request would fall back
/// to the weighted draw and stickiness would silently vanish. `serve` logs these warnings at start-up and
/// on every reload; `check-config` prints them.
enum SageMakerFidelity {
    static func warnings(_ config: EndpointConfig) -> [String] {
        guard case .header(let name) = config.stickyKey, !RuntimeAPI.isForwarded(name) else { return [] }
        return [
            "sticky_key reads header \(name), which SageMaker does not forward to the container: behind a real "
                + "endpoint every request falls back to the weighted draw (the local Runtime API emulation strips it "
                + "too). Use sticky_key: {custom_attribute: <key>} and send CustomAttributes=\"<key>=<value>\""
        ]
    }
}
