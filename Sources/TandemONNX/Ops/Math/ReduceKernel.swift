import Foundation

/// The reductions: ReduceSum (1, 11, 13), ReduceMax/ReduceMin (1, 11, 12, 13, 18, 20; bool from
/// 20), ReduceMean, ReduceProd, ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum,
/// ReduceLogSumExp (1, 11, 13, 18). `axes` is an attribute before ReduceSum 13 / the others' 18
/// and an optional int64 input from then on; no axes reduce everything unless
/// `noop_with_empty_axes` = 1 (then each element is reduced alone). `keepdims` default 1. Over an
/// empty set: sums 0, product 1, max -inf (the type's lowest), min +inf (highest), log-sums -inf,
/// mean 0 (onnxruntime). Integers accumulate with wrapping; L2 and the log-sums compute in double.
struct ReduceKernel: Kernel {
    enum Function: Sendable { case sum, sumSquare, mean, prod, max, min, l1, l2, logSum, logSumExp }
    let function: Function
    /// The `axes` attribute (older versions); `nil` when absent or read from input 1.
    let attributeAxes: [Int]?
    let axesFromInput: Bool
    let keepDims: Bool
    let noopWithEmptyAxes: Bool

    static func schema(_ op: String, _ versions: [Int64], _ function: Function) -> OperatorSchema {
        let inputVersion: Int64 = function == .sum ? 13 : 18
        return OperatorSchema(opType: op, domain: "", versions: versions, inputs: 1...2, outputs: 1...1) { ctx throws(BuildError) in
            var allowed = ElementType.numbers
            if (function == .max || function == .min) && ctx.sinceVersion >= 20 { allowed.insert(.bool) }
            try ctx.requireInput(0, oneOf: allowed)
            try ctx.requireInput(1, oneOf: [.int64])
            let fromInput = ctx.sinceVersion >= inputVersion
            let axes = fromInput ? nil : try ctx.attributes.ints("axes")?.map { Int($0) }
            let keep = (try ctx.attributes.int("keepdims") ?? 1) != 0
            let noop = fromInput ? (try ctx.attributes.int("noop_with_empty_axes") ?? 0) != 0 : false
            var shape: [Int?]? = nil
            if let axes, let s = ctx.inputShape(0) {
                let set = try normalized(axes, rank: s.count)
                shape = keep ? s.indices.map { set.contains($0) ? 1 : s[$0] } : s.indices.filter { !set.contains($0) }.map { s[$0] }
            }
            let kernel = ReduceKernel(function: function, attributeAxes: axes, axesFromInput: fromInput, keepDims: keep, noopWithEmptyAxes: noop)
            return BuiltKernel(kernel: kernel, outputTypes: [.tensor(ctx.inputElement(0), shape: shape)])
        }
    }

    /// The distinct, non-negative axes; fails on an axis out of range or given twice.
    static func normalized(_ axes: [Int], rank: Int) throws(BuildError) -> Set<Int> {
        var set = Set<Int>()
        for a in axes {
            guard let n = Shapes.normalizedAxis(a, rank: rank), set.insert(n).inserted else {
                throw BuildError(.invalidAttribute, "axes \(axes) are out of range or repeated for rank \(rank)")
            }
        }
        return set
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "data")
        var axes = attributeAxes ?? []
        if axesFromInput, inputs.count > 1, inputs[1] != nil {
            let a = try Inputs.tensor(inputs, 1, "axes")
            guard let values = a.integerValues(), a.elementType == .int64 else {
                throw KernelError("axes must be tensor(int64), got tensor(\(a.elementType))")
            }
            axes = values.map { Int(truncatingIfNeeded: $0) }
        }
        // No axes with noop_with_empty_axes reduces over nothing: each element alone, so
        // ReduceL1 still gives |x| and ReduceSumSquare x² (as onnxruntime does).
        if axes.isEmpty, !noopWithEmptyAxes { axes = Array(t.shape.indices) }
        let set: Set<Int>
        do { set = try Self.normalized(axes, rank: t.shape.count) } catch { throw KernelError(error.message) }
        let layout = try ReductionLayout(t.shape, axes: set)
        let data: TensorData
        if case .bool(let v) = t.data {
            switch function {
            case .max: data = .bool(layout.fold(v, false) { $0 || $1 })
            case .min: data = .bool(layout.fold(v, true) { $0 && $1 })
            default: throw KernelError("expects a numeric tensor, got tensor(bool)")
            }
        } else {
            data = try t.data.visitArithmetic(ReduceStep(function: function, layout: layout))
        }
        let shape = keepDims ? layout.keptShape : t.shape.indices.filter { !set.contains($0) }.map { t.shape[$0] }
        return [.tensor(Tensor(shape: shape, data: data))]
    }
}

private struct ReduceStep: ArithmeticVisitor {
    let function: ReduceKernel.Function
    let layout: ReductionLayout

    func visit<T: ArithmeticScalar>(_ v: [T]) throws(KernelError) -> TensorData {
        T.wrap(reduce(v))
    }

    private func reduce<T: ArithmeticScalar>(_ v: [T]) -> [T] {
        switch function {
        case .sum: return layout.fold(v, T.zero, T.add)
        case .sumSquare: return layout.fold(v, T.zero) { T.add($0, T.mul($1, $1)) }
        case .l1: return layout.fold(v, T.zero) { T.add($0, $1 < .zero ? T.negate($1) : $1) }
        case .prod: return layout.fold(v, T.one, T.mul)
        case .max: return layout.fold(v, T.lowest, T.maximum)
        case .min: return layout.fold(v, T.highest, T.minimum)
        case .mean:
            let n = T(fromDouble: Double(layout.reducedCount))
            // An empty set gives 0, as onnxruntime does (not 0/0).
            if layout.reducedCount == 0 { return [T](repeating: .zero, count: layout.outputCount) }
            return layout.fold(v, T.zero, T.add).map { T.div($0, n) }
        case .l2:
            return layout.fold(v, 0.0) { $0 + $1.asDouble * $1.asDouble }.map { T(fromDouble: $0.squareRoot()) }
        case .logSum:
            return layout.fold(v, 0.0) { $0 + $1.asDouble }.map { T(fromDouble: Foundation.log($0)) }
        case .logSumExp where T.isInteger:
            // onnxruntime computes in the integer type: each exp(x - max) and the log truncate.
            let maxima = layout.fold(v, T.lowest, T.maximum)
            var sums = [T](repeating: .zero, count: layout.outputCount)
            layout.walk { i, o in sums[o] = T.add(sums[o], T(fromDouble: Foundation.exp(T.sub(v[i], maxima[o]).asDouble))) }
            return zip(sums, maxima).map { s, m in T.add(m, T(fromDouble: Foundation.log(s.asDouble))) }
        case .logSumExp:
            let maxima = layout.fold(v, -Double.infinity) { Swift.max($0, $1.asDouble) }
            var sums = [Double](repeating: 0, count: layout.outputCount)
            layout.walk { i, o in
                let m = maxima[o]
                sums[o] += Foundation.exp(m.isFinite ? v[i].asDouble - m : v[i].asDouble)
            }
            return zip(sums, maxima).map { s, m in T(fromDouble: m.isFinite ? Foundation.log(s) + m : Foundation.log(s)) }
        }
    }
}
