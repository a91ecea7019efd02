/// `MatMul` (1, 9, 13): numpy matmul for float, double, int64 and int32: 1-D operands are
/// promoted to a row (left) or a column (right) and the promoted dimension dropped afterwards;
/// leading (batch) dimensions broadcast. A right operand without batch dimensions is one product
/// over every row of the left operand.
struct MatMulKernel: Kernel {
    static let schema = OperatorSchema(opType: "MatMul", domain: "", versions: [1, 9, 13], inputs: 2...2, outputs: 1...1) { ctx throws(BuildError) in
        let types: Set<ElementType> = [.float, .double, .int64, .int32]
        try ctx.requireInput(0, oneOf: types)
        try ctx.requireInput(1, oneOf: types)
        if let a = ctx.inputElement(0), let b = ctx.inputElement(1), a != b {
            throw BuildError(.typeMismatch, "inputs have different element types (\(a) and \(b))")
        }
        var shape: [Int?]? = nil
        if let a = ctx.inputShape(0), let b = ctx.inputShape(1), a.count >= 1, b.count >= 1 {
            let k1 = a[a.count - 1], k2 = b.count == 1 ? b[0] : b[b.count - 2]
            if let k1, let k2, k1 != k2 {
                throw BuildError(.typeMismatch, "inner dimensions differ: \(ctx.inputTypes[0]?.text ?? "") x \(ctx.inputTypes[1]?.text ?? "")")
            }
            let batchA = Array(a.dropLast(a.count == 1 ? 1 : 2)), batchB = Array(b.dropLast(b.count == 1 ? 1 : 2))
            if let batch = Broadcasting.shape(batchA, batchB) {
                shape = batch + (a.count == 1 ? [] : [a[a.count - 2]]) + (b.count == 1 ? [] : [b[b.count - 1]])
            }
        }
        return BuiltKernel(kernel: MatMulKernel(), outputTypes: [.tensor(ctx.inputElement(0) ?? ctx.inputElement(1), shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let a = try Inputs.tensor(inputs, 0, "A"), b = try Inputs.tensor(inputs, 1, "B")
        return [.tensor(try Self.product(a, b))]
    }

    /// numpy `matmul(a, b)`.
    static func product(_ a: Tensor, _ b: Tensor) throws(KernelError) -> Tensor {
        guard a.shape.count >= 1, b.shape.count >= 1 else {
            throw KernelError("MatMul operands must have rank >= 1, got shapes \(a.shape) x \(b.shape)")
        }
        let aShape = a.shape.count == 1 ? [1, a.shape[0]] : a.shape
        let bShape = b.shape.count == 1 ? [b.shape[0], 1] : b.shape
        let m = aShape[aShape.count - 2], k = aShape[aShape.count - 1]
        let n = bShape[bShape.count - 1]
        guard bShape[bShape.count - 2] == k else { throw KernelError("inner dimensions differ: \(a.shape) x \(b.shape)") }
        let batchA = Array(aShape.dropLast(2)), batchB = Array(bShape.dropLast(2))
        guard let batch = Broadcasting.shape(batchA, batchB) else {
            throw KernelError("batch dimensions of \(a.shape) and \(b.shape) cannot be broadcast")
        }
        _ = try Shapes.checkedCount(batch + [m, n])
        let outShape = batch + (a.shape.count == 1 ? [] : [m]) + (b.shape.count == 1 ? [] : [n])
        let job = BatchedProduct(b: b.data, batchA: batchA, batchB: batchB, batch: batch, m: m, k: k, n: n)
        return Tensor(shape: outShape, data: try a.data.visitProduct(job, "A"))
    }
}

/// One MatMul over broadcast batches, generic over the element type.
private struct BatchedProduct: ProductVisitor {
    let b: TensorData
    let batchA: [Int], batchB: [Int], batch: [Int]
    let m: Int, k: Int, n: Int

    func visit<T: ProductScalar>(_ a: [T]) throws(KernelError) -> TensorData {
        guard let b = T.unwrap(self.b) else {
            throw KernelError("operands have different element types (tensor(\(T.elementType)) and tensor(\(self.b.elementType)))")
        }
        // No batch dimensions on the right: one product over all rows of the left operand.
        if batchB.allSatisfy({ $0 == 1 }) && batchA.count >= batchB.count {
            let rows = (Shapes.elementCount(batchA) ?? 0) * m
            return T.wrap(MatrixProduct.multiply(a, b, rows, k, n))
        }
        let batches = Shapes.elementCount(batch) ?? 0
        let stridesA = Self.broadcastStrides(batchA, rank: batch.count, matrix: m * k)
        let stridesB = Self.broadcastStrides(batchB, rank: batch.count, matrix: k * n)
        var out: [T] = []
        out.reserveCapacity(batches * m * n)
        var index = [Int](repeating: 0, count: batch.count)
        for _ in 0..<batches {
            var offA = 0, offB = 0
            for d in 0..<batch.count {
                offA += index[d] * stridesA[d]
                offB += index[d] * stridesB[d]
            }
            let x = Array(a[offA..<(offA + m * k)]), y = Array(b[offB..<(offB + k * n)])
            out.append(contentsOf: MatrixProduct.multiply(x, y, m, k, n))
            var d = batch.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < batch[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return T.wrap(out)
    }

    /// Element strides of each broadcast batch dimension for an operand (0 where it broadcasts).
    static func broadcastStrides(_ shape: [Int], rank: Int, matrix: Int) -> [Int] {
        var strides = [Int](repeating: 0, count: rank)
        var acc = matrix
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[rank - shape.count + i] = shape[i] == 1 ? 0 : acc
            acc *= shape[i]
        }
        return strides
    }
}
