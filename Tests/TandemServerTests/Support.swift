import Foundation
import TandemHTTP
import TandemServer
import TandemServing
import TandemTestSupport

/// A body of `rows` rows of `features` numbers, as CSV.
func csvRows(_ rows: Int, features: Int = 3, value: Double = 0.5) -> [UInt8] {
    let line = Array(repeating: "\(value)", count: features).joined(separator: ",")
    return Array(Array(repeating: line, count: rows).joined(separator: "\n").utf8)
}

/// The JSON object in a response body (an empty one when the body is not a JSON object).
func jsonObject(_ response: HTTPResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
}

/// The body as text.
func text(_ response: HTTPResponse) -> String {
    String(decoding: response.body, as: UTF8.self)
}

/// A fixture with synthetic models `fast` (no latency) and `slow` (`slowMs` of sleep), 3 features each,
/// and an endpoint config made of `endpointYAML`.
func syntheticServer(
    _ endpointYAML: String, slowMs: Int = 300, workers: Int = 2, environment: [String: String] = [:]
) throws -> (InProcessServer, ModelRepositoryFixture) {
    let fixture = try ModelRepositoryFixture()
    try fixture.addSynthetic("fast", yaml: "features: 3\nlatency_ms: 0\n")
    try fixture.addSynthetic("slow", yaml: "features: 3\nlatency_ms: \(slowMs)\n")
    try fixture.addSynthetic("broken", yaml: "features: 3\nlatency_ms: 0\nerror_rate: 1\n")
    try fixture.addModelFile("corrupt", file: "model.onnx", bytes: Array("not a model".utf8))
    try fixture.writeEndpoint(endpointYAML)
    let server = try InProcessServer(source: .endpointFile(fixture.endpointFile), workers: workers, environment: environment)
    return (server, fixture)
}

/// The metrics of the production or shadow variant called `name` in the current snapshot.
func variantCounts(_ server: InProcessServer, _ name: String) -> (invocations: Int, errors4xx: Int, errors5xx: Int, inFlight: Int, shadow: Int)? {
    server.stack.endpoint.state?.allVariants.first { $0.name == name }?.metrics.counts
}

let csv: HTTPHeaders = ["Content-Type": "text/csv"]

/// A server and the fixture its models live in (kept alive together).
struct InProcessServerHandle {
    let server: InProcessServer
    let fixture: ModelRepositoryFixture

    init(_ server: InProcessServer, _ fixture: ModelRepositoryFixture) {
        self.server = server
        self.fixture = fixture
    }

    func shutdown() { server.shutdown() }
}
