/// One kernel for every element-wise binary operator, numpy broadcasting: Add, Sub, Mul, Div
/// (7, 13, 14), Mod (10, 13), Pow (7, 12, 13, 15, base and exponent types may differ), PRelu
/// (7, 9, 16), Equal (7, 11, 13, 19; strings and bools too), Less/Greater (7, 9, 13),
/// LessOrEqual/GreaterOrEqual (12, 16), And/Or/Xor (7). Integer arithmetic wraps; integer
/// division truncates and division or modulo by zero gives 0 (numpy's result) instead of trapping.
struct BinaryKernel: Kernel {
    let operation: BinaryOperation

    static func schema(_ op: String, _ versions: [Int64], _ operation: BinaryOperation) -> OperatorSchema {
        OperatorSchema(opType: op, domain: "", versions: versions, inputs: 2...2, outputs: 1...1) { ctx throws(BuildError) in
            var operation = operation
            if case .mod = operation {
                let fmod = try ctx.attributes.int("fmod") ?? 0
                guard fmod == 0 || fmod == 1 else { throw BuildError(.invalidAttribute, "attribute 'fmod' must be 0 or 1, got \(fmod)") }
                operation = .mod(fmod: fmod == 1)
            }
            let (type, role) = try inferOutput(ctx, operation)
            return BuiltKernel(kernel: BinaryKernel(operation: operation), outputTypes: [type], role: role)
        }
    }

    /// Checks the operand types and infers the output's type and role.
    static func inferOutput(_ ctx: NodeContext, _ operation: BinaryOperation) throws(BuildError) -> (ValueType, NodeRole) {
        try ctx.requireInput(0, oneOf: operation.allowedTypes)
        try ctx.requireInput(1, oneOf: operation.allowedTypes)
        if operation.sameTypes, let a = ctx.inputElement(0), let b = ctx.inputElement(1), a != b {
            throw BuildError(.typeMismatch, "inputs have different element types (\(a) and \(b))")
        }
        let shapeA = ctx.inputShape(0), shapeB = ctx.inputShape(1)
        let shape = Broadcasting.shape(shapeA, shapeB)
        if shapeA != nil, shapeB != nil, shape == nil {
            throw BuildError(.typeMismatch, "input shapes \(ctx.inputTypes[0]?.text ?? "?") and \(ctx.inputTypes[1]?.text ?? "?") cannot be broadcast")
        }
        let element: ElementType?
        switch operation.category {
        case .comparison, .logic: element = .bool
        case .power: element = ctx.inputElement(0)
        case .arithmetic: element = ctx.inputElement(0) ?? ctx.inputElement(1)
        }
        // Multiplying by a constant 1 or adding a constant 0 (LightGBM's export) keeps the meaning of input 0.
        var role = NodeRole.plain
        if let c = ctx.constantInputs.count > 1 ? ctx.constantInputs[1] : nil, let values = c.floatValues() {
            if operation == .mul, values.allSatisfy({ $0 == 1 }) { role = .passThrough }
            if operation == .add, values.allSatisfy({ $0 == 0 }) { role = .passThrough }
        }
        return (.tensor(element, shape: shape), role)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let a = try Inputs.tensor(inputs, 0, "A"), b = try Inputs.tensor(inputs, 1, "B")
        return [.tensor(try Self.apply(operation, a, b))]
    }

    /// `a (op) b` with broadcasting; also the step of the variadic Max/Min/Sum/Mean.
    static func apply(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor) throws(KernelError) -> Tensor {
        guard let out = Broadcasting.shape(a.shape, b.shape) else {
            throw KernelError("shapes \(a.shape) and \(b.shape) cannot be broadcast")
        }
        _ = try Shapes.checkedCount(out)
        let data: TensorData
        switch operation.category {
        case .arithmetic:
            if case .float(let x) = a.data, case .float(let y) = b.data, operation == .add || operation == .mul,
               let fast = Broadcasting.floatFastPath(x, a.shape, y, b.shape, out, add: operation == .add) {
                data = .float(fast)
            } else {
                data = try a.data.visitArithmetic(ArithmeticStep(operation: operation, xs: a.shape, y: b.data, ys: b.shape, out: out), "A")
            }
        case .power:
            data = try a.data.visitArithmetic(PowerStep(xs: a.shape, y: b.data, ys: b.shape, out: out), "base")
        case .comparison:
            if operation == .equal {
                data = try a.data.visit(EqualStep(xs: a.shape, y: b.data, ys: b.shape, out: out))
            } else {
                data = try a.data.visitOrdered(OrderStep(operation: operation, xs: a.shape, y: b.data, ys: b.shape, out: out), "A")
            }
        case .logic:
            guard case .bool(let x) = a.data, case .bool(let y) = b.data else {
                throw KernelError("expects bool operands, got tensor(\(a.elementType)) and tensor(\(b.elementType))")
            }
            data = .bool(Broadcasting.map(x, a.shape, y, b.shape, out, operation.logic))
        }
        return Tensor(shape: out, data: data)
    }
}

/// The operand `y` as `T`'s array, or an error naming both types.
private func sameType<T: TensorScalar>(_ y: TensorData, _: T.Type) throws(KernelError) -> [T] {
    guard let v = T.unwrap(y) else {
        throw KernelError("operands have different element types (tensor(\(T.elementType)) and tensor(\(y.elementType)))")
    }
    return v
}

private struct ArithmeticStep: ArithmeticVisitor {
    let operation: BinaryOperation
    let xs: [Int], y: TensorData, ys: [Int], out: [Int]
    func visit<T: ArithmeticScalar>(_ x: [T]) throws(KernelError) -> TensorData {
        T.wrap(Broadcasting.map(x, xs, try sameType(y, T.self), ys, out, operation.arithmetic(T.self)))
    }
}

private struct OrderStep: OrderedVisitor {
    let operation: BinaryOperation
    let xs: [Int], y: TensorData, ys: [Int], out: [Int]
    func visit<T: OrderedScalar>(_ x: [T]) throws(KernelError) -> TensorData {
        .bool(Broadcasting.map(x, xs, try sameType(y, T.self), ys, out, operation.ordered(T.self)))
    }
}

private struct EqualStep: TensorVisitor {
    let xs: [Int], y: TensorData, ys: [Int], out: [Int]
    func visit<T: TensorScalar>(_ x: [T]) throws(KernelError) -> TensorData {
        .bool(Broadcasting.map(x, xs, try sameType(y, T.self), ys, out, ==))
    }
}

/// Pow: the result has the base's type. Integer base and exponent use exact integer powers
/// (wrapping); otherwise the power is computed in floating point and converted like a cast.
private struct PowerStep: ArithmeticVisitor {
    let xs: [Int], y: TensorData, ys: [Int], out: [Int]
    func visit<T: ArithmeticScalar>(_ x: [T]) throws(KernelError) -> TensorData {
        if T.isInteger, let e = y.int64s, y.elementType != .bool {
            return T.wrap(Broadcasting.map(x, xs, e, ys, out, T.powerInt))
        }
        guard let e = y.doubles, y.elementType != .bool else {
            throw KernelError("exponent must be a number, got tensor(\(y.elementType))")
        }
        // x^2 (naive Bayes, variances) is the correctly rounded square, as onnxruntime computes it;
        // glibc's powf(x, 2) is one ulp off for ~0.08% of float inputs, and is ~10x slower.
        if !T.isInteger, e.count == 1, e[0] == 2 {
            return T.wrap(Broadcasting.map(x, xs, e, ys, out) { a, _ in T.mul(a, a) })
        }
        return T.wrap(Broadcasting.map(x, xs, e, ys, out, T.powerReal))
    }
}
