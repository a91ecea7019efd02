import Foundation
import Testing
@testable import TandemONNX

/// Builds a kernel from a schema the way the graph builder does, for ops whose inputs `tandem run`
/// cannot feed (maps) or whose edge cases the conformance suite does not reach.
private enum Build {
    static func kernel(_ schema: OperatorSchema, _ attrs: [Onnx_AttributeProto], version: Int64 = 1, inputs: [ValueType?] = [.unknown]) throws -> any Kernel {
        let ctx = NodeContext(name: "n", opType: schema.opType, domain: schema.domain, sinceVersion: version,
                              attributes: try NodeAttributes(attrs), inputTypes: inputs,
                              constantInputs: inputs.map { _ in nil }, outputCount: 1)
        return try schema.build(ctx).kernel
    }

    static func ints(_ name: String, _ v: [Int64]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = 7; a.ints = v; return a
    }
    static func strings(_ name: String, _ v: [String]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = 8; a.strings = v.map { Data($0.utf8) }; return a
    }
    static func string(_ name: String, _ v: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = 3; a.s = Data(v.utf8); return a
    }
    static func int(_ name: String, _ v: Int64) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = 2; a.i = v; return a
    }

    static func tensor(_ k: any Kernel, _ inputs: [Value?]) throws -> Tensor {
        let out = try k.run(inputs)
        guard case .tensor(let t)? = out.first else { throw KernelError("no tensor output") }
        return t
    }
}

@Suite("ai.onnx.ml map operators")
struct MLMapOperatorTests {
    @Test func dictVectorizerOrdersByVocabulary() throws {
        let k = try Build.kernel(DictVectorizerKernel.schema, [Build.strings("string_vocabulary", ["a", "b", "c", "a"])])
        let map = MapValue(keys: .string(["b", "zz", "a"]), values: .float([2, 9, 1]))
        let t = try Build.tensor(k, [.map(map)])
        #expect(t.shape == [1, 4])
        #expect(t.data == .float([1, 2, 0, 1]))
    }

    @Test func dictVectorizerInt64KeysAndStringValues() throws {
        let k = try Build.kernel(DictVectorizerKernel.schema, [Build.ints("int64_vocabulary", [5, 1])])
        let t = try Build.tensor(k, [.map(MapValue(keys: .int64([1, 7]), values: .string(["one", "seven"])))])
        #expect(t.data == .string(["", "one"]))
        #expect(throws: KernelError.self) { try k.run([.map(MapValue(keys: .string(["1"]), values: .float([1])))]) }
        #expect(throws: KernelError.self) { try k.run([.tensor(Tensor(shape: [1], data: .float([1])))]) }
    }

    @Test func castMapDenseSortsKeys() throws {
        let k = try Build.kernel(CastMapKernel.schema, [])
        let t = try Build.tensor(k, [.map(MapValue(keys: .int64([3, 1]), values: .string(["1.5", " 2abc"])))])
        #expect(t.shape == [1, 2])
        #expect(t.data == .float([2, 1.5]))
        #expect(throws: KernelError.self) { try k.run([.map(MapValue(keys: .int64([0]), values: .string(["x"])))]) }
    }

    @Test func castMapSparsePadsAndIgnoresLargeKeys() throws {
        let k = try Build.kernel(CastMapKernel.schema, [Build.string("map_form", "SPARSE"), Build.int("max_map", 4), Build.string("cast_to", "TO_STRING")])
        let t = try Build.tensor(k, [.map(MapValue(keys: .int64([7, 0, 2]), values: .float([9, 1, 2.5])))])
        #expect(t.data == .string(["1.000000", "0.f", "2.500000", "0.f"]))
        #expect(throws: KernelError.self) { try k.run([.map(MapValue(keys: .int64([-1, 2]), values: .float([1, 2])))]) }
    }

    @Test func castMapToInt64() throws {
        let k = try Build.kernel(CastMapKernel.schema, [Build.string("cast_to", "TO_INT64")])
        let t = try Build.tensor(k, [.map(MapValue(keys: .int64([2, 1]), values: .float([-2.7, 3.9])))])
        #expect(t.data == .int64([3, -2]))
    }

    @Test func castMapRejectsBadAttributes() {
        #expect(throws: BuildError.self) { try Build.kernel(CastMapKernel.schema, [Build.string("cast_to", "TO_BOOL")]) }
        #expect(throws: BuildError.self) { try Build.kernel(CastMapKernel.schema, [Build.string("map_form", "SPARSE"), Build.int("max_map", 0)]) }
    }
}

@Suite("Text operators")
struct TextOperatorTests {
    @Test func tokenizerUsesRE2AsciiClasses() throws {
        let k = try Build.kernel(TokenizerKernel.schema, [Build.int("mark", 1), Build.int("mincharnum", 1), Build.string("pad_value", "#"), Build.string("tokenexp", #"\b\w\w+\b"#)])
        let t = try Build.tensor(k, [.tensor(Tensor(shape: [2], data: .string(["naïve café", "a bc"])))])
        // ï and é are not RE2 word characters, so they split words (as in onnxruntime).
        #expect(t.shape == [2, 5])
        #expect(t.data == .string(["\u{02}", "na", "ve", "caf", "\u{03}", "\u{02}", "bc", "\u{03}", "#", "#"]))
    }

    /// One kernel (one NSRegularExpression) shared by concurrent runs gives the same tokens.
    @Test func tokenizerIsSafeToShareAcrossThreads() async throws {
        let k = try Build.kernel(TokenizerKernel.schema, [Build.int("mark", 0), Build.int("mincharnum", 1), Build.string("pad_value", "#"), Build.string("tokenexp", "[a-zA-Z0-9_]+")])
        let text = (0..<64).map { "row \($0): the quick brown fox, jumps over \($0 * 7) lazy dogs" }
        let input = Tensor(shape: [text.count], data: .string(text))
        let expected = try Build.tensor(k, [.tensor(input)])
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<20 where try Build.tensor(k, [.tensor(input)]) != expected { return false }
                    return true
                }
            }
            var all: [Bool] = []
            for try await ok in group { all.append(ok) }
            return all
        }
        #expect(results.allSatisfy { $0 })
    }

    @Test func tokenizerSeparatorsApplyInTurn() throws {
        let k = try Build.kernel(TokenizerKernel.schema, [Build.int("mark", 0), Build.int("mincharnum", 2), Build.string("pad_value", "#"), Build.strings("separators", [" ", ","])])
        let t = try Build.tensor(k, [.tensor(Tensor(shape: [1, 2], data: .string(["ab cd,e", ""])))])
        #expect(t.shape == [1, 2, 2])
        #expect(t.data == .string(["ab", "cd", "#", "#"]))
        let none = try Build.tensor(k, [.tensor(Tensor(shape: [1], data: .string([" "])))])
        #expect(none.shape == [1, 0])
    }

    @Test func tokenizerRejectsBadPatterns() {
        let base = [Build.int("mark", 0), Build.int("mincharnum", 1), Build.string("pad_value", "#")]
        #expect(throws: BuildError.self) { try Build.kernel(TokenizerKernel.schema, base + [Build.string("tokenexp", "(")]) }
        #expect(throws: BuildError.self) { try Build.kernel(TokenizerKernel.schema, base) }
    }

    @Test func stringNormalizerSimpleCaseMapping() throws {
        let k = try Build.kernel(StringNormalizerKernel.schema, [Build.string("case_change_action", "UPPER"), Build.strings("stopwords", ["monday"])], version: 10)
        let t = try Build.tensor(k, [.tensor(Tensor(shape: [3], data: .string(["Monday", "straße", "école"])))])
        #expect(t.data == .string(["STRAßE", "ÉCOLE"]))
        let empty = try Build.tensor(k, [.tensor(Tensor(shape: [1, 1], data: .string(["MONDAY"])))])
        #expect(empty.shape == [1, 1])
        #expect(empty.data == .string([""]))
        #expect(throws: BuildError.self) { try Build.kernel(StringNormalizerKernel.schema, [Build.string("locale", "tr_TR")], version: 10) }
    }

    @Test func tfIdfHugeSkipCountIsCheap() throws {
        let attrs = [Build.string("mode", "TF"), Build.int("min_gram_length", 2), Build.int("max_gram_length", 2),
                     Build.int("max_skip_count", 1_000_000_000), Build.ints("ngram_counts", [0, 0]),
                     Build.ints("ngram_indexes", [0]), Build.ints("pool_int64s", [1, 2])]
        let k = try Build.kernel(TfIdfVectorizerKernel.schema, attrs, version: 9)
        let t = try Build.tensor(k, [.tensor(Tensor(shape: [4], data: .int64([1, 3, 3, 2])))])
        #expect(t.data == .float([1]))
    }
}
