import Testing

@testable import TandemServing

/// endpoint.yaml, model.yaml and synthetic.yaml: valid files and errors that say where and what.
@Suite struct ConfigParsingTests {
    func endpoint(_ text: String, environment: [String: String] = [:]) throws(ConfigError) -> EndpointConfig {
        try EndpointConfig.parse(text, file: "endpoint.yaml", directory: "/srv/config", environment: environment)
    }

    func endpointError(_ text: String) -> String {
        do {
            _ = try endpoint(text)
            Issue.record("expected an error for:\n\(text)")
            return ""
        } catch {
            return error.message
        }
    }

    static let twoVariants = """
        production_variants:
          - {name: control, model: m, version: 1, weight: 0.8}
          - {name: challenger, model: m, version: 2, weight: 0.2}
        """

    @Test func fullEndpointConfig() throws {
        let config = try endpoint("""
            endpoint: demo
            repository: ../models
            routing:
              salt: s1
              sticky_key: {custom_attribute: user}
            health: {policy: any, degraded_error_rate: 0.25, window_s: 30, min_requests: 5}
            admin: {token_env: ADMIN}
            production_variants:
              - {name: control, model: m, version: 1, weight: 0.8, workers: 2, queue: 16, timeout_ms: 1500}
              - {name: challenger, model: m, weight: 0.2}
            shadow_variants:
              - {name: shadow, model: m, version: 2, sampling_percentage: 10}
            """, environment: ["ADMIN": "tok"])
        #expect(config.endpointName == "demo")
        #expect(config.repository == "/srv/models")
        #expect(config.salt == "s1")
        #expect(config.stickyKey == .customAttribute("user"))
        #expect(config.healthPolicy == .any)
        #expect(config.degradedErrorRate == 0.25)
        #expect(config.healthWindow == .seconds(30))
        #expect(config.healthMinRequests == 5)
        #expect(config.adminToken == "tok")
        #expect(config.production.map(\.name) == ["control", "challenger"])
        #expect(config.production[0].maxWorkers == 2)
        #expect(config.production[0].queueBound == 16)
        #expect(config.production[0].timeout == .milliseconds(1500))
        #expect(config.production[1].version == nil)
        #expect(config.shadows.first?.samplingPercentage == 10)
    }

    @Test func defaults() throws {
        let config = try endpoint(Self.twoVariants)
        #expect(config.endpointName == "tandem")
        #expect(config.salt == "tandem")
        #expect(config.repository == "/srv/config")
        #expect(config.stickyKey == nil)
        #expect(config.healthPolicy == .all)
        #expect(config.adminToken == nil)
        let weightless = try endpoint("production_variants:\n  - {name: a, model: m}\n")
        #expect(weightless.production[0].weight == 1.0)
    }

    @Test func adminTokenNeedsTheVariable() throws {
        let text = "admin: {token_env: ADMIN}\n" + Self.twoVariants
        #expect(try endpoint(text).adminToken == nil)
        #expect(try endpoint(text, environment: ["ADMIN": ""]).adminToken == nil)
        #expect(try endpoint(text, environment: ["ADMIN": "x"]).adminToken == "x")
        #expect(try endpoint("admin: {token: inline}\n" + Self.twoVariants).adminToken == "inline")
    }

    @Test func unknownKeysAreNamedWithTheirPath() {
        let top = endpointError("surprise: 1\n" + Self.twoVariants)
        #expect(top.contains("endpoint.yaml"))
        #expect(top.contains("unknown key 'surprise'"))
        let nested = endpointError("production_variants:\n  - {name: a, model: m, wieght: 1}\n")
        #expect(nested.contains("production_variants[0]"))
        #expect(nested.contains("'wieght'"))
    }

    @Test func badWeights() {
        #expect(endpointError("production_variants:\n  - {name: a, model: m, weight: -1}\n").contains("production_variants[0].weight"))
        #expect(endpointError("production_variants:\n  - {name: a, model: m, weight: high}\n").contains("expected a number"))
        #expect(endpointError("production_variants:\n  - {name: a, model: m, weight: 0}\n").contains("weight above 0"))
    }

    @Test func variantRules() {
        #expect(endpointError("production_variants: []\n").contains("at least one production variant"))
        #expect(endpointError("endpoint: x\n").contains("at least one production variant"))
        #expect(endpointError("production_variants:\n  - {name: bad_name, model: m}\n").contains("variant names"))
        #expect(endpointError("endpoint: my_endpoint\nproduction_variants:\n  - {name: a, model: m}\n")
            .contains("endpoint: endpoint names are 1-63 characters"))
        #expect(endpointError("experiment: {outcomes: true, control: b}\nproduction_variants:\n  - {name: a, model: m}\n")
            .contains("experiment.control: 'b' is not a production variant"))
        #expect(endpointError("experiment: {outcomes: true, remember: 0}\nproduction_variants:\n  - {name: a, model: m}\n")
            .contains("experiment.remember"))
        #expect(endpointError("production_variants:\n  - {name: a, model: m}\n  - {name: a, model: m}\n").contains("used twice"))
        #expect(endpointError("production_variants:\n  - {name: a}\n").contains("production_variants[0].model: required"))
        let eleven = (0..<11).map { "  - {name: v\($0), model: m}" }.joined(separator: "\n")
        #expect(endpointError("production_variants:\n" + eleven + "\n").contains("at most 10"))
        #expect(endpointError("production_variants:\n  - {name: a, model: m, version: 0}\n").contains("version"))
    }

    @Test func shadowRules() {
        let base = "production_variants:\n  - {name: a, model: m}\nshadow_variants:\n"
        #expect(endpointError(base + "  - {name: s, model: m, sampling_percentage: 150}\n").contains("sampling_percentage"))
        #expect(endpointError(base + "  - {name: a, model: m}\n").contains("used twice"))
    }

    @Test func routingAndHealthErrors() {
        #expect(endpointError("routing: {sticky_key: {header: X, custom_attribute: y}}\n" + Self.twoVariants).contains("exactly one"))
        #expect(endpointError("health: {policy: most}\n" + Self.twoVariants).contains("expected all or any"))
        #expect(endpointError("health: {degraded_error_rate: 2}\n" + Self.twoVariants).contains("degraded_error_rate"))
        #expect(endpointError("production_variants: [\n").contains("not valid YAML"))
        #expect(endpointError("production_variants: {a: 1}\n").contains("expected a list"))
    }

    @Test func modelConfig() throws {
        #expect(try ModelConfig.parse("", file: "model.yaml").versionPolicy == .latest(1))
        #expect(try ModelConfig.parse("versions: all\n", file: "model.yaml").versionPolicy == .all)
        #expect(try ModelConfig.parse("versions: [1, 3]\n", file: "model.yaml").versionPolicy == .specific([1, 3]))
        #expect(try ModelConfig.parse("versions: {latest: 2}\n", file: "model.yaml").versionPolicy == .latest(2))
        let full = try ModelConfig.parse(
            "description: d\noutput: {scores: map}\nworkers: 2\nqueue: 8\ntimeout_ms: 250\n", file: "model.yaml")
        #expect(full.description == "d")
        #expect(full.rendering.scores == .map)
        #expect(full.maxWorkers == 2)
        #expect(full.queueBound == 8)
        #expect(full.timeout == .milliseconds(250))
        #expect(VersionPolicy.latest(2).select(from: [3, 1, 2]) == [2, 3])
        #expect(VersionPolicy.specific([1, 5]).select(from: [1, 2]) == [1])
    }

    @Test func modelConfigErrors() {
        func message(_ text: String) -> String {
            do {
                _ = try ModelConfig.parse(text, file: "model.yaml")
                return ""
            } catch {
                return error.message
            }
        }
        #expect(message("versions: newest\n").contains("expected latest, all"))
        #expect(message("versions: []\n").contains("empty"))
        #expect(message("versions: {latest: 0}\n").contains("versions.latest"))
        #expect(message("output: {scores: table}\n").contains("expected list, map or none"))
        #expect(message("workers: 0\n").contains("workers"))
        #expect(message("colour: red\n").contains("unknown key 'colour'"))
    }

    @Test func syntheticConfig() throws {
        let constant = try SyntheticModelConfig.parse("features: 4\nlatency_ms: 5\nerror_rate: 0.5\n", file: "s.yaml")
        #expect(constant == .init(features: 4, latency: .constant(.milliseconds(5)), mode: .sleep, errorRate: 0.5))
        let lognormal = try SyntheticModelConfig.parse("latency: {p50_ms: 10, p99_ms: 40}\nmode: cpu\n", file: "s.yaml")
        #expect(lognormal.latency == .lognormal(p50: .milliseconds(10), p99: .milliseconds(40)))
        #expect(lognormal.mode == .cpu)
        #expect(throws: ConfigError.self) { try SyntheticModelConfig.parse("latency: {p50_ms: 50, p99_ms: 10}\n", file: "s.yaml") }
        #expect(throws: ConfigError.self) { try SyntheticModelConfig.parse("error_rate: 1.5\n", file: "s.yaml") }
        #expect(throws: ConfigError.self) { try SyntheticModelConfig.parse("mode: gpu\n", file: "s.yaml") }
    }

    /// `.nan` and `.inf` used to pass (NaN slips past `< 0`) and sent all traffic to one variant.
    @Test func nonFiniteAndOverflowingWeightsAreRefused() {
        for weight in [".nan", ".NaN", ".inf", "-.inf", "1e400"] {
            let message = endpointError("""
                production_variants:
                  - {name: a, model: m, version: 1, weight: \(weight)}
                  - {name: b, model: m, version: 1, weight: 1}
                """)
            #expect(message.contains("finite"), "\(weight): \(message)")
        }
        let message = endpointError("""
            production_variants:
              - {name: a, model: m, version: 1, weight: 1.7e308}
              - {name: b, model: m, version: 1, weight: 1.7e308}
            """)
        #expect(message.contains("overflows"), "\(message)")
    }

    /// A billion-laughs file used to take gigabytes; it is refused before any alias is expanded.
    @Test func aliasBombsAreRefusedBeforeExpansion() {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(refs)]")
        }
        lines.append(Self.twoVariants)
        let started = ContinuousClock.now
        let tooMany = endpointError(lines.joined(separator: "\n"))
        #expect(tooMany.contains("aliases"), "\(tooMany)")
        // Few aliases, but each expanding the last: 3 per level over 6 levels stays under the alias count.
        var deep = ["b0: &b0 [" + Array(repeating: "y", count: 200).joined(separator: ", ") + "]"]
        for level in 1...6 {
            deep.append("b\(level): &b\(level) [*b\(level - 1), *b\(level - 1), *b\(level - 1)]")
        }
        deep.append(Self.twoVariants)
        let expands = endpointError(deep.joined(separator: "\n"))
        #expect(expands.contains("expand"), "\(expands)")
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func deepNestingAndHugeFilesAreRefused() {
        let nested = "x: " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "\n"
        #expect(endpointError(nested + Self.twoVariants).contains("nested deeper"))
        let compact = String(repeating: "- ", count: 20_000) + "x\n"
        #expect(endpointError(compact).contains("nested deeper"))
        let huge = "# " + String(repeating: "x", count: (1 << 20) + 1) + "\n" + Self.twoVariants
        #expect(endpointError(huge).contains("larger than"))
    }

    /// Ordinary anchors and aliases (a shared mapping) still work.
    @Test func modestAnchorsStillWork() throws {
        let config = try endpoint("""
            production_variants:
              - {name: a, model: &model shared, version: &version 1, weight: 1}
              - {name: b, model: *model, version: *version, weight: 3}
            """)
        #expect(config.production.map(\.weight) == [1, 3])
        #expect(config.production.map(\.model) == ["shared", "shared"])
    }
}
