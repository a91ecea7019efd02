import Dispatch
import Foundation
import Synchronization

/// Runs `body` for `0..<count` on every core and returns the results in index order, so that
/// whatever is combined from them afterwards is combined in the same order on every run.
func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 1 else { return count == 1 ? [body(0)] : [] }
    let slots = Mutex<[T?]>(Array(repeating: nil, count: count))
    DispatchQueue.concurrentPerform(iterations: count) { i in
        let value = body(i)
        slots.withLock { $0[i] = value }
    }
    return slots.withLock { $0.compactMap { $0 } }
}

/// Splits `0..<n` into at most `parts` contiguous ranges of near-equal size.
func chunks(_ n: Int, parts: Int) -> [Range<Int>] {
    let p = max(1, min(parts, n))
    return (0..<p).map { i in (n * i / p)..<(n * (i + 1) / p) }
}

/// The number of tasks to split row-parallel work into: a few per core.
let workerCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// A small deterministic generator (SplitMix64), seeded per tree so that a resumed run draws what an
/// uninterrupted one would have.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64, stream: UInt64) {
        state = seed &* 0x9E37_79B9_7F4A_7C15 ^ (stream &+ 0x632B_E59B_D9B4_E019)
        _ = next()
    }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A uniform double in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}

/// The arrays one after another (`Array(parts.joined())` is many times slower in debug builds).
func concatenate<T>(_ parts: [[T]]) -> [T] {
    var out: [T] = []
    out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
    for p in parts { out.append(contentsOf: p) }
    return out
}
