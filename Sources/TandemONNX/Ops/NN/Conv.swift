/// `Conv` (1, 11, 22) for 1-D, 2-D and N-D float/double inputs: X `[N, C, D...]`, W
/// `[M, C/group, k...]`, optional B `[M]`; pads, strides, dilations, group and auto_pad.
/// Each (image, group) is one matrix product of the weights with the unfolded input (im2col);
/// a 1x1 kernel without padding or strides uses the input as the matrix directly.
struct ConvKernel: Kernel {
    let geometry: SpatialGeometry
    let group: Int

    static let schema = OperatorSchema(opType: "Conv", domain: "", versions: [1, 11, 22], inputs: 2...3, outputs: 1...1) { ctx throws(BuildError) in
        for i in 0..<3 { try ctx.requireInput(i, oneOf: ElementType.floating) }
        let geometry = try SpatialGeometry(ctx.attributes, kernelRequired: false, allowCeil: false)
        let group = try ctx.attributes.int("group") ?? 1
        guard group >= 1 && group <= 1 << 20 else { throw BuildError(.invalidAttribute, "attribute 'group' must be positive, got \(group)") }
        if let w = ctx.inputShape(1), let k = geometry.kernel, w.count != k.count + 2 {
            throw BuildError(.invalidAttribute, "kernel_shape has \(k.count) axes but W has rank \(w.count)")
        }
        return BuiltKernel(kernel: ConvKernel(geometry: geometry, group: Int(group)), outputTypes: [.tensor(ctx.inputElement(0), shape: nil)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0, "X"), w = try Inputs.tensor(inputs, 1, "W")
        let b = inputs.count > 2 && inputs[2] != nil ? try Inputs.tensor(inputs, 2, "B") : nil
        guard x.shape.count >= 3, w.shape.count == x.shape.count else {
            throw KernelError("X \(x.shape) and W \(w.shape) must have the same rank >= 3")
        }
        let kernel = Array(w.shape[2...])
        if let k = geometry.kernel, k != kernel { throw KernelError("kernel_shape \(k) differs from W's spatial shape \(kernel)") }
        let channels = x.shape[1], maps = w.shape[0]
        guard w.shape[1] * group == channels, maps % group == 0 else {
            throw KernelError("X has \(channels) channels and W \(w.shape) with group \(group): C must be W[1] * group and M divisible by group")
        }
        if let b, b.count != maps { throw KernelError("B has \(b.count) values; W has \(maps) output channels") }
        let window = try geometry.resolve(input: Array(x.shape[2...]), kernel: kernel)
        let outShape = [x.shape[0], maps] + window.output
        _ = try Shapes.checkedCount(outShape)
        let job = ConvJob(window: window, batch: x.shape[0], channels: channels, maps: maps, group: group, w: w.data, b: b?.data)
        return [.tensor(Tensor(shape: outShape, data: try x.data.visitProduct(job, "X")))]
    }
}

/// One Conv run, generic over the element type.
private struct ConvJob: ProductVisitor {
    let window: SpatialGeometry.Window
    let batch: Int, channels: Int, maps: Int, group: Int
    let w: TensorData
    let b: TensorData?

    func visit<T: ProductScalar>(_ x: [T]) throws(KernelError) -> TensorData {
        guard let w = T.unwrap(self.w) else { throw KernelError("X and W must have the same element type") }
        var bias: [T]? = nil
        if let b {
            guard let v = T.unwrap(b) else { throw KernelError("X and B must have the same element type") }
            bias = v
        }
        let inPlane = window.input.reduce(1, *), outPlane = window.output.reduce(1, *)
        let taps = window.kernel.reduce(1, *)
        let cg = channels / group, mg = maps / group
        let rows = cg * taps
        let direct = taps == 1 && window.strides.allSatisfy { $0 == 1 } && window.padBegin.allSatisfy { $0 == 0 }
            && window.output == window.input
        // offsets[t * outPlane + p]: the input offset of tap t for output p, -1 in padding.
        let offsets = direct ? [] : MatrixProduct.transpose(try window.tapOffsets(), rows: outPlane, columns: taps)
        _ = try Shapes.checkedCount([rows, outPlane])
        var out: [T] = []
        out.reserveCapacity(batch * maps * outPlane)
        var col = [T](repeating: .zero, count: direct ? 0 : rows * outPlane)
        for n in 0..<batch {
            for g in 0..<group {
                let inBase = (n * channels + g * cg) * inPlane
                let matrix: [T]
                if direct {
                    matrix = Array(x[inBase..<(inBase + cg * inPlane)])
                } else {
                    Self.unfold(x, inBase: inBase, inPlane: inPlane, channels: cg, offsets: offsets, into: &col)
                    matrix = col
                }
                let weights = Array(w[(g * mg * rows)..<((g + 1) * mg * rows)])
                out.append(contentsOf: MatrixProduct.multiply(weights, matrix, mg, rows, outPlane))
            }
        }
        if let bias {
            var O = out.mutableSpan
            for n in 0..<batch {
                for m in 0..<maps {
                    let base = (n * maps + m) * outPlane, v = bias[m]
                    for p in 0..<outPlane { O[base + p] = T.sum(O[base + p], v) }
                }
            }
        }
        return T.wrap(out)
    }

    /// im2col: row `c * taps + t`, column p holds the input under tap t of output p (0 in padding).
    static func unfold<T: ProductScalar>(_ x: [T], inBase: Int, inPlane: Int, channels: Int, offsets: [Int], into col: inout [T]) {
        let X = x.span, OFF = offsets.span
        var C = col.mutableSpan
        let perChannel = offsets.count
        for c in 0..<channels {
            let base = inBase + c * inPlane, row = c * perChannel
            for i in 0..<perChannel {
                let off = OFF[i]
                C[row + i] = off >= 0 ? X[base + off] : .zero
            }
        }
    }
}
