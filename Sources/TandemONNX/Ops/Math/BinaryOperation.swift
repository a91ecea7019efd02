/// The element-wise binary operators of the default domain; one broadcasting kernel
/// (`BinaryKernel`) runs them all.
enum BinaryOperation: Sendable, Equatable {
    case add, sub, mul, div, mod(fmod: Bool), pow, max, min, prelu
    case equal, less, lessOrEqual, greater, greaterOrEqual
    case and, or, xor

    /// How the operands and the result are typed.
    enum Category { case arithmetic, power, comparison, logic }

    var category: Category {
        switch self {
        case .add, .sub, .mul, .div, .mod, .max, .min, .prelu: .arithmetic
        case .pow: .power
        case .equal, .less, .lessOrEqual, .greater, .greaterOrEqual: .comparison
        case .and, .or, .xor: .logic
        }
    }

    /// The element types each operand may have.
    var allowedTypes: Set<ElementType> {
        switch self {
        case .equal: ElementType.all
        case .and, .or, .xor: [.bool]
        default: ElementType.numbers
        }
    }

    /// Whether both operands must have the same element type (Pow mixes them).
    var sameTypes: Bool { self != .pow }

    /// `f(x, y)` for arithmetic element types.
    func arithmetic<T: ArithmeticScalar>(_: T.Type) -> (T, T) -> T {
        switch self {
        case .add: return T.add
        case .sub: return T.sub
        case .mul: return T.mul
        case .div: return T.div
        case .mod(let fmod): return { T.mod($0, $1, fmod: fmod) }
        case .max: return T.maximum
        case .min: return T.minimum
        case .prelu: return { x, slope in x < .zero ? T.mul(slope, x) : x }
        default: return { x, _ in x }
        }
    }

    /// `f(x, y)` for ordered comparisons.
    func ordered<T: Comparable>(_: T.Type) -> (T, T) -> Bool {
        switch self {
        case .less: return { $0 < $1 }
        case .lessOrEqual: return { $0 <= $1 }
        case .greater: return { $0 > $1 }
        case .greaterOrEqual: return { $0 >= $1 }
        default: return { $0 == $1 }
        }
    }

    /// `f(x, y)` for the boolean operators.
    var logic: (Bool, Bool) -> Bool {
        switch self {
        case .and: return { $0 && $1 }
        case .or: return { $0 || $1 }
        default: return { $0 != $1 }
        }
    }
}
