/// `Squeeze` (1, 11, 13, 21): removes the listed size-1 axes (all size-1 axes when none are
/// given); axes are an attribute before 13 and an optional int64 input from 13.
struct SqueezeKernel: Kernel {
    let attributeAxes: [Int64]?
    let axesFromInput: Bool

    static let schema = OperatorSchema(opType: "Squeeze", domain: "", versions: [1, 11, 13, 21], inputs: 1...2, outputs: 1...1) { ctx throws(BuildError) in
        let fromInput = ctx.sinceVersion >= 13
        let attr = fromInput ? nil : try ctx.attributes.ints("axes")
        let axes = fromInput ? ShapeOpSupport.constantInts(ctx, 1) : attr
        let kernel = SqueezeKernel(attributeAxes: attr, axesFromInput: fromInput)
        let hasAxesInput = fromInput && ctx.inputTypes.count > 1 && ctx.inputTypes[1] != nil
        var shape: [Int?]? = nil
        if let s = ctx.inputShape(0) {
            if let axes, !axes.isEmpty {
                let a = Set(try ShapeOpSupport.buildAxes(axes, rank: s.count, allowRepeats: true))
                for i in a where s[i] != nil && s[i] != 1 {
                    throw BuildError(.invalidAttribute, "cannot squeeze axis \(i) of size \(s[i] ?? 0)")
                }
                shape = s.enumerated().filter { !a.contains($0.offset) }.map(\.element)
            } else if !hasAxesInput, s.allSatisfy({ $0 != nil }) {
                shape = s.filter { $0 != 1 }
            }
        }
        return BuiltKernel(kernel: kernel, outputTypes: [.tensor(ctx.inputElement(0), shape: shape)], role: .passThrough)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        var t = try Inputs.tensor(inputs, 0, "data")
        let raw = axesFromInput ? try ShapeOpSupport.optionalInts(inputs, 1, "axes") : attributeAxes
        // An empty axes tensor squeezes every size-1 axis, as onnxruntime does.
        if let raw, !raw.isEmpty {
            let axes = Set(try ShapeOpSupport.axes(raw, rank: t.shape.count, allowRepeats: true))
            for a in axes where t.shape[a] != 1 {
                throw KernelError("cannot squeeze axis \(a) of shape \(t.shape): its size is not 1")
            }
            t.shape = t.shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        } else {
            t.shape = t.shape.filter { $0 != 1 }
        }
        return [.tensor(t)]
    }
}

/// `Unsqueeze` (1, 11, 13, 21): inserts size-1 axes at the listed output positions (negative
/// allowed from 11); axes are an attribute before 13 and a required int64 input from 13.
struct UnsqueezeKernel: Kernel {
    let attributeAxes: [Int64]?

    static let schema = OperatorSchema(opType: "Unsqueeze", domain: "", versions: [1, 11, 13, 21], inputs: 1...2, outputs: 1...1) { ctx throws(BuildError) in
        var attr: [Int64]? = nil
        if ctx.sinceVersion < 13 {
            attr = try ctx.attributes.requiredInts("axes")
        } else if ctx.inputTypes.count < 2 {
            throw BuildError(.invalidGraph, "Unsqueeze-\(ctx.sinceVersion) needs its axes input")
        }
        let axes = attr ?? ShapeOpSupport.constantInts(ctx, 1)
        var shape: [Int?]? = nil
        if let s = ctx.inputShape(0), let axes {
            let positions = Set(try ShapeOpSupport.buildAxes(axes, rank: s.count + axes.count))
            var rest = s.makeIterator()
            shape = (0..<(s.count + axes.count)).map { positions.contains($0) ? 1 : (rest.next() ?? nil) }
        }
        return BuiltKernel(kernel: UnsqueezeKernel(attributeAxes: attr), outputTypes: [.tensor(ctx.inputElement(0), shape: shape)], role: .passThrough)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        var t = try Inputs.tensor(inputs, 0, "data")
        let raw: [Int64]
        if let attributeAxes { raw = attributeAxes } else { raw = try ShapeOpSupport.ints(inputs, 1, "axes") }
        let rank = t.shape.count + raw.count
        let positions = Set(try ShapeOpSupport.axes(raw, rank: rank))
        var out: [Int] = []
        var rest = t.shape.makeIterator()
        for i in 0..<rank { out.append(positions.contains(i) ? 1 : (rest.next() ?? 1)) }
        t.shape = out
        return [.tensor(t)]
    }
}

/// `Flatten` (1, 9, 11, 13, 21): reshapes to 2-D `[prod(dims[..<axis]), prod(dims[axis...])]`;
/// `axis` defaults to 1 and may be negative from 11.
struct FlattenKernel: Kernel {
    let axis: Int

    static let schema = OperatorSchema(opType: "Flatten", domain: "", versions: [1, 9, 11, 13, 21], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        let axis = Int(try ctx.attributes.int("axis") ?? 1)
        if axis < 0 && ctx.sinceVersion < 11 { throw BuildError(.invalidAttribute, "axis \(axis) must not be negative before opset 11") }
        var shape: [Int?] = [nil, nil]
        if let s = ctx.inputShape(0) {
            let a = axis < 0 ? axis + s.count : axis
            guard a >= 0, a <= s.count else { throw BuildError(.invalidAttribute, "axis \(axis) is out of range for rank \(s.count)") }
            shape = [ShapeOpSupport.product(s[..<a]), ShapeOpSupport.product(s[a...])]
        }
        return BuiltKernel(kernel: FlattenKernel(axis: axis), outputTypes: [.tensor(ctx.inputElement(0), shape: shape)], role: .passThrough)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        var t = try Inputs.tensor(inputs, 0, "data")
        let a = axis < 0 ? axis + t.shape.count : axis
        guard a >= 0, a <= t.shape.count else { throw KernelError("axis \(axis) is out of range for shape \(t.shape)") }
        let outer = t.shape[..<a].reduce(1, *)
        t.shape = [outer, outer == 0 ? t.shape[a...].reduce(1, *) : t.count / outer]
        return [.tensor(t)]
    }
}
