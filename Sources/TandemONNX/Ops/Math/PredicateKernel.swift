/// The element-wise ops with a bool result or operand: `IsNaN` (9, 13, 20), `IsInf` (10, 20;
/// `detect_negative` / `detect_positive`, default 1) and `Not` (1).
struct PredicateKernel: Kernel {
    enum Predicate: Sendable { case isNaN, isInf(negative: Bool, positive: Bool), not }
    let predicate: Predicate

    static func schema(_ op: String, _ versions: [Int64], _ predicate: Predicate) -> OperatorSchema {
        OperatorSchema(opType: op, domain: "", versions: versions, inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
            var predicate = predicate
            if case .isInf = predicate {
                predicate = .isInf(negative: (try ctx.attributes.int("detect_negative") ?? 1) != 0,
                                   positive: (try ctx.attributes.int("detect_positive") ?? 1) != 0)
            }
            if case .not = predicate { try ctx.requireInput(0, oneOf: [.bool]) } else { try ctx.requireInput(0, oneOf: ElementType.floating) }
            return BuiltKernel(kernel: PredicateKernel(predicate: predicate), outputTypes: [.tensor(.bool, shape: ctx.inputShape(0))])
        }
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "X")
        let result: [Bool]
        switch (predicate, t.data) {
        case (.not, .bool(let v)): result = v.map { !$0 }
        case (.isNaN, .float(let v)): result = v.map(\.isNaN)
        case (.isNaN, .double(let v)): result = v.map(\.isNaN)
        case (.isInf(let n, let p), .float(let v)): result = v.map { $0.isInfinite && ($0 < 0 ? n : p) }
        case (.isInf(let n, let p), .double(let v)): result = v.map { $0.isInfinite && ($0 < 0 ? n : p) }
        case (.not, _): throw KernelError("expects tensor(bool), got tensor(\(t.elementType))")
        default: throw KernelError("expects float or double, got tensor(\(t.elementType))")
        }
        return [.tensor(Tensor(shape: t.shape, data: .bool(result)))]
    }
}
