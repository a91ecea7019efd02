/// One ONNX node attribute (the subset of `AttributeProto` the exported models use).
enum ONNXAttribute {
    case int(Int64)
    case float(Float)
    case string(String)
    case ints([Int64])
    case floats([Float])
    case strings([String])
}

/// A single-node ONNX model: one float input `[N, features]`, one ai.onnx.ml operator, its outputs.
///
/// Serialised as `ModelProto` (IR version 8, opsets "" 15 and ai.onnx.ml 1) by `serialized()`.
struct ONNXModelProto {
    /// An output of the graph: its name, element type (1 float, 7 int64) and shape (`nil` = symbolic N).
    struct Output {
        var name: String
        var elementType: Int64
        var shape: [Int64?]
    }

    var opType: String
    var attributes: [(String, ONNXAttribute)]
    var inputName = "input"
    var featureCount: Int
    var outputs: [Output]
    var producerVersion: String
    var docString: String = ""

    static let floatType: Int64 = 1
    static let int64Type: Int64 = 7

    /// The model as protobuf bytes.
    func serialized() -> [UInt8] {
        var model = ProtobufWriter()
        model.int(1, 8)  // ir_version
        model.string(2, "tandem")  // producer_name
        model.string(3, producerVersion)  // producer_version
        if !docString.isEmpty { model.string(6, docString) }
        model.message(7) { graph in
            graph.message(1) { node in
                node.string(1, inputName)
                for o in outputs { node.string(2, o.name) }
                node.string(3, opType)
                node.string(4, opType)
                for (name, value) in attributes { node.message(5) { Self.attribute(&$0, name, value) } }
                node.string(7, "ai.onnx.ml")
            }
            graph.string(2, "tandem_trained")
            graph.message(11) { Self.valueInfo(&$0, inputName, Self.floatType, [nil, Int64(featureCount)]) }
            for o in outputs { graph.message(12) { Self.valueInfo(&$0, o.name, o.elementType, o.shape) } }
        }
        model.message(8) { opset in opset.string(1, ""); opset.int(2, 15) }
        model.message(8) { opset in opset.string(1, "ai.onnx.ml"); opset.int(2, 1) }
        return model.bytes
    }

    private static func attribute(_ w: inout ProtobufWriter, _ name: String, _ value: ONNXAttribute) {
        w.string(1, name)
        switch value {
        case .float(let f): w.float(2, f); w.int(20, 1)
        case .int(let i): w.int(3, i); w.int(20, 2)
        case .string(let s): w.string(4, s); w.int(20, 3)
        case .floats(let fs): w.packedFloats(7, fs); w.int(20, 6)
        case .ints(let xs): w.packedInts(8, xs); w.int(20, 7)
        case .strings(let ss):
            for s in ss { w.string(9, s) }
            w.int(20, 8)
        }
    }

    private static func valueInfo(_ w: inout ProtobufWriter, _ name: String, _ elementType: Int64, _ shape: [Int64?]) {
        w.string(1, name)
        w.message(2) { type in
            type.message(1) { tensor in
                tensor.int(1, elementType)
                tensor.message(2) { dims in
                    for d in shape {
                        dims.message(1) { dim in
                            if let d { dim.int(1, d) } else { dim.string(2, "N") }
                        }
                    }
                }
            }
        }
    }
}
