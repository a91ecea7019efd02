/// `Einsum` (12) for float, double, int64 and int32: any equation (implicit or explicit output,
/// repeated labels within an operand as diagonals, broadcasting ellipsis), evaluated by one loop
/// over every combination of label values that multiplies the operands and accumulates into the
/// output.
struct EinsumKernel: Kernel {
    let equation: EinsumEquation

    static let schema = OperatorSchema(opType: "Einsum", domain: "", versions: [12], inputs: 1...Int(Int16.max), outputs: 1...1) { ctx throws(BuildError) in
        guard let text = try ctx.attributes.string("equation") else { throw BuildError(.invalidAttribute, "required attribute 'equation' (STRING) is missing") }
        let equation = try EinsumEquation(text)
        guard equation.inputs.count == ctx.inputTypes.count else {
            throw BuildError(.invalidAttribute, "equation '\(text)' has \(equation.inputs.count) input terms but the node has \(ctx.inputTypes.count) inputs")
        }
        for i in 0..<ctx.inputTypes.count { try ctx.requireInput(i, oneOf: [.float, .double, .int64, .int32]) }
        return BuiltKernel(kernel: EinsumKernel(equation: equation), outputTypes: [.tensor(ctx.inputElement(0), shape: nil)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        var tensors: [Tensor] = []
        for i in 0..<equation.inputs.count { tensors.append(try Inputs.tensor(inputs, i, "Inputs[\(i)]")) }
        let plan = try EinsumPlan(equation, shapes: tensors.map(\.shape))
        let data = try tensors[0].data.visitProduct(EinsumJob(plan: plan, operands: tensors.map(\.data)), "Inputs[0]")
        return [.tensor(Tensor(shape: plan.outputShape, data: data))]
    }
}

/// The iteration space of one Einsum run: every label's size, each operand's and the output's
/// element stride per label (repeated labels add their strides; broadcast ellipsis axes have 0).
struct EinsumPlan {
    var sizes: [Int]
    var operandStrides: [[Int]]
    var outputStrides: [Int]
    var outputShape: [Int]

    init(_ equation: EinsumEquation, shapes: [[Int]]) throws(KernelError) {
        // Ellipsis axes: right-aligned and broadcast across the operands.
        var ellipsisRanks: [Int] = []
        for (term, shape) in zip(equation.inputs, shapes) {
            let letters = term.filter { $0 != .ellipsis }.count
            let rest = shape.count - letters
            guard rest == 0 || (rest > 0 && term.contains(.ellipsis)) else {
                throw KernelError("an operand of shape \(shape) does not match its equation term (\(letters) labels)")
            }
            ellipsisRanks.append(rest)
        }
        let e = ellipsisRanks.max() ?? 0
        var ellipsisDims = [Int](repeating: 1, count: e)
        // Label ids: letters by first appearance, then the ellipsis axes.
        var ids: [Character: Int] = [:]
        for term in equation.inputs {
            for case .letter(let c) in term where ids[c] == nil { ids[c] = ids.count }
        }
        let letterCount = ids.count
        sizes = [Int](repeating: -1, count: letterCount + e)
        operandStrides = []
        for (i, (term, shape)) in zip(equation.inputs, shapes).enumerated() {
            let strides = Shapes.strides(shape)
            var own = [Int](repeating: 0, count: letterCount + e)
            var axis = 0
            for label in term {
                switch label {
                case .letter(let c):
                    guard let id = ids[c] else { continue }
                    let d = shape[axis]
                    if sizes[id] >= 0 && sizes[id] != d {
                        throw KernelError("label '\(c)' has size \(sizes[id]) in one place and \(d) in another")
                    }
                    sizes[id] = d
                    own[id] += strides[axis]
                    axis += 1
                case .ellipsis:
                    let r = ellipsisRanks[i]
                    for j in 0..<r {
                        let slot = e - r + j, d = shape[axis + j]
                        if d != 1 {
                            guard ellipsisDims[slot] == 1 || ellipsisDims[slot] == d else {
                                throw KernelError("ellipsis dimensions \(ellipsisDims[slot]) and \(d) cannot be broadcast")
                            }
                            ellipsisDims[slot] = d
                            own[letterCount + slot] += strides[axis + j]
                        }
                    }
                    axis += r
                }
            }
            operandStrides.append(own)
        }
        for j in 0..<e { sizes[letterCount + j] = ellipsisDims[j] }
        // The output labels: written, or (implicit) the ellipsis then the letters used once, sorted.
        var outIds: [Int] = []
        if let output = equation.output {
            for label in output {
                switch label {
                case .letter(let c): if let id = ids[c] { outIds.append(id) }
                case .ellipsis: outIds += (0..<e).map { letterCount + $0 }
                }
            }
        } else {
            var counts: [Character: Int] = [:]
            for term in equation.inputs { for case .letter(let c) in term { counts[c, default: 0] += 1 } }
            outIds = (0..<e).map { letterCount + $0 } + counts.filter { $0.value == 1 }.keys.sorted().compactMap { ids[$0] }
        }
        let labelSizes = sizes
        let shape = outIds.map { labelSizes[$0] }
        let outStrides = Shapes.strides(shape)
        var strides = [Int](repeating: 0, count: sizes.count)
        for (axis, id) in outIds.enumerated() { strides[id] = outStrides[axis] }
        outputShape = shape
        outputStrides = strides
        _ = try Shapes.checkedCount(outputShape)
        guard let total = Shapes.elementCount(labelSizes), total <= 1 << 32 else {
            throw KernelError("the equation's iteration space (\(labelSizes)) is too large")
        }
    }
}

/// The contraction loop, generic over the element type.
private struct EinsumJob: ProductVisitor {
    let plan: EinsumPlan
    let operands: [TensorData]

    func visit<T: ProductScalar>(_ first: [T]) throws(KernelError) -> TensorData {
        var values: [[T]] = []
        for data in operands {
            guard let v = T.unwrap(data) else { throw KernelError("every operand must have type tensor(\(T.elementType))") }
            values.append(v)
        }
        let sizes = plan.sizes
        var out = [T](repeating: .zero, count: plan.outputShape.reduce(1, *))
        if sizes.contains(0) { return T.wrap(out) }
        let total = sizes.reduce(1, *)
        let labels = sizes.count, count = values.count
        var index = [Int](repeating: 0, count: labels)
        var offsets = [Int](repeating: 0, count: count)
        var outOffset = 0
        for _ in 0..<total {
            var p = values[0][offsets[0]]
            for o in 1..<max(count, 1) where o < count { p = T.product(p, values[o][offsets[o]]) }
            out[outOffset] = T.sum(out[outOffset], p)
            var d = labels - 1
            while d >= 0 {
                index[d] += 1
                for o in 0..<count { offsets[o] += plan.operandStrides[o][d] }
                outOffset += plan.outputStrides[d]
                if index[d] < sizes[d] { break }
                for o in 0..<count { offsets[o] -= plan.operandStrides[o][d] * sizes[d] }
                outOffset -= plan.outputStrides[d] * sizes[d]
                index[d] = 0
                d -= 1
            }
        }
        return T.wrap(out)
    }
}
