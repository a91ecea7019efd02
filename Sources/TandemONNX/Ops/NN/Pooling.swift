/// `AveragePool` (7, 10, 11, 19, 22) and `MaxPool` (1, 8, 10, 11, 12, 22) over 1-D, 2-D and N-D
/// inputs `[N, C, D1, ...]`: pads, strides, dilations, auto_pad, ceil_mode, count_include_pad, and
/// MaxPool's optional Indices output (flat input indices, row- or column-major per storage_order).
struct PoolKernel: Kernel {
    enum Mode: Sendable { case average(countIncludePad: Bool), max(columnMajorIndices: Bool) }
    let mode: Mode
    let geometry: SpatialGeometry
    let kernelShape: [Int]

    static let averageSchema = OperatorSchema(opType: "AveragePool", domain: "", versions: [7, 10, 11, 19, 22], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: ElementType.floating)
        let include = try ctx.attributes.int("count_include_pad") ?? 0
        guard include == 0 || include == 1 else { throw BuildError(.invalidAttribute, "attribute 'count_include_pad' must be 0 or 1, got \(include)") }
        return try build(ctx, .average(countIncludePad: include == 1), allowCeil: ctx.sinceVersion >= 10)
    }

    static let maxSchema = OperatorSchema(opType: "MaxPool", domain: "", versions: [1, 8, 10, 11, 12, 22], inputs: 1...1, outputs: 1...2) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: ctx.sinceVersion >= 12 ? [.float, .double, .int8, .uint8] : ElementType.floating)
        let order = try ctx.attributes.int("storage_order") ?? 0
        guard order == 0 || order == 1 else { throw BuildError(.invalidAttribute, "attribute 'storage_order' must be 0 or 1, got \(order)") }
        if ctx.outputCount > 1 && ctx.sinceVersion < 8 {
            throw BuildError(.invalidGraph, "MaxPool-\(ctx.sinceVersion) has one output; Indices arrived in version 8")
        }
        return try build(ctx, .max(columnMajorIndices: order == 1), allowCeil: ctx.sinceVersion >= 10)
    }

    private static func build(_ ctx: NodeContext, _ mode: Mode, allowCeil: Bool) throws(BuildError) -> BuiltKernel {
        let geometry = try SpatialGeometry(ctx.attributes, kernelRequired: true, allowCeil: allowCeil)
        let kernel = geometry.kernel ?? []
        if let rank = ctx.inputShape(0)?.count, rank != kernel.count + 2 {
            throw BuildError(.invalidAttribute, "kernel_shape has \(kernel.count) axes but the input has rank \(rank)")
        }
        var types: [ValueType] = [.tensor(ctx.inputElement(0), shape: nil)]
        if ctx.outputCount > 1 { types.append(.tensor(.int64, shape: nil)) }
        return BuiltKernel(kernel: PoolKernel(mode: mode, geometry: geometry, kernelShape: kernel), outputTypes: types)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0, "X")
        guard x.shape.count == kernelShape.count + 2 else {
            throw KernelError("input of shape \(x.shape) does not have rank \(kernelShape.count + 2) (N, C and the kernel's axes)")
        }
        let window = try geometry.resolve(input: Array(x.shape[2...]), kernel: kernelShape)
        let outShape = Array(x.shape[..<2]) + window.output
        _ = try Shapes.checkedCount(outShape)
        let job = PoolJob(window: window, offsets: try window.tapOffsets(), planes: x.shape[0] * x.shape[1])
        switch mode {
        case .average(let include):
            let divisors = include ? try window.paddedTapCounts() : nil
            return [.tensor(Tensor(shape: outShape, data: try x.data.visitFloating(AveragePoolVisitor(job: job, divisors: divisors), "X")))]
        case .max(let columnMajor):
            let (values, indices) = try x.data.visitOrdered(MaxPoolVisitor(job: job, columnMajor: columnMajor), "X")
            return [.tensor(Tensor(shape: outShape, data: values)), .tensor(Tensor(shape: outShape, data: .int64(indices)))]
        }
    }
}

/// What a pooling pass iterates: `planes` (N*C) planes, and per output position its taps.
private struct PoolJob {
    let window: SpatialGeometry.Window
    /// `outCount * kernelCount` spatial offsets, -1 in padding (`Window.tapOffsets`).
    let offsets: [Int]
    let planes: Int
    var inPlane: Int { window.input.reduce(1, *) }
    var outPlane: Int { window.output.reduce(1, *) }
    var taps: Int { window.kernel.reduce(1, *) }
}

/// The mean of each window: over the taps inside the input, or over `divisors` (count_include_pad).
private struct AveragePoolVisitor: FloatingVisitor {
    let job: PoolJob
    let divisors: [Int]?

    func visit<T: FloatingScalar>(_ x: [T]) throws(KernelError) -> TensorData {
        let inPlane = job.inPlane, outPlane = job.outPlane, taps = job.taps
        var out = [T](repeating: 0, count: job.planes * outPlane)
        let X = x.span, OFF = job.offsets.span
        var O = out.mutableSpan
        for plane in 0..<job.planes {
            let base = plane * inPlane
            for p in 0..<outPlane {
                var sum: T = 0
                var n = 0
                for t in 0..<taps {
                    let off = OFF[p * taps + t]
                    if off >= 0 { sum += X[base + off]; n += 1 }
                }
                let d = divisors.map { $0[p] } ?? n
                O[plane * outPlane + p] = d > 0 ? sum / T(d) : 0
            }
        }
        return T.wrap(out)
    }
}

/// The maximum of each window and the flat input index where it was found.
private struct MaxPoolVisitor: OrderedVisitor {
    let job: PoolJob
    let columnMajor: Bool

    func visit<T: OrderedScalar>(_ x: [T]) throws(KernelError) -> (TensorData, [Int64]) {
        let inPlane = job.inPlane, outPlane = job.outPlane, taps = job.taps
        var out = [T](repeating: .zero, count: job.planes * outPlane)
        var indices = [Int64](repeating: 0, count: job.planes * outPlane)
        let X = x.span, OFF = job.offsets.span
        var O = out.mutableSpan
        var I = indices.mutableSpan
        for plane in 0..<job.planes {
            let base = plane * inPlane
            for p in 0..<outPlane {
                var best: T? = nil
                var at = -1
                for t in 0..<taps {
                    let off = OFF[p * taps + t]
                    guard off >= 0 else { continue }
                    let v = X[base + off]
                    if let b = best, !(v > b) { continue }
                    best = v
                    at = off
                }
                O[plane * outPlane + p] = best ?? .zero
                let spatial = at < 0 ? 0 : (columnMajor ? columnMajorIndex(at) : at)
                I[plane * outPlane + p] = Int64(base + spatial)
            }
        }
        return (T.wrap(out), indices)
    }

    /// The row-major spatial offset `offset` re-expressed with the first axis varying fastest.
    private func columnMajorIndex(_ offset: Int) -> Int {
        let dims = job.window.input
        let rowStrides = Shapes.strides(dims)
        var rest = offset, index = 0, colStride = 1
        var coords = [Int](repeating: 0, count: dims.count)
        for d in 0..<dims.count {
            coords[d] = rest / rowStrides[d]
            rest %= rowStrides[d]
        }
        for d in 0..<dims.count {
            index += coords[d] * colStride
            colStride *= dims[d]
        }
        return index
    }
}
