import Testing
@testable import TandemONNX

/// Math-family kernels on inputs the conformance suite does not cover: integer corner cases
/// that would trap with Swift's checked operators, string casts, and reductions over nothing.
@Suite("Math kernels")
struct MathKernelTests {
    private func binary(_ op: BinaryOperation, _ a: TensorData, _ b: TensorData) throws -> TensorData {
        try BinaryKernel.apply(op, Tensor(shape: [a.count], data: a), Tensor(shape: [b.count], data: b)).data
    }

    @Test func integerDivisionNeverTraps() throws {
        #expect(try binary(.div, .int32([7, -7, Int32.min, 5]), .int32([2, 2, -1, 0])) == .int32([3, -3, Int32.min, 0]))
        #expect(try binary(.div, .int8([Int8.min, 9]), .int8([-1, 0])) == .int8([Int8.min, 0]))
        #expect(try binary(.mod(fmod: false), .int64([-7, 7, -7, Int64.min, 3]), .int64([3, -3, -3, -1, 0])) == .int64([2, -2, -1, 0, 0]))
        #expect(try binary(.mod(fmod: true), .int64([-7, 7]), .int64([3, -3])) == .int64([-1, 1]))
    }

    @Test func integerArithmeticWraps() throws {
        #expect(try binary(.add, .int8([127, -128]), .int8([1, -1])) == .int8([-128, 127]))
        #expect(try binary(.pow, .int32([2, 3, -1, 2]), .int64([31, 2, -3, -1])) == .int32([Int32.min, 9, -1, 0]))
        let neg = try UnaryKernel(operation: .abs).run([.tensor(Tensor(shape: [2], data: .int8([Int8.min, -3])))])
        #expect(neg == [.tensor(Tensor(shape: [2], data: .int8([Int8.min, 3])))])
    }

    @Test func castsThroughStrings() throws {
        let floats = try CastKernel.convert(.float([1.5, .nan, -.infinity, 0.1]), to: .string)
        #expect(floats == .string(["1.5", "NaN", "-INF", "0.1"]))
        #expect(try CastKernel.convert(.string(["3", "-2", "1e2"]), to: .int8) == .int8([3, -2, 100]))
        #expect(try CastKernel.convert(.string(["inf", "NaN", "2.5"]), to: .double).doubles?.map { $0.isNaN ? 0 : $0 } == [.infinity, 0, 2.5])
        #expect(throws: KernelError.self) { try CastKernel.convert(.string(["hello"]), to: .float) }
    }

    @Test func reductionsOverNothing() throws {
        let kernel = ReduceKernel(function: .l1, attributeAxes: nil, axesFromInput: true, keepDims: true, noopWithEmptyAxes: true)
        let x = Tensor(shape: [2, 2], data: .float([-1, 2, -3, 4]))
        #expect(try kernel.run([.tensor(x), .tensor(Tensor(shape: [0], data: .int64([])))]) == [.tensor(Tensor(shape: [2, 2], data: .float([1, 2, 3, 4])))])
        let sum = ReduceKernel(function: .sum, attributeAxes: [1], axesFromInput: false, keepDims: false, noopWithEmptyAxes: false)
        #expect(try sum.run([.tensor(Tensor(shape: [2, 0], data: .float([])))]) == [.tensor(Tensor(shape: [2], data: .float([0, 0])))])
        #expect(throws: KernelError.self) {
            try ReduceKernel(function: .max, attributeAxes: [5], axesFromInput: false, keepDims: true, noopWithEmptyAxes: false).run([.tensor(x)])
        }
    }

    @Test func topKRejectsBadK() {
        let x = Tensor(shape: [3], data: .float([1, 2, 3]))
        let kernel = TopKKernel(attributeK: nil, axis: -1, largest: true)
        #expect(throws: KernelError.self) { try kernel.run([.tensor(x), .tensor(Tensor(shape: [1], data: .int64([4])))]) }
        #expect(throws: KernelError.self) { try kernel.run([.tensor(x), .tensor(Tensor(shape: [1], data: .int64([-1])))]) }
    }
}
