import Testing
@testable import TandemONNX

/// Window geometry of Conv and the pools (output sizes and padding), and Einsum's equation parser.
@Suite("NN geometry")
struct NNGeometryTests {
    func window(_ autoPad: SpatialGeometry.AutoPad, input: Int, kernel: Int, stride: Int, pads: [Int]? = nil, ceil: Bool = false) throws -> SpatialGeometry.Window {
        var g = try SpatialGeometry(NodeAttributes([]), kernelRequired: false, allowCeil: true)
        g.autoPad = autoPad
        g.strides = [stride]
        g.pads = pads
        g.ceilMode = ceil
        return try g.resolve(input: [input], kernel: [kernel])
    }

    @Test func samePaddingPutsTheOddPixelAtTheEndOrTheStart() throws {
        let upper = try window(.sameUpper, input: 5, kernel: 2, stride: 1)
        #expect(upper.output == [5] && upper.padBegin == [0] && upper.padEnd == [1])
        let lower = try window(.sameLower, input: 5, kernel: 2, stride: 1)
        #expect(lower.output == [5] && lower.padBegin == [1] && lower.padEnd == [0])
        let strided = try window(.sameUpper, input: 5, kernel: 3, stride: 2)
        #expect(strided.output == [3] && strided.padBegin == [1] && strided.padEnd == [1])
    }

    @Test func ceilModeDropsAWindowThatStartsInTrailingPadding() throws {
        #expect(try window(.notSet, input: 4, kernel: 3, stride: 2, ceil: true).output == [2])
        #expect(try window(.notSet, input: 4, kernel: 3, stride: 2).output == [1])
        // 2 + 2 padding, kernel 3, stride 3: ceil gives 2 windows, but the second would start in the end padding.
        #expect(try window(.notSet, input: 2, kernel: 3, stride: 3, pads: [1, 1], ceil: true).output == [1])
    }

    @Test func aWindowLargerThanThePaddedInputFailsTheRun() {
        #expect(throws: KernelError.self) { try window(.notSet, input: 2, kernel: 5, stride: 1) }
    }

    @Test func einsumEquations() throws {
        let e = try EinsumEquation("...ii ->...i")
        #expect(e.inputs == [[.ellipsis, .letter("i"), .letter("i")]])
        #expect(e.output == [.ellipsis, .letter("i")])
        #expect(try EinsumEquation("ij,jk").output == nil)
        #expect(throws: BuildError.self) { try EinsumEquation("ij->ii") }
        #expect(throws: BuildError.self) { try EinsumEquation("ij->k") }
        #expect(throws: BuildError.self) { try EinsumEquation("i..j") }
        #expect(throws: BuildError.self) { try EinsumEquation("i1") }
    }
}
