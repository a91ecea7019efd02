import Testing
@testable import TandemONNX

/// The BLAS route of the NN family's matrix products agrees with the Swift loops, and the
/// batched MatMul broadcasts its leading dimensions as numpy does.
@Suite("NN matrix products")
struct NNMatrixProductTests {
    @Test(arguments: [(1, 64, 64), (37, 19, 23), (200, 64, 10), (64, 300, 3)])
    func blasMatchesLoops(_ shape: (Int, Int, Int)) {
        let (m, k, n) = shape
        var rng = SplitMix64(seed: UInt64(m * 10_000 + k * 100 + n))
        let a = (0..<(m * k)).map { _ in Float.random(in: -2...2, using: &rng) }
        let b = (0..<(k * n)).map { _ in Float.random(in: -2...2, using: &rng) }
        let reference = MatMulKernel.multiply(a, b, m, k, n)
        let product = MatrixProduct.multiply(a, b, m, k, n)
        #expect(product.count == reference.count)
        #expect(zip(product, reference).allSatisfy { abs($0 - $1) <= 1e-3 * max(1, abs($1)) })
        let ad = a.map(Double.init), bd = b.map(Double.init)
        let pd = MatrixProduct.multiply(ad, bd, m, k, n), rd = MatMulKernel.multiply(ad, bd, m, k, n)
        #expect(zip(pd, rd).allSatisfy { abs($0 - $1) <= 1e-9 * max(1, abs($1)) })
    }

    @Test func batchedBroadcastInt32() throws {
        // [2, 1, 2, 3] x [3, 3, 2] -> [2, 3, 2, 2]; integers wrap instead of trapping.
        let a = Tensor(shape: [2, 1, 2, 3], data: .int32((0..<12).map { Int32($0) }))
        let b = Tensor(shape: [3, 3, 2], data: .int32((0..<18).map { Int32($0 - 9) }))
        let y = try MatMulKernel.product(a, b)
        #expect(y.shape == [2, 3, 2, 2])
        guard case .int32(let v) = y.data, case .int32(let av) = a.data, case .int32(let bv) = b.data else {
            Issue.record("expected int32 output")
            return
        }
        for i in 0..<2 {
            for j in 0..<3 {
                for r in 0..<2 {
                    for c in 0..<2 {
                        var s: Int32 = 0
                        for p in 0..<3 { s += av[i * 6 + r * 3 + p] * bv[j * 6 + p * 2 + c] }
                        #expect(v[((i * 3 + j) * 2 + r) * 2 + c] == s)
                    }
                }
            }
        }
        let big = Tensor(shape: [1, 1], data: .int32([Int32.max]))
        #expect(try MatMulKernel.product(big, big).data == .int32([1]))
    }

    @Test func vectorOperandsDropTheirDimension() throws {
        let v = Tensor(shape: [3], data: .float([1, 2, 3]))
        #expect(try MatMulKernel.product(v, v) == Tensor(shape: [], data: .float([14])))
        let m = Tensor(shape: [2, 3, 2], data: .float((0..<12).map(Float.init)))
        #expect(try MatMulKernel.product(v, m).shape == [2, 2])
        #expect(throws: KernelError.self) { try MatMulKernel.product(m, m) }
    }
}
