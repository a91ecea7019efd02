/// The element types a Tandem tensor can hold.
///
/// The raw values are the ONNX `TensorProto.DataType` numbers, so a type read from a
/// model file maps onto this enum with `ElementType(rawValue:)`.
public enum ElementType: Int32, Sendable, Hashable, CustomStringConvertible {
    case float = 1
    case uint8 = 2
    case int8 = 3
    case int32 = 6
    case int64 = 7
    case string = 8
    case bool = 9
    case double = 11

    /// The name onnxruntime uses in type strings (`tensor(float)`).
    public var description: String {
        switch self {
        case .float: "float"
        case .uint8: "uint8"
        case .int8: "int8"
        case .int32: "int32"
        case .int64: "int64"
        case .string: "string"
        case .bool: "bool"
        case .double: "double"
        }
    }
}

/// The contiguous, row-major storage of a tensor.
public enum TensorData: Sendable, Equatable {
    case float([Float])
    case double([Double])
    case int64([Int64])
    case int32([Int32])
    case int8([Int8])
    case uint8([UInt8])
    case string([String])
    case bool([Bool])

    /// `count` zero values of `type` (0, 0.0, false or "").
    public static func zeros(_ type: ElementType, count: Int) -> TensorData {
        switch type {
        case .float: .float(Array(repeating: 0, count: count))
        case .double: .double(Array(repeating: 0, count: count))
        case .int64: .int64(Array(repeating: 0, count: count))
        case .int32: .int32(Array(repeating: 0, count: count))
        case .int8: .int8(Array(repeating: 0, count: count))
        case .uint8: .uint8(Array(repeating: 0, count: count))
        case .string: .string(Array(repeating: "", count: count))
        case .bool: .bool(Array(repeating: false, count: count))
        }
    }

    /// The element type of the stored values.
    public var elementType: ElementType {
        switch self {
        case .float: .float
        case .double: .double
        case .int64: .int64
        case .int32: .int32
        case .int8: .int8
        case .uint8: .uint8
        case .string: .string
        case .bool: .bool
        }
    }

    /// The number of stored elements.
    public var count: Int {
        switch self {
        case .float(let v): v.count
        case .double(let v): v.count
        case .int64(let v): v.count
        case .int32(let v): v.count
        case .int8(let v): v.count
        case .uint8(let v): v.count
        case .string(let v): v.count
        case .bool(let v): v.count
        }
    }
}

/// A dense, row-major tensor: a shape and a flat buffer of `shape.product` elements.
public struct Tensor: Sendable, Equatable {
    /// The dimensions, outermost first. A scalar has an empty shape.
    public var shape: [Int]
    /// The elements, row-major.
    public var data: TensorData

    /// Creates a tensor; `data.count` must equal the product of `shape`.
    public init(shape: [Int], data: TensorData) {
        self.shape = shape
        self.data = data
    }

    /// The element type of the tensor.
    public var elementType: ElementType { data.elementType }

    /// The number of elements (the product of the shape).
    public var count: Int { data.count }
}

/// The keys of a ZipMap output: one label per column of the score matrix.
public enum MapKeys: Sendable, Equatable {
    case int64([Int64])
    case string([String])

    /// The number of keys.
    public var count: Int {
        switch self {
        case .int64(let k): k.count
        case .string(let k): k.count
        }
    }
}

/// A sequence of maps, one per row, as ZipMap produces (`seq(map(int64|string, float))`).
///
/// Stored column-aligned rather than as dictionaries: row `r` maps `keys[j]` to
/// `values[r * keys.count + j]`.
public struct MapSequence: Sendable, Equatable {
    /// The map keys, in the column order of the producing score matrix.
    public var keys: MapKeys
    /// `rows * keys.count` values, row-major.
    public var values: [Float]
    /// The number of maps in the sequence.
    public var rows: Int

    /// Creates a map sequence; `values.count` must equal `rows * keys.count`.
    public init(keys: MapKeys, values: [Float], rows: Int) {
        self.keys = keys
        self.values = values
        self.rows = rows
    }
}

/// One map from keys to values (`map(int64|string, T)`), as DictVectorizer and CastMap take.
///
/// Stored column-aligned: `keys[i]` maps to `values[i]`; keys are unique.
public struct MapValue: Sendable, Equatable {
    /// The keys, in the order they were given.
    public var keys: MapKeys
    /// One value per key (float, double, int64 or string).
    public var values: TensorData

    /// Creates a map; `values.count` must equal `keys.count`.
    public init(keys: MapKeys, values: TensorData) {
        self.keys = keys
        self.values = values
    }
}

/// A value flowing through a graph or returned from a model: a tensor, a sequence of maps
/// (ZipMap's output) or a single map (DictVectorizer's and CastMap's input).
public enum Value: Sendable, Equatable {
    case tensor(Tensor)
    case mapSequence(MapSequence)
    case map(MapValue)
}
