/// The element-wise unary math and activation operators; one kernel (`UnaryKernel`) runs them
/// all. Parameters are the node's float attributes, applied in the tensor's precision. NaN
/// propagates through every op (Swift's `max`/`min` alone would replace it).
enum UnaryOperation: Sendable, Equatable {
    case abs, neg, sign, relu
    case ceil, floor, round, sqrt, reciprocal, exp, log, erf
    case sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh
    case sigmoid, softplus, softsign, mish, hardSwish
    case elu(alpha: Double), celu(alpha: Double), selu(alpha: Double, gamma: Double)
    case leakyRelu(alpha: Double), hardSigmoid(alpha: Double, beta: Double)
    case thresholdedRelu(alpha: Double), shrink(bias: Double, lambd: Double), gelu(tanh: Bool)

    /// Whether the op also runs on integer tensors (Abs, Neg, Sign, Relu, Shrink).
    var acceptsIntegers: Bool {
        switch self {
        case .abs, .neg, .sign, .relu, .shrink: true
        default: false
        }
    }

    /// `f` over a float or double array.
    func floating<T: MathFloat & ArithmeticScalar>(_ v: [T]) -> [T] {
        switch self {
        case .abs: return v.map { $0.magnitude }
        case .neg: return v.map { -$0 }
        case .sign: return v.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) }
        case .relu: return v.map { $0 < 0 ? 0 : $0 }
        case .ceil: return v.map { $0.rounded(.up) }
        case .floor: return v.map { $0.rounded(.down) }
        case .round: return v.map { $0.rounded(.toNearestOrEven) }
        case .sqrt: return v.map { $0.squareRoot() }
        case .reciprocal: return v.map { 1 / $0 }
        case .exp: return v.map(T.exp)
        case .log: return v.map(T.log)
        case .erf: return v.map(T.erf)
        case .sin: return v.map(T.sin)
        case .cos: return v.map(T.cos)
        case .tan: return v.map(T.tan)
        case .asin: return v.map(T.asin)
        case .acos: return v.map(T.acos)
        case .atan: return v.map(T.atan)
        case .sinh: return v.map(T.sinh)
        case .cosh: return v.map(T.cosh)
        case .tanh: return v.map(T.tanh)
        case .asinh: return v.map(T.asinh)
        case .acosh: return v.map(T.acosh)
        case .atanh: return v.map(T.atanh)
        case .sigmoid: return v.map(Self.sigmoid)
        case .softplus: return v.map(Self.softplus)
        case .softsign: return v.map { $0 / (1 + $0.magnitude) }
        case .mish: return v.map { $0 * T.tanh(Self.softplus($0)) }
        case .hardSwish: return v.map { $0 * Swift.max(0, Swift.min(1, $0 / 6 + 0.5)) }
        case .elu(let a):
            let alpha = T(a)
            return v.map { $0 < 0 ? alpha * T.expm1($0) : $0 }
        case .celu(let a):
            let alpha = T(a)
            return v.map { $0.isNaN ? $0 : Swift.max(0, $0) + Swift.min(0, alpha * T.expm1($0 / alpha)) }
        case .selu(let a, let g):
            let alpha = T(a), gamma = T(g)
            return v.map { $0 > 0 ? gamma * $0 : gamma * (alpha * T.exp($0) - alpha) }
        case .leakyRelu(let a):
            let alpha = T(a)
            return v.map { $0 < 0 ? alpha * $0 : $0 }
        case .hardSigmoid(let a, let b):
            let alpha = T(a), beta = T(b)
            return v.map { $0.isNaN ? $0 : Swift.max(0, Swift.min(1, alpha * $0 + beta)) }
        case .thresholdedRelu(let a):
            let alpha = T(a)
            return v.map { $0 > alpha ? $0 : 0 }
        case .shrink(let b, let l):
            let bias = T(b), lambd = T(l)
            return v.map { $0 < -lambd ? $0 + bias : ($0 > lambd ? $0 - bias : 0) }
        case .gelu(let approximate):
            if approximate {
                let c = T(0.7978845608028654)  // sqrt(2 / pi)
                return v.map { x in 0.5 * x * (1 + T.tanh(c * (x + T(0.044715) * x * x * x))) }
            }
            let r = T(0.7071067811865476)  // 1 / sqrt(2)
            return v.map { x in 0.5 * x * (1 + T.erf(x * r)) }
        }
    }

    /// `f` over an integer array, for the ops where `acceptsIntegers`; `nil` otherwise.
    func integer<T: ArithmeticScalar & FixedWidthInteger>(_ v: [T]) -> [T]? {
        switch self {
        case .abs: return v.map { $0 < 0 ? 0 &- $0 : $0 }
        case .neg: return v.map { 0 &- $0 }
        case .sign: return v.map { $0 > 0 ? 1 : ($0 < 0 ? 0 &- 1 : 0) }
        case .relu: return v.map { $0 < 0 ? 0 : $0 }
        case .shrink(let bias, let lambd):
            return v.map { x in
                let d = Double(x)
                return d < -lambd ? T(fromDouble: d + bias) : (d > lambd ? T(fromDouble: d - bias) : 0)
            }
        default: return nil
        }
    }

    /// The logistic function in the form that cannot overflow.
    static func sigmoid<T: MathFloat>(_ x: T) -> T {
        if x >= 0 { return 1 / (1 + T.exp(-x)) }
        let e = T.exp(x)
        return e / (1 + e)
    }

    /// `log(1 + exp(x))` without overflow for large `x`.
    static func softplus<T: MathFloat>(_ x: T) -> T {
        x > 0 ? x + T.log1p(T.exp(-x)) : T.log1p(T.exp(x))
    }
}
