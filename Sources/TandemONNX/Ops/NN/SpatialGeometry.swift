/// The sliding-window attributes Conv and the pooling ops share (kernel_shape, strides,
/// dilations, pads, auto_pad, ceil_mode), validated at load, and the output size and padding
/// they give for an input's spatial shape.
struct SpatialGeometry: Sendable {
    enum AutoPad: Sendable { case notSet, sameUpper, sameLower, valid }

    /// `nil` when Conv takes the kernel shape from its weights.
    var kernel: [Int]?
    var strides: [Int]?
    var dilations: [Int]?
    /// `[begin..., end...]`, as ONNX orders them.
    var pads: [Int]?
    var autoPad: AutoPad
    var ceilMode: Bool

    /// Reads the attributes; `kernelRequired` for the pooling ops.
    init(_ attributes: NodeAttributes, kernelRequired: Bool, allowCeil: Bool) throws(BuildError) {
        func positive(_ name: String) throws(BuildError) -> [Int]? {
            guard let v = try attributes.ints(name) else { return nil }
            guard v.allSatisfy({ $0 >= 1 && $0 <= 1 << 20 }) else {
                throw BuildError(.invalidAttribute, "attribute '\(name)' must hold positive values, got \(v)")
            }
            return v.map { Int($0) }
        }
        kernel = try positive("kernel_shape")
        if kernelRequired && kernel == nil { throw BuildError(.invalidAttribute, "required attribute 'kernel_shape' (INTS) is missing") }
        strides = try positive("strides")
        dilations = try positive("dilations")
        if let p = try attributes.ints("pads") {
            guard p.count % 2 == 0, p.allSatisfy({ $0 >= 0 && $0 <= 1 << 20 }) else {
                throw BuildError(.invalidAttribute, "attribute 'pads' must hold 2 non-negative values per spatial axis, got \(p)")
            }
            pads = p.map { Int($0) }
        }
        switch try attributes.string("auto_pad") ?? "NOTSET" {
        case "NOTSET", "": autoPad = .notSet
        case "SAME_UPPER": autoPad = .sameUpper
        case "SAME_LOWER": autoPad = .sameLower
        case "VALID": autoPad = .valid
        case let other: throw BuildError(.invalidAttribute, "attribute 'auto_pad' must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '\(other)'")
        }
        let ceil = try attributes.int("ceil_mode") ?? 0
        guard ceil == 0 || (allowCeil && ceil == 1) else {
            throw BuildError(.invalidAttribute, "attribute 'ceil_mode' must be 0\(allowCeil ? " or 1" : ""), got \(ceil)")
        }
        ceilMode = ceil == 1
        let ranks = [kernel?.count, strides?.count, dilations?.count, pads.map { $0.count / 2 }].compactMap { $0 }
        if let r = ranks.first, ranks.contains(where: { $0 != r }) {
            throw BuildError(.invalidAttribute, "kernel_shape, strides, dilations and pads disagree on the number of spatial axes")
        }
    }

    /// The resolved window of one run: per spatial axis the output size and the leading padding.
    struct Window {
        var input: [Int]
        var kernel: [Int]
        var strides: [Int]
        var dilations: [Int]
        var padBegin: [Int]
        var padEnd: [Int]
        var output: [Int]
    }

    /// The window for `input` spatial dims and a `kernel` shape (the attribute or the weights').
    func resolve(input: [Int], kernel: [Int]) throws(KernelError) -> Window {
        let r = input.count
        guard kernel.count == r else {
            throw KernelError("kernel has \(kernel.count) spatial axes but the input has \(r)")
        }
        let strides = self.strides ?? Array(repeating: 1, count: r)
        let dilations = self.dilations ?? Array(repeating: 1, count: r)
        guard strides.count == r, dilations.count == r, (pads?.count ?? 2 * r) == 2 * r else {
            throw KernelError("strides, dilations or pads do not match the input's \(r) spatial axes")
        }
        var begin = [Int](repeating: 0, count: r), end = begin, output = begin
        for d in 0..<r {
            let span = dilations[d] * (kernel[d] - 1) + 1
            switch autoPad {
            case .notSet:
                begin[d] = pads?[d] ?? 0
                end[d] = pads?[r + d] ?? 0
                let room = input[d] + begin[d] + end[d] - span
                guard room >= 0 else { throw KernelError("the window (\(span)) is larger than the padded input (\(input[d] + begin[d] + end[d])) on spatial axis \(d)") }
                if ceilMode {
                    var o = (room + strides[d] - 1) / strides[d] + 1
                    // The last window must start inside the input or its leading padding.
                    if (o - 1) * strides[d] >= input[d] + begin[d] { o -= 1 }
                    output[d] = o
                } else {
                    output[d] = room / strides[d] + 1
                }
            case .valid:
                let room = input[d] - span
                guard room >= 0 else { throw KernelError("the window (\(span)) is larger than the input (\(input[d])) on spatial axis \(d)") }
                output[d] = room / strides[d] + 1
            case .sameUpper, .sameLower:
                output[d] = (input[d] + strides[d] - 1) / strides[d]
                let total = max(0, (output[d] - 1) * strides[d] + span - input[d])
                begin[d] = autoPad == .sameUpper ? total / 2 : total - total / 2
                end[d] = total - begin[d]
            }
        }
        return Window(input: input, kernel: kernel, strides: strides, dilations: dilations, padBegin: begin, padEnd: end, output: output)
    }
}

extension SpatialGeometry.Window {
    /// For every output position (row-major) and kernel tap (row-major), the input's flat spatial
    /// offset, or -1 where the tap falls in padding: `outputCount * kernelCount` entries.
    func tapOffsets() throws(KernelError) -> [Int] {
        let outCount = try Shapes.checkedCount(output), kCount = try Shapes.checkedCount(kernel)
        let total = try Shapes.checkedCount([outCount, kCount])
        let r = input.count
        let inStrides = Shapes.strides(input)
        // Per axis: for output o and tap t the input coordinate, or -1.
        var axisTaps: [[Int]] = []
        for d in 0..<r {
            var t = [Int](repeating: -1, count: output[d] * kernel[d])
            for o in 0..<output[d] {
                for k in 0..<kernel[d] {
                    let i = o * strides[d] - padBegin[d] + k * dilations[d]
                    if i >= 0 && i < input[d] { t[o * kernel[d] + k] = i * inStrides[d] }
                }
            }
            axisTaps.append(t)
        }
        var out = [Int](repeating: 0, count: total)
        var oIndex = [Int](repeating: 0, count: r), kIndex = [Int](repeating: 0, count: r)
        var at = 0
        for _ in 0..<outCount {
            for _ in 0..<kCount {
                var offset = 0
                for d in 0..<r {
                    let v = axisTaps[d][oIndex[d] * kernel[d] + kIndex[d]]
                    if v < 0 { offset = -1; break }
                    offset += v
                }
                out[at] = offset
                at += 1
                Self.advance(&kIndex, kernel)
            }
            Self.advance(&oIndex, output)
        }
        return out
    }

    /// For every output position the number of taps inside the input plus its explicit padding
    /// (AveragePool's divisor with count_include_pad; ceil-mode overhang is never counted).
    func paddedTapCounts() throws(KernelError) -> [Int] {
        let outCount = try Shapes.checkedCount(output)
        let r = input.count
        var perAxis: [[Int]] = []
        for d in 0..<r {
            perAxis.append((0..<output[d]).map { o in
                (0..<kernel[d]).reduce(0) { n, k in
                    let i = o * strides[d] - padBegin[d] + k * dilations[d]
                    return n + (i >= -padBegin[d] && i < input[d] + padEnd[d] ? 1 : 0)
                }
            })
        }
        var out = [Int](repeating: 1, count: outCount)
        var oIndex = [Int](repeating: 0, count: r)
        for p in 0..<outCount {
            var n = 1
            for d in 0..<r { n *= perAxis[d][oIndex[d]] }
            out[p] = n
            Self.advance(&oIndex, output)
        }
        return out
    }

    /// Row-major odometer step.
    static func advance(_ index: inout [Int], _ shape: [Int]) {
        var d = shape.count - 1
        while d >= 0 {
            index[d] += 1
            if index[d] < shape[d] { return }
            index[d] = 0
            d -= 1
        }
    }
}
