/// The n-grams of a TfIdfVectorizer pool as a trie over item ids, so counting walks the input
/// without building a key per window. Strings are mapped to ids once per input element.
struct NgramPool: Sendable {
    /// Children of each trie node by item id; node 0 is the root.
    private(set) var children: [[Int64: Int]] = [[:]]
    /// The n-gram id ending at each node (-1 when the node is only a prefix).
    private(set) var ids: [Int] = [-1]

    /// Inserts an n-gram; `false` when it is already present.
    mutating func insert<C: Collection<Int64>>(_ items: C, id: Int) -> Bool {
        var node = 0
        for item in items {
            if let next = children[node][item] {
                node = next
            } else {
                children.append([:])
                ids.append(-1)
                children[node][item] = children.count - 1
                node = children.count - 1
            }
        }
        if ids[node] >= 0 { return false }
        ids[node] = id
        return true
    }

    /// The child of `node` for `item`.
    @inline(__always) func step(_ node: Int, _ item: Int64) -> Int? { children[node][item] }
}
