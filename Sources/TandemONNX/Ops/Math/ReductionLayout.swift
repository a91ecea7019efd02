/// Which input elements fold into which output element for a reduction over a set of axes:
/// an odometer over the input in row-major order that tracks the output index, so a
/// reduction over any axes is one pass over contiguous input.
struct ReductionLayout {
    let inputShape: [Int]
    /// The output shape with the reduced axes kept as 1.
    let keptShape: [Int]
    let inputCount: Int
    let outputCount: Int
    /// The number of input elements that fold into each output element.
    let reducedCount: Int
    /// Output strides per input axis, 0 on reduced axes.
    private let outputStrides: [Int]

    /// `axes` must be normalised and distinct.
    init(_ shape: [Int], axes: Set<Int>) throws(KernelError) {
        inputShape = shape
        keptShape = shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
        inputCount = Shapes.elementCount(shape) ?? 0
        outputCount = try Shapes.checkedCount(keptShape)
        reducedCount = axes.reduce(1) { $0 &* shape[$1] }
        let strides = Shapes.strides(keptShape)
        outputStrides = shape.indices.map { axes.contains($0) ? 0 : strides[$0] }
    }

    /// Calls `body(inputIndex, outputIndex)` for every input element, in input order.
    func walk(_ body: (Int, Int) -> Void) {
        let rank = inputShape.count
        var index = [Int](repeating: 0, count: rank)
        var o = 0
        for i in 0..<inputCount {
            body(i, o)
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                o += outputStrides[d]
                if index[d] < inputShape[d] { break }
                o -= outputStrides[d] * index[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    /// `combine` folded over each output element's inputs, starting from `initial`.
    func fold<T, A>(_ v: [T], _ initial: A, _ combine: (A, T) -> A) -> [A] {
        var acc = [A](repeating: initial, count: outputCount)
        if outputCount == 1 {
            var a = initial
            for x in v { a = combine(a, x) }
            acc[0] = a
            return acc
        }
        walk { i, o in acc[o] = combine(acc[o], v[i]) }
        return acc
    }
}
