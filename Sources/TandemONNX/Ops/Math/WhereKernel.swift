/// `Where` (9, 16): `condition ? X : Y` element-wise with numpy broadcasting of all three;
/// X and Y may have any (the same) element type.
struct WhereKernel: Kernel {
    static let schema = OperatorSchema(opType: "Where", domain: "", versions: [9, 16], inputs: 3...3, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.bool])
        try ctx.requireInput(1, oneOf: ElementType.all)
        try ctx.requireInput(2, oneOf: ElementType.all)
        if let a = ctx.inputElement(1), let b = ctx.inputElement(2), a != b {
            throw BuildError(.typeMismatch, "X and Y have different element types (\(a) and \(b))")
        }
        let shape = Broadcasting.shape(ctx.inputShape(0), Broadcasting.shape(ctx.inputShape(1), ctx.inputShape(2)))
        return BuiltKernel(kernel: WhereKernel(), outputTypes: [.tensor(ctx.inputElement(1) ?? ctx.inputElement(2), shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let c = try Inputs.tensor(inputs, 0, "condition"), x = try Inputs.tensor(inputs, 1, "X"), y = try Inputs.tensor(inputs, 2, "Y")
        guard case .bool(let cond) = c.data else { throw KernelError("condition must be tensor(bool), got tensor(\(c.elementType))") }
        guard let xy = Broadcasting.shape(x.shape, y.shape), let out = Broadcasting.shape(c.shape, xy) else {
            throw KernelError("shapes \(c.shape), \(x.shape) and \(y.shape) cannot be broadcast")
        }
        _ = try Shapes.checkedCount(out)
        let data = try x.data.visit(WhereStep(cond: cond, cs: c.shape, xs: x.shape, y: y.data, ys: y.shape, out: out))
        return [.tensor(Tensor(shape: out, data: data))]
    }
}

private struct WhereStep: TensorVisitor {
    let cond: [Bool], cs: [Int], xs: [Int], y: TensorData, ys: [Int], out: [Int]
    func visit<T: TensorScalar>(_ x: [T]) throws(KernelError) -> TensorData {
        guard let yv = T.unwrap(y) else {
            throw KernelError("X and Y have different element types (tensor(\(T.elementType)) and tensor(\(y.elementType)))")
        }
        return T.wrap(Broadcasting.map3(cond, cs, x, xs, yv, ys, out) { $0 ? $1 : $2 })
    }
}
