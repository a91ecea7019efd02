import Foundation

/// float and double with the elementary functions the math kernels need, so every unary and
/// binary floating-point op is written once, generically, and computes in the tensor's own
/// precision (as onnxruntime does).
protocol MathFloat: FloatingScalar {
    static func exp(_ x: Self) -> Self
    static func expm1(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
    static func fmod(_ x: Self, _ y: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func tan(_ x: Self) -> Self
    static func asin(_ x: Self) -> Self
    static func acos(_ x: Self) -> Self
    static func atan(_ x: Self) -> Self
    static func sinh(_ x: Self) -> Self
    static func cosh(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func asinh(_ x: Self) -> Self
    static func acosh(_ x: Self) -> Self
    static func atanh(_ x: Self) -> Self
}

extension Float: MathFloat {
    static func exp(_ x: Float) -> Float { expf(x) }
    static func expm1(_ x: Float) -> Float { expm1f(x) }
    static func log(_ x: Float) -> Float { logf(x) }
    static func log1p(_ x: Float) -> Float { log1pf(x) }
    /// The SIMD polynomial (error bound in `VectorErf`), so Erf over arrays, Gelu and the fused
    /// chains give the same value for the same input.
    static func erf(_ x: Float) -> Float { VectorErf.erf(x) }
    static func pow(_ x: Float, _ y: Float) -> Float { powf(x, y) }
    static func fmod(_ x: Float, _ y: Float) -> Float { fmodf(x, y) }
    static func sin(_ x: Float) -> Float { sinf(x) }
    static func cos(_ x: Float) -> Float { cosf(x) }
    static func tan(_ x: Float) -> Float { tanf(x) }
    static func asin(_ x: Float) -> Float { asinf(x) }
    static func acos(_ x: Float) -> Float { acosf(x) }
    static func atan(_ x: Float) -> Float { atanf(x) }
    static func sinh(_ x: Float) -> Float { sinhf(x) }
    static func cosh(_ x: Float) -> Float { coshf(x) }
    static func tanh(_ x: Float) -> Float { tanhf(x) }
    static func asinh(_ x: Float) -> Float { asinhf(x) }
    static func acosh(_ x: Float) -> Float { acoshf(x) }
    static func atanh(_ x: Float) -> Float { atanhf(x) }
}

extension Double: MathFloat {
    static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
    static func log(_ x: Double) -> Double { Foundation.log(x) }
    static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    static func fmod(_ x: Double, _ y: Double) -> Double { Foundation.fmod(x, y) }
    static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    static func tan(_ x: Double) -> Double { Foundation.tan(x) }
    static func asin(_ x: Double) -> Double { Foundation.asin(x) }
    static func acos(_ x: Double) -> Double { Foundation.acos(x) }
    static func atan(_ x: Double) -> Double { Foundation.atan(x) }
    static func sinh(_ x: Double) -> Double { Foundation.sinh(x) }
    static func cosh(_ x: Double) -> Double { Foundation.cosh(x) }
    static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    static func asinh(_ x: Double) -> Double { Foundation.asinh(x) }
    static func acosh(_ x: Double) -> Double { Foundation.acosh(x) }
    static func atanh(_ x: Double) -> Double { Foundation.atanh(x) }
}

/// The arithmetic of the binary and reduction kernels, defined once for the floating types and
/// once for the integer types: integers wrap on overflow and never trap (division or modulo by
/// zero gives 0, as numpy does), floats follow IEEE.
protocol ArithmeticScalar: OrderedScalar {
    static var one: Self { get }
    static func add(_ a: Self, _ b: Self) -> Self
    static func sub(_ a: Self, _ b: Self) -> Self
    static func mul(_ a: Self, _ b: Self) -> Self
    /// Integers truncate toward zero (C), floats divide.
    static func div(_ a: Self, _ b: Self) -> Self
    /// `fmod == false`: the result has the divisor's sign (numpy `mod`); `true`: the dividend's (C `fmod`).
    static func mod(_ a: Self, _ b: Self, fmod: Bool) -> Self
    /// The maximum and minimum, propagating NaN (numpy `maximum` / `minimum`).
    static func maximum(_ a: Self, _ b: Self) -> Self
    static func minimum(_ a: Self, _ b: Self) -> Self
    /// The lowest and highest values: the identities of max and min over an empty set.
    static var lowest: Self { get }
    static var highest: Self { get }
    /// `-x` (integers wrap).
    static func negate(_ x: Self) -> Self
    static var isInteger: Bool { get }
    /// `a` to an integer power: exact (wrapping) for integers.
    static func powerInt(_ a: Self, _ e: Int64) -> Self
    /// `a` to a real power, computed in floating point (integers convert the result like a cast).
    static func powerReal(_ a: Self, _ e: Double) -> Self
}

extension ArithmeticScalar where Self: FixedWidthInteger {
    static var one: Self { 1 }
    static func add(_ a: Self, _ b: Self) -> Self { a &+ b }
    static func sub(_ a: Self, _ b: Self) -> Self { a &- b }
    static func mul(_ a: Self, _ b: Self) -> Self { a &* b }
    static func div(_ a: Self, _ b: Self) -> Self {
        b == 0 ? 0 : a.dividedReportingOverflow(by: b).partialValue
    }
    static func mod(_ a: Self, _ b: Self, fmod: Bool) -> Self {
        guard b != 0 else { return 0 }
        let r = a.remainderReportingOverflow(dividingBy: b).partialValue
        if !fmod, r != 0, (r < 0) != (b < 0) { return r &+ b }
        return r
    }
    static func maximum(_ a: Self, _ b: Self) -> Self { Swift.max(a, b) }
    static func minimum(_ a: Self, _ b: Self) -> Self { Swift.min(a, b) }
    static var lowest: Self { min }
    static var highest: Self { max }
    static func negate(_ x: Self) -> Self { 0 &- x }
    static var isInteger: Bool { true }
    static func powerInt(_ a: Self, _ e: Int64) -> Self {
        if e < 0 {
            // 1 / a^|e| truncated toward zero: only 1 and -1 survive.
            if a == 1 { return 1 }
            if Self.isSigned, a == 0 &- 1 { return e & 1 == 0 ? 1 : a }
            return 0
        }
        var result: Self = 1, base = a, n = e
        while n > 0 {
            if n & 1 == 1 { result = result &* base }
            base = base &* base
            n >>= 1
        }
        return result
    }
    static func powerReal(_ a: Self, _ e: Double) -> Self { Self(fromDouble: Foundation.pow(Double(a), e)) }
}

extension ArithmeticScalar where Self: MathFloat {
    static var one: Self { 1 }
    static func add(_ a: Self, _ b: Self) -> Self { a + b }
    static func sub(_ a: Self, _ b: Self) -> Self { a - b }
    static func mul(_ a: Self, _ b: Self) -> Self { a * b }
    static func div(_ a: Self, _ b: Self) -> Self { a / b }
    static func mod(_ a: Self, _ b: Self, fmod: Bool) -> Self {
        let r = Self.fmod(a, b)
        if fmod { return r }
        if r == 0 { return b.sign == .minus ? -0.0 : 0 }
        return (r < 0) != (b < 0) ? r + b : r
    }
    static func maximum(_ a: Self, _ b: Self) -> Self { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
    static func minimum(_ a: Self, _ b: Self) -> Self { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) }
    static var lowest: Self { -.infinity }
    static var highest: Self { .infinity }
    static func negate(_ x: Self) -> Self { -x }
    static var isInteger: Bool { false }
    static func powerInt(_ a: Self, _ e: Int64) -> Self { Self.pow(a, Self(e)) }
    static func powerReal(_ a: Self, _ e: Double) -> Self { Self.pow(a, Self(e)) }
}

extension Float: ArithmeticScalar {}
extension Double: ArithmeticScalar {}
extension Int64: ArithmeticScalar {}
extension Int32: ArithmeticScalar {}
extension Int8: ArithmeticScalar {}
extension UInt8: ArithmeticScalar {}

/// A computation generic over the arithmetic types (every numeric type but bool).
protocol ArithmeticVisitor {
    associatedtype Output
    func visit<T: ArithmeticScalar>(_ values: [T]) throws(KernelError) -> Output
}

extension TensorData {
    /// Runs `visitor` on a numeric array other than bool; fails for strings and bools.
    func visitArithmetic<V: ArithmeticVisitor>(_ visitor: V, _ what: String = "input") throws(KernelError) -> V.Output {
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
}
