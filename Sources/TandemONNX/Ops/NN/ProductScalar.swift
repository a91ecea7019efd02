/// The element types the NN family multiplies and sums (MatMul, Gemm, Einsum): float and double
/// with IEEE arithmetic, int32 and int64 wrapping on overflow as onnxruntime does.
protocol ProductScalar: NumericScalar {
    static func product(_ a: Self, _ b: Self) -> Self
    static func sum(_ a: Self, _ b: Self) -> Self
}

extension Float: ProductScalar {
    @inline(__always) static func product(_ a: Float, _ b: Float) -> Float { a * b }
    @inline(__always) static func sum(_ a: Float, _ b: Float) -> Float { a + b }
}

extension Double: ProductScalar {
    @inline(__always) static func product(_ a: Double, _ b: Double) -> Double { a * b }
    @inline(__always) static func sum(_ a: Double, _ b: Double) -> Double { a + b }
}

extension Int64: ProductScalar {
    @inline(__always) static func product(_ a: Int64, _ b: Int64) -> Int64 { a &* b }
    @inline(__always) static func sum(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
}

extension Int32: ProductScalar {
    @inline(__always) static func product(_ a: Int32, _ b: Int32) -> Int32 { a &* b }
    @inline(__always) static func sum(_ a: Int32, _ b: Int32) -> Int32 { a &+ b }
}

/// A computation generic over the `ProductScalar` types.
protocol ProductVisitor {
    associatedtype Output
    func visit<T: ProductScalar>(_ values: [T]) throws(KernelError) -> Output
}

extension TensorData {
    /// Runs `visitor` on a float, double, int64 or int32 array; fails for other types.
    func visitProduct<V: ProductVisitor>(_ visitor: V, _ what: String = "input") throws(KernelError) -> V.Output {
        switch self {
        case .float(let v): return try visitor.visit(v)
        case .double(let v): return try visitor.visit(v)
        case .int64(let v): return try visitor.visit(v)
        case .int32(let v): return try visitor.visit(v)
        default: throw KernelError("\(what) must be float, double, int64 or int32, got tensor(\(elementType))")
        }
    }
}
