extension Array where Element == UInt8 {
    /// Appends a copy of `bytes` (the stdlib has no `append(contentsOf:)` for a `Span` yet).
    ///
    /// Safe code: the element loop writes through the `OutputSpan` that `append(addingCapacity:)` hands out
    /// (capacity grows geometrically); in a release build the optimizer turns it into one bulk copy
    /// (measured: 1 MiB copies as fast as `Array.append(contentsOf: UnsafeBufferPointer)`).
    @inline(__always)
    mutating func append(copying bytes: Span<UInt8>) {
        let count = bytes.count
        guard count > 0 else { return }
        append(addingCapacity: count) { output in
            for index in 0..<count { output.append(bytes[index]) }
        }
    }

    /// A copy of `bytes`.
    @inline(__always)
    init(copying bytes: Span<UInt8>) {
        self = []
        append(copying: bytes)
    }
}
