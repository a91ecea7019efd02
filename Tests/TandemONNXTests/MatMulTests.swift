import Testing
@testable import TandemONNX

/// The register-blocked float MatMul must equal the plain loop bit for bit (same summation
/// order) for shapes that exercise every remainder path.
@Suite("MatMul kernel")
struct MatMulTests {
    @Test(arguments: [(1, 1, 1), (4, 3, 8), (7, 5, 19), (13, 64, 64), (9, 64, 10), (0, 3, 8), (5, 0, 8), (8, 3, 5), (4, 1, 16)])
    func blockedEqualsPlain(_ shape: (Int, Int, Int)) {
        let (m, k, n) = shape
        var rng = SplitMix64(seed: UInt64(m * 10_000 + k * 100 + n))
        let a = (0..<(m * k)).map { _ in Float.random(in: -2...2, using: &rng) }
        let b = (0..<(k * n)).map { _ in Float.random(in: -2...2, using: &rng) }
        #expect(MatMulKernel.multiplyFloat(a, b, m, k, n) == MatMulKernel.multiply(a, b, m, k, n))
    }
}
