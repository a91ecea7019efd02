/// `Slice` (1, 10, 11, 13): takes `starts`/`ends` (exclusive) per axis with optional `axes` and
/// `steps` (attributes at version 1, inputs from 10). Negative indices count from the end, values
/// are clamped to the dimension, and negative steps walk backwards.
struct SliceKernel: Kernel {
    /// Version 1's attributes; `nil` from version 10 on.
    let attributes: (starts: [Int64], ends: [Int64], axes: [Int64]?)?

    static let schema = OperatorSchema(opType: "Slice", domain: "", versions: [1, 10, 11, 13], inputs: 1...5, outputs: 1...1) { ctx throws(BuildError) in
        var attrs: (starts: [Int64], ends: [Int64], axes: [Int64]?)? = nil
        if ctx.sinceVersion < 10 {
            let starts = try ctx.attributes.requiredInts("starts"), ends = try ctx.attributes.requiredInts("ends")
            let axes = try ctx.attributes.ints("axes")
            guard starts.count == ends.count, axes == nil || axes?.count == starts.count else {
                throw BuildError(.invalidAttribute, "starts, ends and axes must have the same length")
            }
            attrs = (starts, ends, axes)
        } else if ctx.inputTypes.count < 3 {
            throw BuildError(.invalidGraph, "Slice-\(ctx.sinceVersion) needs the inputs data, starts and ends")
        }
        for i in 1..<min(ctx.inputTypes.count, 5) { try ctx.requireInput(i, oneOf: [.int64, .int32]) }
        var shape: [Int?]? = nil
        if let s = ctx.inputShape(0) {
            shape = Array(repeating: nil, count: s.count)
            if let attrs, let known = ShapeOpSupport.known(s),
               let plan = try? plan(shape: known, starts: attrs.starts, ends: attrs.ends, axes: attrs.axes, steps: nil) {
                shape = plan.shape
            }
        }
        return BuiltKernel(kernel: SliceKernel(attributes: attrs), outputTypes: [.tensor(ctx.inputElement(0), shape: shape)])
    }

    /// The output shape, first source offset and per-axis element steps.
    static func plan(shape: [Int], starts: [Int64], ends: [Int64], axes rawAxes: [Int64]?, steps rawSteps: [Int64]?) throws(KernelError)
        -> (shape: [Int], base: Int, steps: [Int])
    {
        let rank = shape.count
        guard starts.count == ends.count else { throw KernelError("starts \(starts) and ends \(ends) differ in length") }
        let axes = try ShapeOpSupport.axes(rawAxes ?? (0..<Int64(starts.count)).map { $0 }, rank: rank)
        guard axes.count == starts.count else { throw KernelError("axes \(axes) and starts \(starts) differ in length") }
        let stepValues = rawSteps ?? Array(repeating: 1, count: starts.count)
        guard stepValues.count == starts.count else { throw KernelError("steps \(stepValues) and starts \(starts) differ in length") }
        let strides = Shapes.strides(shape)
        var outShape = shape
        var first = [Int](repeating: 0, count: rank)
        var step = [Int](repeating: 1, count: rank)
        for (k, a) in axes.enumerated() {
            let dim = Int64(shape[a])
            // A step beyond any dimension takes at most one element; clamping keeps offsets small.
            let st = min(max(stepValues[k], -Int64(Int32.max)), Int64(Int32.max))
            guard st != 0 else { throw KernelError("steps must not be 0") }
            func resolve(_ v: Int64) -> Int64 {
                let c = min(max(v, -dim - 1), dim + 1)
                return c < 0 ? c + dim : c
            }
            var s = resolve(starts[k])
            // As onnxruntime does, INT_MAX ends mean "to the end", which is before index 0 for a negative step.
            let endless = ends[k] == Int64(Int32.max) || ends[k] == Int64.max
            var e = endless ? (st < 0 ? -1 : dim) : resolve(ends[k])
            let count: Int64
            if st > 0 {
                s = min(max(s, 0), dim)
                e = min(max(e, 0), dim)
                count = e > s ? (e - s + st - 1) / st : 0
            } else {
                s = min(max(s, 0), dim - 1)
                e = min(max(e, -1), dim - 1)
                count = s > e ? (s - e + (-st) - 1) / (-st) : 0
            }
            outShape[a] = Int(count)
            first[a] = count > 0 ? Int(s) : 0
            step[a] = Int(st)
        }
        // Wrapping arithmetic: only load-time inference on declared (not real) shapes can overflow.
        var base = 0
        for d in 0..<rank { base &+= first[d] &* strides[d] }
        return (outShape, base, (0..<rank).map { step[$0] &* strides[$0] })
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "data")
        let p: (shape: [Int], base: Int, steps: [Int])
        if let attributes {
            p = try Self.plan(shape: t.shape, starts: attributes.starts, ends: attributes.ends, axes: attributes.axes, steps: nil)
        } else {
            p = try Self.plan(
                shape: t.shape,
                starts: try ShapeOpSupport.ints(inputs, 1, "starts"), ends: try ShapeOpSupport.ints(inputs, 2, "ends"),
                axes: try ShapeOpSupport.optionalInts(inputs, 3, "axes"), steps: try ShapeOpSupport.optionalInts(inputs, 4, "steps"))
        }
        if p.shape == t.shape && p.base == 0 && p.steps == Shapes.strides(t.shape) { return [.tensor(t)] }
        let indices = try ShapeOpSupport.stridedIndices(shape: p.shape, base: p.base, steps: p.steps)
        return [.tensor(Tensor(shape: p.shape, data: t.data.selecting(indices)))]
    }
}
