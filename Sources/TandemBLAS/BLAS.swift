import CBLAS

/// Dense matrix products through OpenBLAS (`cblas_sgemm` / `cblas_dgemm`), the one place Tandem
/// calls BLAS. Safe to call from any thread with any arguments: sizes and buffer lengths are
/// checked before a pointer is formed, and a call that does not fit BLAS's 32-bit sizes returns
/// `nil` so the caller uses its own loop.
///
/// OpenBLAS runs single-threaded: Tandem's worker pool already keeps every core busy with one
/// request each, and OpenBLAS's own threads would only compete with it.
public enum BLAS {
    /// Set once, before the first product (a `static let` initialiser runs exactly once).
    private static let singleThreaded: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// Row-major `op(A) x op(B)`, `op(A)` `[m, k]` and `op(B)` `[k, n]`; `transposeA` means `a` is
    /// stored `[k, m]`, `transposeB` that `b` is stored `[n, k]`. `nil` when the lengths do not
    /// match the sizes or a size exceeds `Int32.max`.
    public static func sgemm(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int,
                             transposeA: Bool = false, transposeB: Bool = false) -> [Float]? {
        guard let count = checkedSizes(a.count, b.count, m: m, k: k, n: n) else { return nil }
        var out = [Float](repeating: 0, count: count)
        guard count > 0, k > 0, singleThreaded else { return out }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    // Invariants: pa holds m*k, pb k*n and po m*n elements (checkedSizes), all
                    // non-empty so the base addresses are non-nil; the leading dimensions below
                    // are the row lengths of those row-major layouts; BLAS reads only pa/pb and
                    // writes only po, and none of the three outlives this closure.
                    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), 1, pa.baseAddress, Int32(transposeA ? m : k),
                                pb.baseAddress, Int32(transposeB ? k : n), 0, po.baseAddress, Int32(n))
                }
            }
        }
        return out
    }

    /// `c += op(A) x op(B)` in place (BLAS's beta = 1), `c` holding `m * n` elements: a layer's
    /// bias rows written into `c` first come out as `bias + product` without a second pass over
    /// the output (and without OpenBLAS's beta pass). `false`, with `c` untouched, when the lengths
    /// do not match the sizes or a size exceeds `Int32.max`.
    public static func sgemm(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int, addingTo c: inout [Float],
                             transposeA: Bool = false, transposeB: Bool = false) -> Bool {
        guard let count = checkedSizes(a.count, b.count, m: m, k: k, n: n), c.count == count else { return false }
        guard count > 0, k > 0, singleThreaded else { return true }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    // Invariants: pa holds m*k, pb k*n and pc m*n elements (checked above), all
                    // non-empty so the base addresses are non-nil; BLAS reads pa/pb, reads and
                    // writes pc, and none of the three outlives this closure.
                    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), 1, pa.baseAddress, Int32(transposeA ? m : k),
                                pb.baseAddress, Int32(transposeB ? k : n), 1, pc.baseAddress, Int32(n))
                }
            }
        }
        return true
    }

    /// `sgemm` for doubles.
    public static func dgemm(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int,
                             transposeA: Bool = false, transposeB: Bool = false) -> [Double]? {
        guard let count = checkedSizes(a.count, b.count, m: m, k: k, n: n) else { return nil }
        var out = [Double](repeating: 0, count: count)
        guard count > 0, k > 0, singleThreaded else { return out }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    // Same invariants as in sgemm: lengths checked, non-empty buffers, pointers
                    // used only for the duration of the call.
                    cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), 1, pa.baseAddress, Int32(transposeA ? m : k),
                                pb.baseAddress, Int32(transposeB ? k : n), 0, po.baseAddress, Int32(n))
                }
            }
        }
        return out
    }

    /// `m * n` when `aCount == m * k`, `bCount == k * n` and every size fits BLAS's `Int32`.
    private static func checkedSizes(_ aCount: Int, _ bCount: Int, m: Int, k: Int, n: Int) -> Int? {
        let limit = Int(Int32.max)
        guard m >= 0, k >= 0, n >= 0, m <= limit, k <= limit, n <= limit else { return nil }
        let (mk, o1) = m.multipliedReportingOverflow(by: k)
        let (kn, o2) = k.multipliedReportingOverflow(by: n)
        let (mn, o3) = m.multipliedReportingOverflow(by: n)
        guard !o1, !o2, !o3, aCount == mk, bCount == kn else { return nil }
        return mn
    }
}
