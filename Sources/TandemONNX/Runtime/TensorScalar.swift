/// The Swift types a tensor's elements can have, so a kernel can be written once, generically,
/// and dispatched on a `TensorData` case with one of the visitors below.
protocol TensorScalar: Sendable, Equatable {
    static var elementType: ElementType { get }
    /// Wraps an array of this type as tensor storage.
    static func wrap(_ values: [Self]) -> TensorData
    /// The array when `data` holds this type.
    static func unwrap(_ data: TensorData) -> [Self]?
    /// The zero / empty / false value.
    static var zero: Self { get }
}

/// A numeric element type (every type but string; bool counts as 0/1).
protocol NumericScalar: TensorScalar {
    /// The value as a double (exact for every integer type but int64 beyond 2^53).
    var asDouble: Double { get }
    /// The value converted from a double as a cast would: integers truncate toward zero and
    /// saturate, NaN becomes 0 (never a trap).
    init(fromDouble value: Double)
}

/// A numeric element type with an order: every type but string and bool.
protocol OrderedScalar: NumericScalar, Comparable {}

/// float and double.
protocol FloatingScalar: OrderedScalar, BinaryFloatingPoint {}

/// The signed and unsigned integer element types.
protocol IntegerScalar: OrderedScalar, FixedWidthInteger {}

extension IntegerScalar {
    init(fromDouble value: Double) {
        if value.isNaN { self = 0 } else { self = Self(clamping: Int64(exactly: value.rounded(.towardZero)) ?? (value > 0 ? Int64.max : Int64.min)) }
    }
    var asDouble: Double { Double(self) }
}

extension Float: FloatingScalar {
    static var elementType: ElementType { .float }
    static func wrap(_ values: [Float]) -> TensorData { .float(values) }
    static func unwrap(_ data: TensorData) -> [Float]? { if case .float(let v) = data { v } else { nil } }
    init(fromDouble value: Double) { self = Float(value) }
    var asDouble: Double { Double(self) }
}

extension Double: FloatingScalar {
    static var elementType: ElementType { .double }
    static func wrap(_ values: [Double]) -> TensorData { .double(values) }
    static func unwrap(_ data: TensorData) -> [Double]? { if case .double(let v) = data { v } else { nil } }
    init(fromDouble value: Double) { self = value }
    var asDouble: Double { self }
}

extension Int64: IntegerScalar {
    static var elementType: ElementType { .int64 }
    static func wrap(_ values: [Int64]) -> TensorData { .int64(values) }
    static func unwrap(_ data: TensorData) -> [Int64]? { if case .int64(let v) = data { v } else { nil } }
}

extension Int32: IntegerScalar {
    static var elementType: ElementType { .int32 }
    static func wrap(_ values: [Int32]) -> TensorData { .int32(values) }
    static func unwrap(_ data: TensorData) -> [Int32]? { if case .int32(let v) = data { v } else { nil } }
}

extension Int8: IntegerScalar {
    static var elementType: ElementType { .int8 }
    static func wrap(_ values: [Int8]) -> TensorData { .int8(values) }
    static func unwrap(_ data: TensorData) -> [Int8]? { if case .int8(let v) = data { v } else { nil } }
}

extension UInt8: IntegerScalar {
    static var elementType: ElementType { .uint8 }
    static func wrap(_ values: [UInt8]) -> TensorData { .uint8(values) }
    static func unwrap(_ data: TensorData) -> [UInt8]? { if case .uint8(let v) = data { v } else { nil } }
}

extension Bool: NumericScalar {
    static var elementType: ElementType { .bool }
    static func wrap(_ values: [Bool]) -> TensorData { .bool(values) }
    static func unwrap(_ data: TensorData) -> [Bool]? { if case .bool(let v) = data { v } else { nil } }
    static var zero: Bool { false }
    init(fromDouble value: Double) { self = value != 0 }
    var asDouble: Double { self ? 1 : 0 }
}

extension String: TensorScalar {
    static var elementType: ElementType { .string }
    static func wrap(_ values: [String]) -> TensorData { .string(values) }
    static func unwrap(_ data: TensorData) -> [String]? { if case .string(let v) = data { v } else { nil } }
    static var zero: String { "" }
}

/// A computation generic over every element type (data movement: transpose, slice, tile...).
protocol TensorVisitor {
    associatedtype Output
    func visit<T: TensorScalar>(_ values: [T]) throws(KernelError) -> Output
}

/// A computation generic over the numeric element types (bool included).
protocol NumericVisitor {
    associatedtype Output
    func visit<T: NumericScalar>(_ values: [T]) throws(KernelError) -> Output
}

/// A computation generic over the ordered numeric types (every numeric type but bool).
protocol OrderedVisitor {
    associatedtype Output
    func visit<T: OrderedScalar>(_ values: [T]) throws(KernelError) -> Output
}

/// A computation generic over float and double.
protocol FloatingVisitor {
    associatedtype Output
    func visit<T: FloatingScalar>(_ values: [T]) throws(KernelError) -> Output
}

extension TensorData {
    /// Runs `visitor` on the stored array, whatever its element type.
    func visit<V: TensorVisitor>(_ visitor: V) throws(KernelError) -> V.Output {
        switch self {
        case .float(let v): try visitor.visit(v)
        case .double(let v): try visitor.visit(v)
        case .int64(let v): try visitor.visit(v)
        case .int32(let v): try visitor.visit(v)
        case .int8(let v): try visitor.visit(v)
        case .uint8(let v): try visitor.visit(v)
        case .string(let v): try visitor.visit(v)
        case .bool(let v): try visitor.visit(v)
        }
    }

    /// Runs `visitor` on a numeric array; fails for strings.
    func visitNumeric<V: NumericVisitor>(_ visitor: V, _ what: String = "input") throws(KernelError) -> V.Output {
        switch self {
        case .float(let v): return try visitor.visit(v)
        case .double(let v): return try visitor.visit(v)
        case .int64(let v): return try visitor.visit(v)
        case .int32(let v): return try visitor.visit(v)
        case .int8(let v): return try visitor.visit(v)
        case .uint8(let v): return try visitor.visit(v)
        case .bool(let v): return try visitor.visit(v)
        case .string: throw KernelError("\(what) must be numeric, got tensor(string)")
        }
    }

    /// Runs `visitor` on a numeric array other than bool; fails for strings and bools.
    func visitOrdered<V: OrderedVisitor>(_ visitor: V, _ what: String = "input") throws(KernelError) -> V.Output {
        switch self {
        case .float(let v): return try visitor.visit(v)
        case .double(let v): return try visitor.visit(v)
        case .int64(let v): return try visitor.visit(v)
        case .int32(let v): return try visitor.visit(v)
        case .int8(let v): return try visitor.visit(v)
        case .uint8(let v): return try visitor.visit(v)
        case .bool, .string: throw KernelError("\(what) must be a number, got tensor(\(elementType))")
        }
    }

    /// Runs `visitor` on a float or double array; fails for other types.
    func visitFloating<V: FloatingVisitor>(_ visitor: V, _ what: String = "input") throws(KernelError) -> V.Output {
        switch self {
        case .float(let v): return try visitor.visit(v)
        case .double(let v): return try visitor.visit(v)
        default: throw KernelError("\(what) must be float or double, got tensor(\(elementType))")
        }
    }

    /// The elements as doubles (bool as 0/1); `nil` for strings.
    var doubles: [Double]? {
        switch self {
        case .float(let v): v.map { Double($0) }
        case .double(let v): v
        case .int64(let v): v.map { Double($0) }
        case .int32(let v): v.map { Double($0) }
        case .int8(let v): v.map { Double($0) }
        case .uint8(let v): v.map { Double($0) }
        case .bool(let v): v.map { $0 ? 1 : 0 }
        case .string: nil
        }
    }

    /// The elements as Int64 for any integer or bool type; `nil` for floating and string tensors.
    var int64s: [Int64]? {
        switch self {
        case .int64(let v): v
        case .int32(let v): v.map { Int64($0) }
        case .int8(let v): v.map { Int64($0) }
        case .uint8(let v): v.map { Int64($0) }
        case .bool(let v): v.map { $0 ? 1 : 0 }
        default: nil
        }
    }
}

extension ElementType {
    /// Every element type Tandem runs.
    static let all: Set<ElementType> = [.float, .double, .int64, .int32, .int8, .uint8, .bool, .string]
    /// The numeric types, bool excluded.
    static let numbers: Set<ElementType> = [.float, .double, .int64, .int32, .int8, .uint8]
    /// float and double.
    static let floating: Set<ElementType> = [.float, .double]
    /// The integer types.
    static let integers: Set<ElementType> = [.int64, .int32, .int8, .uint8]
}
