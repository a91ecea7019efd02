import Foundation
import Testing
@testable import TandemONNX

/// The load-time fusion of element-wise chains must give exactly the unfused results, fall back
/// to the nodes' own kernels for inputs the fast form does not take, and still name the failing node.
@Suite("Element-wise fusion")
struct ElementwiseFusionTests {
    /// MatMul then PyTorch's GELU: `y * (0.5 * (erf(y / sqrt 2) + 1))`, the torch dynamo export's
    /// node order, operands in its order (Mul(0.5, .), Mul(y, .)).
    func geluPlan(width: Int, rowConstant: Bool = false) -> ExecutionPlan {
        func scalar(_ v: Float) -> Value? { .tensor(Tensor(shape: [], data: .float([v]))) }
        var constants = [Value?](repeating: nil, count: 11)
        constants[1] = .tensor(Tensor(shape: [width, width], data: .float((0..<(width * width)).map { Float($0 % 7) * 0.25 - 0.6 })))
        constants[3] = rowConstant ? .tensor(Tensor(shape: [1, width], data: .float((0..<width).map { 1.2 + Float($0) * 0.1 }))) : scalar(1.4142135)
        constants[6] = scalar(1)
        constants[8] = scalar(0.5)
        func step(_ k: any Kernel, _ ins: [Int], _ out: Int, _ name: String, _ op: String) -> ExecutionPlan.Step {
            .init(kernel: k, inputSlots: ins, outputSlots: [out], releases: [], nodeName: name, opType: op)
        }
        let steps = [
            step(MatMulKernel(), [0, 1], 2, "mm", "MatMul"),
            step(BinaryKernel(operation: .div), [2, 3], 4, "div", "Div"),
            step(UnaryKernel(operation: .erf), [4], 5, "erf", "Erf"),
            step(BinaryKernel(operation: .add), [5, 6], 7, "add", "Add"),
            step(BinaryKernel(operation: .mul), [8, 7], 9, "half", "Mul"),
            step(BinaryKernel(operation: .mul), [2, 9], 10, "gelu", "Mul"),
        ]
        return ExecutionPlan(slotCount: 11, constants: constants, feeds: [.init(name: "x", slot: 0, elementType: .float, shape: nil, optional: false)],
                             steps: steps, outputs: [("y", 10)])
    }

    func fused(_ plan: ExecutionPlan) -> ExecutionPlan {
        var p = plan
        p.steps = ElementwiseFusion.fuse(plan.steps, constants: plan.constants, keep: Set(plan.outputs.map(\.slot)))
        return p
    }

    func input(rows: Int, width: Int) -> Tensor {
        Tensor(shape: [rows, width], data: .float((0..<(rows * width)).map { Float(($0 * 37) % 101) * 0.07 - 3.5 }))
    }

    @Test func geluChainIsOneStepAndBitIdentical() throws {
        let plan = geluPlan(width: 13)
        let f = fused(plan)
        #expect(f.steps.count == 1)
        for rows in [1, 5, 64] {
            let x = ["x": input(rows: rows, width: 13)]
            let want = try plan.run(x), got = try f.run(x)
            guard case .tensor(let a)? = want["y"], case .tensor(let b)? = got["y"], case .float(let va) = a.data, case .float(let vb) = b.data else {
                Issue.record("no float output")
                continue
            }
            #expect(a.shape == b.shape)
            #expect(va.map(\.bitPattern) == vb.map(\.bitPattern), "rows \(rows)")
        }
    }

    @Test func rowConstantsAndReluFuse() throws {
        let plan = geluPlan(width: 6, rowConstant: true)
        var relu = plan
        relu.steps[2] = .init(kernel: UnaryKernel(operation: .relu), inputSlots: [4], outputSlots: [5], releases: [], nodeName: "relu", opType: "Relu")
        let f = fused(relu)
        #expect(f.steps.count == 1)
        let x = ["x": input(rows: 9, width: 6)]
        #expect(try relu.run(x) == f.run(x))
    }

    @Test func fallsBackWhenAConstantWouldBroadcastTheShape() throws {
        // A rank-1 input against a [1, C] row: the result is [1, C], which the in-place form cannot produce.
        let plan = geluPlan(width: 4, rowConstant: true)
        let f = fused(plan)
        let x = ["x": Tensor(shape: [4], data: .float([0.5, -1, 2, 3]))]
        let want = try plan.run(x), got = try f.run(x)
        #expect(want == got)
        if case .tensor(let t)? = got["y"] { #expect(t.shape == [1, 4]) }
    }

    @Test func intermediatesReadElsewhereAreNotFused() {
        var plan = geluPlan(width: 3)
        plan.outputs.append(("erf", 5))
        let f = fused(plan)
        // The chain stops at the graph output (Div+Erf, no head: mm is read outside it), Add+Mul is
        // a second chain, and the last Mul reads mm's output, which is not that chain's input.
        #expect(f.steps.map(\.nodeName) == ["mm", "erf", "half", "gelu"])
    }

    @Test func failuresNameTheFusedNode() {
        let f = fused(geluPlan(width: 4))
        #expect(throws: ONNXRunError.self) { try f.run(["x": input(rows: 2, width: 5)]) }
        do {
            _ = try f.run(["x": input(rows: 2, width: 5)])
        } catch {
            #expect(error.node == "mm")
            #expect(error.opType == "MatMul")
        }
    }

    @Test func vectorErfErrorBound() {
        var worstAbs = 0.0, worstRel = 0.0
        var x: Float = -6
        var xs: [Float] = []
        while x <= 6 {
            xs.append(x)
            x += 3e-5
        }
        let ys = VectorErf.erf(xs)
        var differing = 0
        for (x, y) in zip(xs, ys) {
            let e = Foundation.erf(Double(x))
            let d = abs(Double(y) - e)
            worstAbs = max(worstAbs, d)
            if abs(x) < 0.9, x != 0 { worstRel = max(worstRel, d / abs(e)) }
            if y != VectorErf.erf(x) { differing += 1 }
        }
        #expect(differing == 0, "the array and scalar paths differ")
        #expect(worstAbs <= 1.4e-7, "worst absolute error \(worstAbs)")
        #expect(worstRel <= 2e-7, "worst relative error \(worstRel)")
        #expect(VectorErf.erf(Float.nan).isNaN)
        #expect(VectorErf.erf(Float.infinity) == 1 && VectorErf.erf(-Float.infinity) == -1)
        #expect(VectorErf.erf(Float(0)) == 0 && VectorErf.erf(Float(-0.0)).sign == .minus)
        #expect(VectorErf.erf([0.25, .nan, -2]).map { $0.isNaN ? 9 : $0 } == [VectorErf.erf(0.25), 9, VectorErf.erf(-2)])
    }

    @Test func vectorExpErrorBound() {
        var worst = 0.0
        var y: Float = -87.3
        while y <= 0 {
            let e = Foundation.exp(Double(y))
            worst = max(worst, abs(Double(VectorExp.exp(y)) - e) / e)
            y += 2e-4
        }
        #expect(worst <= 1.1e-7, "worst relative error \(worst)")
        #expect(VectorExp.exp(-Float.infinity) == 0 && VectorExp.exp(-100) == 0 && VectorExp.exp(Float.nan).isNaN)
        #expect(VectorExp.exp(0) == 1)
    }

    @Test func floatSoftmaxRowsMatchDoublePrecision() throws {
        let rows = 7, length = 10
        let x = (0..<(rows * length)).map { Float(($0 * 53) % 97) * 0.21 - 9 }
        let out = try SoftmaxKernel(function: .softmax, axis: -1, coerceTo2D: false).run([.tensor(Tensor(shape: [rows, length], data: .float(x)))])
        guard case .tensor(let t)? = out.first, case .float(let v) = t.data else { Issue.record("no float output"); return }
        for r in 0..<rows {
            let row = x[(r * length)..<((r + 1) * length)].map(Double.init)
            let m = row.max() ?? 0
            let sum = row.map { Foundation.exp($0 - m) }.reduce(0, +)
            for j in 0..<length {
                let want = Foundation.exp(row[j] - m) / sum
                // Relative 3e-7 for the probabilities that matter; tiny ones also carry the float
                // rounding of x - max (an ulp of 20 is 2e-6 of relative error after exp).
                #expect(abs(Double(v[r * length + j]) - want) <= 3e-7 * want + 1e-9, "row \(r) column \(j)")
            }
        }
    }
}
