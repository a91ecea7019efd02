/// A chain of element-wise float nodes run as one step (built by `ElementwiseFusion` at load):
/// optionally the node producing the chain's input (the head, e.g. the Gemm or MatMul of a layer),
/// then Relu, Erf and Add/Sub/Mul/Div with a scalar or one-row constant or with the chain's input
/// (PyTorch's GELU: `x * (0.5 * (erf(x / sqrt 2) + 1))`). The ops are applied in place, pass after
/// pass, to the head's fresh output, so a layer allocates one buffer instead of one per node.
///
/// Every fused op computes exactly the IEEE operation its node's kernel computes, in the same
/// operand order, so outputs are bit-identical to running the nodes one by one. Whenever the
/// run-time input does not fit the fast form (not float, a constant whose rank exceeds the
/// input's, a row of the wrong length), the nodes' own kernels run one after another instead.
/// Immutable, so it runs on many threads at once like every kernel.
struct FusedChainKernel: Kernel {
    /// Where a fallback node's input comes from.
    enum Operand: Sendable {
        /// The previous node's output (the chain's value so far).
        case value
        /// The chain's input (the head's output).
        case root
        case constant(Tensor)
    }

    /// The other operand of a fused binary op.
    enum Other: Sendable {
        case root
        /// A single float constant of the given rank.
        case scalar(Float, rank: Int)
        /// A float constant holding one row (every dimension 1 but the last) of the given rank.
        case row([Float], rank: Int)
    }

    /// What a fused node computes on each element `v` of the value.
    enum FastOp: Sendable {
        case relu, erf
        /// `v (op) other` when `valueFirst`, else `other (op) v`; op is add, sub, mul or div.
        case binary(BinaryOperation, valueFirst: Bool, Other)
    }

    /// One fused node.
    struct Op: Sendable {
        var kernel: any Kernel
        var operands: [Operand]
        var fast: FastOp
        var node: String
        var opType: String
    }

    /// The producing node, run first on the step's inputs; without it the step's input 0 is the chain's input.
    var head: (kernel: any Kernel, node: String, opType: String)?
    var ops: [Op]

    /// The bias row when the head is a MatMul and the first op adds one row constant to it (a dense
    /// layer): the product is then written into the bias rows (`MatrixProduct.multiplyAddingRow`).
    private var linearBias: [Float]? {
        guard let head, head.kernel is MatMulKernel, let first = ops.first,
              case .binary(.add, _, .row(let r, _)) = first.fast else { return nil }
        return r
    }

    /// The dense layer's output when the inputs fit it (float `[..., k]` times a float `[k, n]`,
    /// `n` the bias length) and every op fits its shape; nil otherwise.
    private func linearLayer(_ inputs: [Value?], _ bias: [Float]) -> Tensor? {
        guard inputs.count == 2, case .tensor(let a)? = inputs[0], case .tensor(let b)? = inputs[1],
              case .float(let x) = a.data, case .float(let w) = b.data,
              a.shape.count >= 2, b.shape.count == 2, let k = a.shape.last, k == b.shape[0], b.shape[1] == bias.count else { return nil }
        let n = bias.count
        let m = k > 0 ? x.count / k : 0
        let shape = Array(a.shape.dropLast()) + [n]
        guard m &* k == x.count, fits(shape), let out = MatrixProduct.multiplyAddingRow(x, w, m, k, n, bias: bias) else { return nil }
        return Tensor(shape: shape, data: .float(out))
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        var root: Value
        var firstOp = 0
        if let bias = linearBias, let product = linearLayer(inputs, bias) {
            root = .tensor(product)
            firstOp = 1  // the bias is in
        } else if let head {
            var outs: [Value]
            do { outs = try head.kernel.run(inputs) } catch { throw error.from(head.node, head.opType) }
            guard !outs.isEmpty else { throw KernelError("produced no output").from(head.node, head.opType) }
            root = outs.removeFirst()
            outs = []
        } else {
            guard let first = inputs.first, let value = first else { throw KernelError("input (input 0) is missing") }
            root = value
        }
        guard case .tensor(let t) = root, case .float = t.data, fits(t.shape) else { return [try fallback(root)] }
        let shape = t.shape
        var values: [Float] = []
        if case .float(let v) = t.data { values = v }
        // Drop the other references to the buffer so the passes below write in place when the head made it.
        root = .tensor(Tensor(shape: [], data: .float([])))
        let width = max(shape.last ?? 1, 1)
        // Block by block (whole rows, about 8 KB), every op in turn: the block stays in L1 across the ops.
        let blockRows = max(1, 2048 / width)
        let n = values.count
        // The chain's input, block by block, for ops that read it (GELU's final `x *`).
        let readsRoot = usesRoot
        var x = [Float](repeating: 0, count: readsRoot ? min(n, blockRows * width) : 0)
        do {
            var s = values.mutableSpan
            var start = 0
            while start < n {
                let end = min(n, start + blockRows * width)
                if readsRoot {
                    var X = x.mutableSpan
                    for i in start..<end { X[i - start] = s[i] }
                }
                for op in ops[firstOp...] { Self.apply(op.fast, &s, x, width, start..<end) }
                start = end
            }
        }
        return [.tensor(Tensor(shape: shape, data: .float(values)))]
    }

    private var usesRoot: Bool {
        ops.contains { if case .binary(_, _, .root) = $0.fast { return true } else { return false } }
    }

    /// Whether every constant broadcasts to `shape` without changing it.
    private func fits(_ shape: [Int]) -> Bool {
        for op in ops {
            guard case .binary(_, _, let other) = op.fast else { continue }
            switch other {
            case .root: continue
            case .scalar(_, let rank): if rank > shape.count { return false }
            case .row(let r, let rank): if rank > shape.count || shape.last != r.count { return false }
            }
        }
        return true
    }

    /// The nodes' own kernels, one after another.
    private func fallback(_ root: Value) throws(KernelError) -> Value {
        var value = root
        for op in ops {
            let ins: [Value?] = op.operands.map { operand in
                switch operand {
                case .value: value
                case .root: root
                case .constant(let c): .tensor(c)
                }
            }
            let outs: [Value]
            do { outs = try op.kernel.run(ins) } catch { throw error.from(op.node, op.opType) }
            guard let first = outs.first else { throw KernelError("produced no output").from(op.node, op.opType) }
            value = first
        }
        return value
    }

    /// One fused op over `range` of the buffer (whole rows); `x` is the chain's input over `range`
    /// (`x[0]` is element `range.lowerBound`; empty unless an op reads it), `width` the last dimension (the length of a row constant, checked by `fits`).
    private static func apply(_ op: FastOp, _ s: inout MutableSpan<Float>, _ x: [Float], _ width: Int, _ range: Range<Int>) {
        switch op {
        case .relu:
            for i in range {
                let v = s[i]
                s[i] = v < 0 ? 0 : v
            }
        case .erf:
            VectorErf.apply(&s, range)
        case .binary(let operation, let valueFirst, let other):
            switch (operation, valueFirst) {
            case (.add, true): combine(&s, other, x, width, range) { $0 + $1 }
            case (.add, false): combine(&s, other, x, width, range) { $1 + $0 }
            case (.sub, true): combine(&s, other, x, width, range) { $0 - $1 }
            case (.sub, false): combine(&s, other, x, width, range) { $1 - $0 }
            case (.mul, true): combine(&s, other, x, width, range) { $0 * $1 }
            case (.mul, false): combine(&s, other, x, width, range) { $1 * $0 }
            case (.div, true): combine(&s, other, x, width, range) { $0 / $1 }
            case (.div, false): combine(&s, other, x, width, range) { $1 / $0 }
            default: break  // ElementwiseFusion fuses only the four above
            }
        }
    }

    /// `s[i] = f(s[i], other[i])` over `range` with `other` broadcast; `f` is a literal closure, inlined.
    /// `range` starts on a row boundary and holds whole rows when `other` is a row.
    @inline(__always)
    private static func combine(_ s: inout MutableSpan<Float>, _ other: Other, _ x: [Float], _ width: Int, _ range: Range<Int>,
                                _ f: (Float, Float) -> Float) {
        switch other {
        case .scalar(let k, _):
            for i in range { s[i] = f(s[i], k) }
        case .root:
            let X = x.span
            let offset = range.lowerBound
            guard X.count >= range.count else { return }
            for i in range { s[i] = f(s[i], X[i - offset]) }
        case .row(let r, _):
            let R = r.span
            guard width > 0, R.count == width else { return }
            var base = range.lowerBound
            while base + width <= range.upperBound {
                for j in 0..<width { s[base + j] = f(s[base + j], R[j]) }
                base += width
            }
        }
    }
}
