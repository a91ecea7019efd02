/// `SVMClassifier` (ai.onnx.ml 1) as onnxruntime computes it: libsvm one-vs-one decision
/// values (accumulated in double), votes (ties to the first class), optional Platt
/// probabilities with the Wu–Lin–Weng pairwise coupling in float32, or liblinear mode when
/// there are no support vectors.
struct SVMClassifierKernel: Kernel {
    let function: SVMKernelFunction
    let labels: ModelSignature.ClassLabels
    let classCount: Int
    let features: Int
    let supportVectors: [Float]
    let vectorsPerClass: [Int]
    let startOfClass: [Int]
    let vectorCount: Int
    let coefficients: [Float]
    let rho: [Float]
    let probA: [Float]
    let probB: [Float]
    let transform: PostTransform
    let linearMode: Bool
    let weightsAllPositive: Bool

    static let schema = OperatorSchema(opType: "SVMClassifier", domain: OpsetTable.mlDomain, versions: [1], inputs: 1...1, outputs: 2...2) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.float, .double, .int64, .int32])
        let a = ctx.attributes
        var function = try SVMKernelFunction(a)
        guard let labels = try ModelSignature.ClassLabels.read(a, ints: "classlabels_ints", strings: "classlabels_strings") else {
            throw BuildError(.invalidAttribute, "one of 'classlabels_ints' or 'classlabels_strings' is required")
        }
        let k = labels.count
        let perClass = (try a.ints("vectors_per_class") ?? []).map { Int(clamping: $0) }
        let sv = try a.floats("support_vectors") ?? []
        let coefficients = try a.requiredFloats("coefficients")
        let rho = try a.requiredFloats("rho")
        let probA = try a.floats("prob_a") ?? [], probB = try a.floats("prob_b") ?? []
        let transform = try PostTransform(name: a.string("post_transform") ?? "NONE")
        guard probA.count == probB.count else { throw BuildError(.invalidAttribute, "'prob_a' and 'prob_b' must have the same length") }
        guard !coefficients.isEmpty else { throw BuildError(.invalidAttribute, "'coefficients' is empty") }
        guard k >= 2 else { throw BuildError(.invalidAttribute, "needs at least 2 class labels") }
        guard perClass.allSatisfy({ $0 >= 0 && $0 <= 1 << 24 }) else {
            throw BuildError(.invalidAttribute, "'vectors_per_class' has an entry outside 0...\(1 << 24)")
        }
        let vectorCount = perClass.reduce(0, +)
        var starts: [Int] = []
        var acc = 0
        for n in perClass { starts.append(acc); acc += n }
        let pairs = k * (k - 1) / 2
        let linearMode = vectorCount == 0
        let features: Int
        if linearMode {
            guard coefficients.count % k == 0 else { throw BuildError(.invalidAttribute, "'coefficients' (\(coefficients.count)) is not a multiple of the \(k) classes") }
            features = coefficients.count / k
            function.kind = .linear
            guard !rho.isEmpty else { throw BuildError(.invalidAttribute, "'rho' must have at least one entry") }
        } else {
            guard perClass.count == k else { throw BuildError(.invalidAttribute, "'vectors_per_class' has \(perClass.count) entries for \(k) classes") }
            guard sv.count % vectorCount == 0, !sv.isEmpty else { throw BuildError(.invalidAttribute, "'support_vectors' (\(sv.count)) is not a multiple of \(vectorCount) vectors") }
            features = sv.count / vectorCount
            guard coefficients.count >= (k - 1) * vectorCount else { throw BuildError(.invalidAttribute, "'coefficients' has \(coefficients.count) values, needs (classes-1) x vectors = \((k - 1) * vectorCount)") }
            guard rho.count >= pairs else { throw BuildError(.invalidAttribute, "'rho' has \(rho.count) values, needs one per class pair (\(pairs))") }
            guard probA.isEmpty || probA.count >= pairs else { throw BuildError(.invalidAttribute, "'prob_a'/'prob_b' need one value per class pair (\(pairs))") }
        }
        if let c = ctx.inputShape(0)?.last ?? nil, c != features {
            throw BuildError(.typeMismatch, "the model expects \(features) features but the input has \(c)")
        }
        let kernel = SVMClassifierKernel(
            function: function, labels: labels, classCount: k, features: features, supportVectors: sv, vectorsPerClass: perClass,
            startOfClass: starts, vectorCount: vectorCount, coefficients: coefficients, rho: rho, probA: probA, probB: probB,
            transform: transform, linearMode: linearMode, weightsAllPositive: coefficients.allSatisfy { $0 >= 0 })
        let rows = ctx.inputShape(0)?.first ?? nil
        return BuiltKernel(kernel: kernel,
                           outputTypes: [.tensor(labels.elementType, shape: [rows]), .tensor(.float, shape: [rows, kernel.scoreColumns])],
                           role: .classifier(labels: labels, scoresAreProbabilities: !probA.isEmpty || transform.producesProbabilities))
    }

    var scoreColumns: Int {
        if !linearMode && probA.isEmpty { return classCount > 2 ? classCount * (classCount - 1) / 2 : 2 }
        return classCount
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let (x, rows, columns, _) = try Inputs.floatMatrix(inputs)
        guard columns == features else { throw KernelError("input has \(columns) features, the model expects \(features)") }
        let k = classCount, pairs = k * (k - 1) / 2
        let width = scoreColumns
        var z = [Float](repeating: 0, count: rows * width)
        var positions = [Int](repeating: 0, count: rows)
        if linearMode {
            let scores = function.evaluate(x, rows: rows, features: features, vectors: coefficients, vectorCount: k, linearConstant: rho[0])
            for r in 0..<rows {
                var best = 0
                for c in 1..<k where scores[r * k + c] > scores[r * k + best] { best = c }
                positions[r] = chooseBinary(maxWeight: scores[r * k + best], maxClass: best, haveProba: false)
                var row = Array(scores[(r * k)..<((r + 1) * k)])
                transform.apply(&row)
                for c in 0..<k { z[r * width + c] = row[c] }
            }
            return [.tensor(labels.tensor(positions)), .tensor(Tensor(shape: [rows, width], data: .float(z)))]
        }
        let kernels = function.evaluate(x, rows: rows, features: features, vectors: supportVectors, vectorCount: vectorCount)
        var decisions = [Float](repeating: 0, count: pairs)
        var votes = [Int](repeating: 0, count: k)
        for r in 0..<rows {
            let kr = r * vectorCount
            for c in 0..<k { votes[c] = 0 }
            var p = 0
            for i in 0..<(k - 1) {
                for j in (i + 1)..<k {
                    var sum: Double = 0
                    let rowJ = (j - 1) * vectorCount, rowI = i * vectorCount
                    for m in 0..<vectorsPerClass[i] {
                        let v = startOfClass[i] + m
                        sum += Double(coefficients[rowJ + v] * kernels[kr + v])
                    }
                    for m in 0..<vectorsPerClass[j] {
                        let v = startOfClass[j] + m
                        sum += Double(coefficients[rowI + v] * kernels[kr + v])
                    }
                    sum += Double(rho[p])
                    decisions[p] = Float(sum)
                    votes[sum > 0 ? i : j] += 1
                    p += 1
                }
            }
            var best = 0
            for c in 1..<k where votes[c] > votes[best] { best = c }
            if !probA.isEmpty {
                var probabilities = Self.coupledProbabilities(decisions, probA, probB, k)
                transform.apply(&probabilities)
                for c in 0..<k { z[r * width + c] = probabilities[c] }
                positions[r] = pairs == 1 ? chooseBinary(maxWeight: 0, maxClass: best, haveProba: true) : best
            } else if k == 2 {
                let expansion: BinaryExpansion = transform == .none ? .negate : .complement
                let (a, b) = expansion.columns(decisions[0], transform)
                z[r * width] = a
                z[r * width + 1] = b
                positions[r] = chooseBinary(maxWeight: 0, maxClass: best, haveProba: false)
            } else {
                var row = decisions
                transform.apply(&row)
                for c in 0..<pairs { z[r * width + c] = row[c] }
                positions[r] = best
            }
        }
        return [.tensor(labels.tensor(positions)), .tensor(Tensor(shape: [rows, width], data: .float(z)))]
    }

    /// onnxruntime's binary label rule (`ChooseClass` with two labels).
    private func chooseBinary(maxWeight: Float, maxClass: Int, haveProba: Bool) -> Int {
        guard classCount == 2 else { return maxClass }
        if haveProba { return maxClass }
        if weightsAllPositive && maxWeight >= 0.5 { return 1 }
        if maxWeight > 0 && !weightsAllPositive { return 1 }
        return maxClass
    }

    /// Platt-scaled pairwise probabilities coupled into class probabilities (float32).
    static func coupledProbabilities(_ d: [Float], _ a: [Float], _ b: [Float], _ k: Int) -> [Float] {
        var r = [Float](repeating: 0, count: k * k)
        var index = 0
        for i in 0..<(k - 1) {
            for j in (i + 1)..<k {
                let sigmoid = 1 - MLMath.logistic(d[index] * a[index] + b[index])
                let clipped = min(max(sigmoid, 1e-7), 1 - 1e-7)
                r[i * k + j] = clipped
                r[j * k + i] = 1 - clipped
                index += 1
            }
        }
        return multiclassProbability(k, r)
    }

    /// Wu, Lin and Weng's pairwise coupling iteration (at most 100 sweeps, stop at max error < 0.005/k).
    static func multiclassProbability(_ k: Int, _ r: [Float]) -> [Float] {
        var q = [Float](repeating: 0, count: k * k)
        var qp = [Float](repeating: 0, count: k)
        var p = [Float](repeating: 1 / Float(k), count: k)
        let eps = 0.005 / Float(k)
        for i in 0..<k {
            for j in 0..<i {
                q[i * k + i] += r[j * k + i] * r[j * k + i]
                q[i * k + j] = q[j * k + i]
            }
            for j in (i + 1)..<max(k, i + 1) {
                q[i * k + i] += r[j * k + i] * r[j * k + i]
                q[i * k + j] = -r[j * k + i] * r[i * k + j]
            }
        }
        for _ in 0..<100 {
            var pqp: Float = 0
            for i in 0..<k {
                qp[i] = 0
                for j in 0..<k { qp[i] += q[i * k + j] * p[j] }
                pqp += p[i] * qp[i]
            }
            var maxError: Float = 0
            for i in 0..<k { maxError = max(maxError, abs(qp[i] - pqp)) }
            if maxError < eps { break }
            for i in 0..<k {
                let diff = (-qp[i] + pqp) / q[i * k + i]
                p[i] += diff
                pqp = (pqp + diff * (diff * q[i * k + i] + 2 * qp[i])) / (1 + diff) / (1 + diff)
                for j in 0..<k {
                    qp[j] = (qp[j] + diff * q[i * k + j]) / (1 + diff)
                    p[j] /= (1 + diff)
                }
            }
        }
        return p
    }
}
