import TandemONNX

/// The Open Inference Protocol's tensor datatypes (`BOOL`, `UINT8` ... `FP64`, `BYTES`), mapped onto the
/// element types Tandem's runtime holds. The protocol names more (`UINT16`, `FP16`, ...); the runtime has no
/// storage for them, so a request that sends one is refused with a message listing those it takes.
enum OIPDataType {
    /// Every datatype the protocol defines.
    static let protocolNames: Set<String> = [
        "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BF16",
        "BYTES",
    ]

    /// The datatypes Tandem reads and writes, in the protocol's order.
    static let supportedNames = ["BOOL", "UINT8", "INT8", "INT32", "INT64", "FP32", "FP64", "BYTES"]

    /// The protocol's name for a runtime element type.
    static func name(_ type: ElementType) -> String {
        switch type {
        case .bool: "BOOL"
        case .uint8: "UINT8"
        case .int8: "INT8"
        case .int32: "INT32"
        case .int64: "INT64"
        case .float: "FP32"
        case .double: "FP64"
        case .string: "BYTES"
        }
    }

    /// The runtime element type for a protocol name; nil for names the runtime cannot hold.
    static func elementType(_ name: String) -> ElementType? {
        switch name {
        case "BOOL": .bool
        case "UINT8": .uint8
        case "INT8": .int8
        case "INT32": .int32
        case "INT64": .int64
        case "FP32": .float
        case "FP64": .double
        case "BYTES": .string
        default: nil
        }
    }

    /// Bytes per element in the binary extension; nil for BYTES (each element carries a 4-byte length).
    static func width(_ type: ElementType) -> Int? {
        switch type {
        case .bool, .uint8, .int8: 1
        case .int32, .float: 4
        case .int64, .double: 8
        case .string: nil
        }
    }

    /// Triton's model-config name (`TYPE_FP32`, `TYPE_STRING`) for `/config`.
    static func configName(_ type: ElementType) -> String {
        switch type {
        case .bool: "TYPE_BOOL"
        case .uint8: "TYPE_UINT8"
        case .int8: "TYPE_INT8"
        case .int32: "TYPE_INT32"
        case .int64: "TYPE_INT64"
        case .float: "TYPE_FP32"
        case .double: "TYPE_FP64"
        case .string: "TYPE_STRING"
        }
    }

    /// The datatype and shape the metadata shows for a model output. A ZipMap output (a sequence of
    /// class-to-score maps) travels as its FP32 score matrix, one row per record, one column per class.
    static func describe(_ output: ModelSignature.Output, classes: Int?) -> (datatype: String, shape: [Int]) {
        switch output.kind {
        case .tensor(let type): (name(type), output.shape.map { $0 ?? -1 })
        case .mapSequence: ("FP32", [-1, classes ?? -1])
        }
    }
}
