import Foundation
import SwiftProtobuf
import Testing
@testable import TandemONNX

/// Broken files must fail to load with one specific, descriptive error, never crash.
/// Each case mutates a zoo model through the generated protobuf types and re-serializes it.
@Suite("Bad model files")
struct BadModelTests {
    func proto(_ artifact: String) throws -> Onnx_ModelProto {
        try Onnx_ModelProto(serializedBytes: Fixtures.bytes(Fixtures.zoo.appendingPathComponent("\(artifact)/model.onnx")))
    }

    func loadError(_ model: Onnx_ModelProto) throws -> ONNXLoadError? {
        let bytes: [UInt8] = try model.serializedBytes()
        return loadError(bytes)
    }

    func loadError(_ bytes: [UInt8]) -> ONNXLoadError? {
        do {
            _ = try ONNXModel(bytes: bytes)
            return nil
        } catch let e as ONNXLoadError {
            return e
        } catch {
            Issue.record("unexpected error type \(type(of: error)): \(error)")
            return nil
        }
    }

    @Test func truncatedFile() throws {
        let bytes = try Fixtures.bytes(Fixtures.zoo.appendingPathComponent("breast-cancer-logreg/v1/model.onnx"))
        for cut in [bytes.count / 2, bytes.count - 3, 7] {
            let e = try #require(loadError(Array(bytes.prefix(cut))), "cut at \(cut)")
            #expect(e.kind == .invalidProtobuf, "cut at \(cut): \(e)")
            #expect(e.description.contains("not a valid ONNX model protobuf"))
        }
    }

    @Test func randomBytes() {
        var rng = SplitMix64(seed: 42)
        for length in [1, 16, 100, 1000, 5000] {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let e = loadError(bytes)
                #expect(e != nil, "random bytes of length \(length) loaded as a model")
            }
        }
        #expect(loadError([])?.kind == .unsupportedIRVersion)
    }

    @Test func renamedOperator() throws {
        var m = try proto("breast-cancer-logreg/v1")
        let i = try #require(m.graph.node.firstIndex { $0.opType == "LinearClassifier" })
        m.graph.node[i].opType = "LinearClassifierX"
        let e = try #require(try loadError(m))
        #expect(e.kind == .unknownOperator)
        #expect(e.opType == "LinearClassifierX")
        #expect(e.domain == "ai.onnx.ml")
        #expect(e.opsetVersion == 1)
        #expect(e.node == m.graph.node[i].name)
        #expect(e.description.contains("unknown op 'LinearClassifierX' in domain ai.onnx.ml"))
        #expect(e.description.contains("opset 1"))
    }

    @Test func missingInitializer() throws {
        var m = try proto("digits-mlp/v1")
        m.graph.initializer.removeAll { $0.name == "coefficient" }
        let e = try #require(try loadError(m))
        #expect(e.kind == .danglingInput)
        #expect(e.opType == "MatMul")
        #expect(e.domain == "ai.onnx")
        #expect(e.opsetVersion == 21)
        #expect(e.description.contains("input 'coefficient' is not a graph input, an initializer or the output of any node"))
    }

    @Test func cycle() throws {
        var m = try proto("breast-cancer-logreg/v1")
        let scaler = try #require(m.graph.node.firstIndex { $0.opType == "Scaler" })
        m.graph.node[scaler].input = ["probabilities"]  // LinearClassifier's output feeds back into Scaler
        let e = try #require(try loadError(m))
        #expect(e.kind == .cycle)
        #expect(e.description.contains("cycle"))
        #expect(e.opType == "Scaler" || e.opType == "LinearClassifier")
    }

    @Test func wrongAttributeType() throws {
        var m = try proto("breast-cancer-logreg/v1")
        let scaler = try #require(m.graph.node.firstIndex { $0.opType == "Scaler" })
        let a = try #require(m.graph.node[scaler].attribute.firstIndex { $0.name == "offset" })
        m.graph.node[scaler].attribute[a].ints = m.graph.node[scaler].attribute[a].floats.map { Int64($0) }
        m.graph.node[scaler].attribute[a].floats = []
        m.graph.node[scaler].attribute[a].type = 7  // INTS
        let e = try #require(try loadError(m))
        #expect(e.kind == .attributeType)
        #expect(e.opType == "Scaler")
        #expect(e.description.contains("attribute 'offset' must be FLOATS, got INTS"))
    }

    @Test func opsetNewerThanSupported() throws {
        var m = try proto("breast-cancer-logreg/v1")
        let ml = try #require(m.opsetImport.firstIndex { $0.domain == "ai.onnx.ml" })
        m.opsetImport[ml].version = 6
        let e = try #require(try loadError(m))
        #expect(e.kind == .unsupportedOpset)
        #expect(e.opsetVersion == 6)
        #expect(e.description.contains("opset 6 of domain ai.onnx.ml is newer than the newest Tandem supports (5)"))

        var d = try proto("digits-mlp/v1")
        let def = try #require(d.opsetImport.firstIndex { $0.domain.isEmpty })
        d.opsetImport[def].version = 30
        let e2 = try #require(try loadError(d))
        #expect(e2.kind == .unsupportedOpset)
        #expect(e2.description.contains("opset 30 of domain ai.onnx is newer"))
    }

    @Test func opOlderThanItsFirstVersion() throws {
        var m = try proto("mixed-columns-logreg/v1")
        let def = try #require(m.opsetImport.firstIndex { $0.domain.isEmpty || $0.domain == "ai.onnx" })
        m.opsetImport[def].version = 3  // Concat exists from opset 4 in Tandem's table
        let e = try #require(try loadError(m))
        #expect(e.kind == .unsupportedOpset)
        #expect(e.description.contains("does not exist in opset 3"))
    }

    @Test func missingDomainImport() throws {
        var m = try proto("breast-cancer-lightgbm/v1")
        m.opsetImport.removeAll { $0.domain.isEmpty || $0.domain == "ai.onnx" }
        let e = try #require(try loadError(m))
        #expect(e.kind == .unsupportedOpset)
        #expect(e.description.contains("imports no opset for domain ai.onnx"))
    }

    @Test func deprecatedTreeOpAtMLOpset5() throws {
        var m = try proto("breast-cancer-random-forest/v1")
        let ml = try #require(m.opsetImport.firstIndex { $0.domain == "ai.onnx.ml" })
        m.opsetImport[ml].version = 5
        let e = try #require(try loadError(m))
        #expect(e.kind == .unsupportedOpset)
        #expect(e.description.contains("TreeEnsembleClassifier is deprecated"))
    }

    @Test func oldIRVersion() throws {
        var m = try proto("iris-logreg/v1")
        m.irVersion = 2
        let e = try #require(try loadError(m))
        #expect(e.kind == .unsupportedIRVersion)
        #expect(e.description.contains("IR version 2 is not supported"))
    }

    @Test func brokenTreeTables() throws {
        var m = try proto("breast-cancer-random-forest/v1")
        let t = try #require(m.graph.node.firstIndex { $0.opType == "TreeEnsembleClassifier" })
        let a = try #require(m.graph.node[t].attribute.firstIndex { $0.name == "nodes_truenodeids" })
        m.graph.node[t].attribute[a].ints[0] = 999_999
        let e = try #require(try loadError(m))
        #expect(e.kind == .invalidAttribute)
        #expect(e.description.contains("points at a child that does not exist"))

        var c = try proto("breast-cancer-random-forest/v1")
        let ids = try #require(c.graph.node[t].attribute.firstIndex { $0.name == "nodes_truenodeids" })
        let nodeIds = try #require(c.graph.node[t].attribute.firstIndex { $0.name == "nodes_nodeids" })
        let modes = try #require(c.graph.node[t].attribute.firstIndex { $0.name == "nodes_modes" })
        // Point an interior node below tree 0's root back at the root: a reachable cycle.
        let inner = try #require((1..<c.graph.node[t].attribute[modes].strings.count).first {
            c.graph.node[t].attribute[modes].strings[$0] != Data("LEAF".utf8)
        })
        c.graph.node[t].attribute[ids].ints[inner] = c.graph.node[t].attribute[nodeIds].ints[0]
        let e2 = try #require(try loadError(c))
        #expect(e2.kind == .invalidAttribute)
        #expect(e2.description.contains("cycle") || e2.description.contains("root"))
    }

    @Test func scalerLengthMismatch() throws {
        var m = try proto("breast-cancer-logreg/v1")
        let s = try #require(m.graph.node.firstIndex { $0.opType == "Scaler" })
        let a = try #require(m.graph.node[s].attribute.firstIndex { $0.name == "offset" })
        m.graph.node[s].attribute[a].floats = [0]
        let e = try #require(try loadError(m))
        #expect(e.description.contains("'offset' (1 values) and 'scale' (30 values) must have the same non-zero length"))
    }

    @Test func undecodableInitializer() throws {
        var m = try proto("digits-mlp/v1")
        let i = try #require(m.graph.initializer.firstIndex { $0.name == "coefficient" })
        m.graph.initializer[i].rawData = Data(m.graph.initializer[i].rawData.prefix(10))
        let e = try #require(try loadError(m))
        #expect(e.kind == .invalidTensor)
        #expect(e.description.contains("initializer 'coefficient'"))
    }
}

/// A tiny deterministic generator so random-byte cases are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
