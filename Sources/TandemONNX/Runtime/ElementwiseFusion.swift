/// Load-time fusion of element-wise float chains into `FusedChainKernel` steps.
///
/// A chain starts at a Relu, Erf or Add/Sub/Mul/Div node whose other operand is a float constant
/// (a scalar or one row) and follows the single reader of each intermediate while that reader is
/// again such a node, or a binary node whose other operand is the chain's input. Intermediates must
/// have exactly one reader and must not be graph outputs, so nothing else can observe them. When
/// every reader of the chain's input is in the chain and one node produced it, that node becomes
/// the chain's head and the ops run in place on its fresh output.
enum ElementwiseFusion {
    static func fuse(_ steps: [ExecutionPlan.Step], constants: [Value?], keep: Set<Int>) -> [ExecutionPlan.Step] {
        var readers: [Int: [Int]] = [:]
        var producer: [Int: Int] = [:]
        for (i, step) in steps.enumerated() {
            for slot in Set(step.inputSlots) where slot >= 0 { readers[slot, default: []].append(i) }
            for slot in step.outputSlots where slot >= 0 { producer[slot] = i }
        }
        var removed = Set<Int>()
        var fused: [Int: ExecutionPlan.Step] = [:]
        for start in steps.indices where !removed.contains(start) && fused[start] == nil {
            guard let valueSlot = firstValueSlot(steps[start], constants), valueSlot >= 0, constants[valueSlot] == nil,
                  let first = op(steps[start], value: valueSlot, root: -1, constants) else { continue }
            let root = valueSlot
            var chain = [start], ops = [first]
            var current = steps[start].outputSlots[0]
            while !keep.contains(current), let next = readers[current], next.count == 1, let n = next.first,
                  !removed.contains(n), fused[n] == nil, let o = op(steps[n], value: current, root: root, constants) {
                chain.append(n)
                ops.append(o)
                current = steps[n].outputSlots[0]
            }
            let members = Set(chain)
            var head: Int? = nil
            if let h = producer[root], !removed.contains(h), fused[h] == nil, steps[h].outputSlots == [root], !keep.contains(root),
               (readers[root] ?? []).allSatisfy({ members.contains($0) }) {
                head = h
            }
            guard head != nil || ops.count >= 2, let last = chain.last else { continue }
            let kernel = FusedChainKernel(
                head: head.map { (steps[$0].kernel, steps[$0].nodeName, steps[$0].opType) }, ops: ops)
            fused[last] = ExecutionPlan.Step(
                kernel: kernel, inputSlots: head.map { steps[$0].inputSlots } ?? [root], outputSlots: [current],
                releases: [], nodeName: steps[last].nodeName, opType: steps[last].opType)
            for c in chain.dropLast() { removed.insert(c) }
            if let head { removed.insert(head) }
        }
        var result: [ExecutionPlan.Step] = []
        result.reserveCapacity(steps.count)
        for (i, step) in steps.enumerated() where !removed.contains(i) { result.append(fused[i] ?? step) }
        return result
    }

    /// The non-constant input of a node that may start a chain.
    private static func firstValueSlot(_ step: ExecutionPlan.Step, _ constants: [Value?]) -> Int? {
        if step.kernel is UnaryKernel { return step.inputSlots.first }
        guard step.kernel is BinaryKernel, step.inputSlots.count == 2 else { return nil }
        let a = step.inputSlots[0], b = step.inputSlots[1]
        func isConstant(_ s: Int) -> Bool { s >= 0 && constants[s] != nil }
        if isConstant(b) && !isConstant(a) { return a }
        if isConstant(a) && !isConstant(b) { return b }
        return nil
    }

    /// `step` as a fused op reading `value` (and possibly the chain's input `root`), or nil.
    private static func op(_ step: ExecutionPlan.Step, value: Int, root: Int, _ constants: [Value?]) -> FusedChainKernel.Op? {
        guard step.outputSlots.count == 1, step.outputSlots[0] >= 0 else { return nil }
        if let unary = step.kernel as? UnaryKernel {
            guard step.inputSlots == [value] else { return nil }
            let fast: FusedChainKernel.FastOp
            switch unary.operation {
            case .relu: fast = .relu
            case .erf: fast = .erf
            default: return nil
            }
            return .init(kernel: step.kernel, operands: [.value], fast: fast, node: step.nodeName, opType: step.opType)
        }
        guard let binary = step.kernel as? BinaryKernel, step.inputSlots.count == 2 else { return nil }
        switch binary.operation {
        case .add, .sub, .mul, .div: break
        default: return nil
        }
        let a = step.inputSlots[0], b = step.inputSlots[1]
        let valueFirst: Bool, otherSlot: Int
        if a == value && b != value { valueFirst = true; otherSlot = b } else if b == value && a != value { valueFirst = false; otherSlot = a } else { return nil }
        guard otherSlot >= 0 else { return nil }
        let other: FusedChainKernel.Other, operand: FusedChainKernel.Operand
        if otherSlot == root {
            other = .root
            operand = .root
        } else if case .tensor(let c)? = constants[otherSlot], case .float(let v) = c.data {
            if v.count == 1 {
                other = .scalar(v[0], rank: c.shape.count)
            } else if let width = c.shape.last, width == v.count, c.shape.dropLast().allSatisfy({ $0 == 1 }) {
                other = .row(v, rank: c.shape.count)
            } else {
                return nil
            }
            operand = .constant(c)
        } else {
            return nil
        }
        return .init(kernel: step.kernel, operands: valueFirst ? [.value, operand] : [operand, .value],
                     fast: .binary(binary.operation, valueFirst: valueFirst, other), node: step.nodeName, opType: step.opType)
    }
}
