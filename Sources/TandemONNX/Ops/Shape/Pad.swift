/// `Pad` (2, 11, 13, 18, 19, 21): pads (or, with negative amounts, crops) every axis. Version 2
/// takes `pads` and `value` as attributes; from 11 they are inputs (`pads`, optional
/// `constant_value`), from 18 an optional `axes` input picks the padded axes. Modes: constant,
/// reflect (mirror without repeating the edge), edge, and from 19 wrap.
struct PadKernel: Kernel {
    enum Mode: String { case constant, reflect, edge, wrap }

    let mode: Mode
    /// Version 2's pads and fill value; `nil` from version 11 on.
    let attributePads: [Int64]?
    let attributeValue: Double

    static let schema = OperatorSchema(opType: "Pad", domain: "", versions: [2, 11, 13, 18, 19, 21], inputs: 1...4, outputs: 1...1) { ctx throws(BuildError) in
        let name = try ctx.attributes.string("mode") ?? "constant"
        guard let mode = Mode(rawValue: name), mode != .wrap || ctx.sinceVersion >= 19 else {
            throw BuildError(.invalidAttribute, "mode '\(name)' is not one of constant, reflect, edge\(ctx.sinceVersion >= 19 ? ", wrap" : "")")
        }
        var pads: [Int64]? = nil
        var value = 0.0
        if ctx.sinceVersion < 11 {
            pads = try ctx.attributes.requiredInts("pads")
            value = Double(try ctx.attributes.float("value") ?? 0)
            if let s = ctx.inputShape(0), pads?.count != 2 * s.count {
                throw BuildError(.invalidAttribute, "pads \(pads ?? []) must have 2 entries per input axis (\(s.count))")
            }
        } else {
            guard ctx.inputTypes.count >= 2 else { throw BuildError(.invalidGraph, "Pad-\(ctx.sinceVersion) needs the pads input") }
            try ctx.requireInput(1, oneOf: [.int64])
            if ctx.inputTypes.count > 3 { try ctx.requireInput(3, oneOf: [.int64, .int32]) }
        }
        var shape: [Int?]? = nil
        if let s = ctx.inputShape(0) {
            shape = Array(repeating: nil, count: s.count)
            let constantPads = pads ?? (ctx.inputTypes.count > 3 ? nil : ShapeOpSupport.constantInts(ctx, 1))
            if let p = constantPads, p.count == 2 * s.count {
                let limit = Int64(Int32.max)
                if p.allSatisfy({ (-limit...limit).contains($0) }) {
                    shape = (0..<s.count).map { d in ShapeOpSupport.sum([s[d], Int(p[d]), Int(p[d + s.count])]) }
                }
            }
        }
        let kernel = PadKernel(mode: mode, attributePads: pads, attributeValue: value)
        return BuiltKernel(kernel: kernel, outputTypes: [.tensor(ctx.inputElement(0), shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "data")
        let rank = t.shape.count
        var begin = [Int](repeating: 0, count: rank), end = begin
        let raw: [Int64]
        if let attributePads { raw = attributePads } else { raw = try ShapeOpSupport.ints(inputs, 1, "pads") }
        let axes: [Int]
        if let a = try ShapeOpSupport.optionalInts(inputs, 3, "axes") {
            axes = try ShapeOpSupport.axes(a, rank: rank)
        } else {
            axes = Array(0..<rank)
        }
        guard raw.count == 2 * axes.count else {
            throw KernelError("pads \(raw) must have 2 entries per padded axis (\(axes.count)) of shape \(t.shape)")
        }
        for (k, a) in axes.enumerated() {
            let limit = Int64(Int32.max)
            guard (-limit...limit).contains(raw[k]), (-limit...limit).contains(raw[k + axes.count]) else {
                throw KernelError("pads \(raw) are out of range")
            }
            begin[a] = Int(raw[k])
            end[a] = Int(raw[k + axes.count])
        }
        var outShape: [Int] = []
        for d in 0..<rank {
            let n = t.shape[d] + begin[d] + end[d]
            guard n >= 0 else { throw KernelError("pads \(raw) crop more than axis \(d) of shape \(t.shape) holds") }
            outShape.append(n)
        }
        _ = try Shapes.checkedCount(outShape)
        let strides = Shapes.strides(t.shape)
        var tables: [[Int]] = []
        for d in 0..<rank {
            let dim = t.shape[d]
            if dim == 0 && mode != .constant && outShape[d] > 0 {
                throw KernelError("cannot \(mode.rawValue)-pad axis \(d) of shape \(t.shape): it is empty")
            }
            if mode == .reflect && max(begin[d], end[d]) >= max(dim, 1) && dim > 0 {
                throw KernelError("reflect padding of \(max(begin[d], end[d])) exceeds the maximum (\(dim - 1)) for axis \(d) of shape \(t.shape)")
            }
            tables.append((0..<outShape[d]).map { c in
                let src = c - begin[d]
                let s: Int
                if src >= 0 && src < dim { s = src } else {
                    switch mode {
                    case .constant: return -1
                    case .edge: s = min(max(src, 0), dim - 1)
                    case .wrap: s = ((src % dim) + dim) % dim
                    case .reflect:
                        if dim == 1 { s = 0 } else {
                            let p = 2 * (dim - 1)
                            let m = ((src % p) + p) % p
                            s = m < dim ? m : p - m
                        }
                    }
                }
                return s * strides[d]
            })
        }
        let indices = try ShapeOpSupport.tabulatedIndices(tables)
        var fill: TensorData? = nil
        if mode == .constant {
            if attributePads == nil, inputs.count > 2, inputs[2] != nil {
                let v = try Inputs.tensor(inputs, 2, "constant_value")
                guard v.count == 1, v.elementType == t.elementType else {
                    throw KernelError("constant_value must be one element of type \(t.elementType), got tensor(\(v.elementType)) of shape \(v.shape)")
                }
                fill = v.data
            } else if t.elementType == .string {
                fill = .string([""])
            } else {
                fill = try t.data.visitNumeric(ScalarOfType(value: attributeValue))
            }
        }
        return [.tensor(Tensor(shape: outShape, data: try ShapeOpSupport.select(t.data, indices, fill: fill)))]
    }
}

/// One element of the visited array's type holding `value`.
struct ScalarOfType: NumericVisitor {
    let value: Double
    func visit<T: NumericScalar>(_ values: [T]) throws(KernelError) -> TensorData { T.wrap([T(fromDouble: value)]) }
}
