import Testing
@testable import TandemONNX

/// The dense-layer paths (issue 8, item 5): a MatMul + bias row fused into one BLAS call that adds the
/// product into the bias rows, Gemm with a one-row C the same way, and ArgMax's float row scan must
/// give exactly what the unfused nodes and the generic kernels give.
@Suite("Dense layers")
struct DenseLayerTests {
    /// MatMul [.., k] x [k, n], Add of a [1, n] row, Relu: the digits-mlp layer.
    func layerPlan(k: Int, n: Int) -> ExecutionPlan {
        var constants = [Value?](repeating: nil, count: 6)
        constants[1] = .tensor(Tensor(shape: [k, n], data: .float((0..<(k * n)).map { Float(($0 * 13) % 29) * 0.031 - 0.4 })))
        constants[3] = .tensor(Tensor(shape: [1, n], data: .float((0..<n).map { Float($0 % 5) * 0.37 - 0.8 })))
        func step(_ kernel: any Kernel, _ ins: [Int], _ out: Int, _ name: String, _ op: String) -> ExecutionPlan.Step {
            .init(kernel: kernel, inputSlots: ins, outputSlots: [out], releases: [], nodeName: name, opType: op)
        }
        let steps = [
            step(MatMulKernel(), [0, 1], 2, "mm", "MatMul"),
            step(BinaryKernel(operation: .add), [2, 3], 4, "bias", "Add"),
            step(UnaryKernel(operation: .relu), [4], 5, "relu", "Relu"),
        ]
        return ExecutionPlan(slotCount: 6, constants: constants, feeds: [.init(name: "x", slot: 0, elementType: .float, shape: nil, optional: false)],
                             steps: steps, outputs: [("y", 5)])
    }

    func bits(_ values: [String: Value], _ name: String) -> [UInt32]? {
        guard case .tensor(let t)? = values[name], case .float(let v) = t.data else { return nil }
        return v.map(\.bitPattern)
    }

    func input(_ shape: [Int]) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, data: .float((0..<count).map { Float(($0 * 37) % 101) * 0.07 - 3.5 }))
    }

    @Test(arguments: [[3, 64], [300, 64], [2, 150, 64]])
    func matMulBiasReluIsOneStepAndBitIdentical(shape: [Int]) throws {
        let plan = layerPlan(k: 64, n: 48)
        var fused = plan
        fused.steps = ElementwiseFusion.fuse(plan.steps, constants: plan.constants, keep: [5])
        #expect(fused.steps.count == 1)
        let x = ["x": input(shape)]
        let want = try plan.run(x), got = try fused.run(x)
        if case .tensor(let t)? = got["y"] { #expect(t.shape == Array(shape.dropLast()) + [48]) }
        #expect(bits(want, "y") != nil)
        #expect(bits(want, "y") == bits(got, "y"), "shape \(shape)")
    }

    @Test(arguments: [2, 400])
    func multiplyAddingRowEqualsProductThenAdd(rows: Int) throws {
        let k = 40, n = 24
        let a = (0..<(rows * k)).map { Float(($0 * 7) % 23) * 0.11 - 1.2 }
        let b = (0..<(k * n)).map { Float(($0 * 5) % 17) * 0.09 - 0.7 }
        let bias = (0..<n).map { Float($0) * 0.013 - 0.1 }
        var want = MatrixProduct.multiply(a, b, rows, k, n)
        for i in want.indices { want[i] += bias[i % n] }
        let got = try #require(MatrixProduct.multiplyAddingRow(a, b, rows, k, n, bias: bias))
        #expect(got.map(\.bitPattern) == want.map(\.bitPattern))
        #expect(MatrixProduct.multiplyAddingRow(a, b, rows, k, n, bias: [1]) == nil)
    }

    @Test func gemmWithBiasRowEqualsGemmThenAdd() throws {
        let m = 500, k = 30, n = 32
        let a = input([m, k])
        let w = Tensor(shape: [n, k], data: .float((0..<(n * k)).map { Float(($0 * 11) % 19) * 0.05 - 0.45 }))
        let c = Tensor(shape: [n], data: .float((0..<n).map { Float($0) * 0.021 - 0.3 }))
        let gemm = GemmKernel(alpha: 1, beta: 1, transA: false, transB: true, pretransposedB: nil)
        let withC = try gemm.run([.tensor(a), .tensor(w), .tensor(c)])
        let without = try gemm.run([.tensor(a), .tensor(w), nil])
        let summed = try BinaryKernel(operation: .add).run([without[0], .tensor(c)])
        #expect(withC == summed)
    }

    @Test func argMaxRowScanMatchesTheGenericScan() throws {
        let rows: [[Float]] = [[0.1, 0.7, 0.7, 0.2], [.nan, 1, 2, 3], [1, .nan, 0.5, 2], [-1, -1, -1, -1], [-.infinity, -3, .infinity, 0]]
        let t = Tensor(shape: [rows.count, 4], data: .float(rows.flatMap { $0 }))
        let fast = try ArgExtremumKernel(findMax: true, axis: 1, keepDims: false, selectLast: false).run([.tensor(t)])
        #expect(fast == [.tensor(Tensor(shape: [5], data: .int64([1, 0, 3, 0, 2])))])
        // The same rows as doubles take the generic scan.
        let d = Tensor(shape: [rows.count, 4], data: .double(rows.flatMap { $0 }.map(Double.init)))
        let generic = try ArgExtremumKernel(findMax: true, axis: -1, keepDims: true, selectLast: false).run([.tensor(d)])
        #expect(generic == [.tensor(Tensor(shape: [5, 1], data: .int64([1, 0, 3, 0, 2])))])
    }
}
