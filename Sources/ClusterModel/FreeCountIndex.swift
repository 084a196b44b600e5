/// A cluster's nodes grouped by how many free GPUs each has: one bit set over the nodes per free count.
///
/// Why: packed placement's best fit (the node with the fewest free GPUs that still holds a job, lowest index first)
/// scanned every node's free count at every placement; a preemptive policy on a large trace places a job at every
/// restart (SRTF: 440k placements on 256 nodes for the whole ITP trace), and the scan was a visible share of the run.
/// With the index a best fit reads at most (GPUs per node + 1) × ⌈nodes / 64⌉ words, and usually one.
/// `ClusterState` moves a node between sets whenever its free count changes.
public struct FreeCountIndex: Sendable, Equatable {
    /// Bit n of word `f * words + n / 64` is set when node n has exactly f free GPUs.
    private var bits: [UInt64]
    /// Words per free count: ⌈nodes / 64⌉.
    private let words: Int
    /// The largest free count a node can have (the most GPUs on one node).
    public let maxFree: Int

    /// The index of nodes with `freeOnNode[n]` free GPUs each, none above `capacity[n]`.
    public init(freeOnNode: [Int32], capacity: [Int32]) {
        precondition(freeOnNode.count == capacity.count, "one capacity per node")
        words = (freeOnNode.count + 63) / 64
        maxFree = Int(capacity.max() ?? 0)
        bits = Array(repeating: 0, count: (maxFree + 1) * words)
        for (n, f) in freeOnNode.enumerated() {
            precondition(f >= 0 && Int(f) <= maxFree, "node \(n) has \(f) free GPUs, outside 0...\(maxFree)")
            bits[Int(f) * words + n >> 6] |= 1 << UInt64(n & 63)
        }
    }

    /// Moves `node` from the set of free count `old` to that of `new`.
    @inline(__always) mutating func move(_ node: Int, from old: Int32, to new: Int32) {
        guard old != new else { return }
        let bit: UInt64 = 1 << UInt64(node & 63)
        bits[Int(old) * words + node >> 6] &= ~bit
        bits[Int(new) * words + node >> 6] |= bit
    }

    /// Free GPUs over all nodes: Σ free count × nodes with that count.
    public var totalFree: Int {
        var total = 0
        for f in 1..<(maxFree + 1) {
            for w in 0..<words { total += f * bits[f * words + w].nonzeroBitCount }
        }
        return total
    }

    /// Calls `body(node, free)` for every node with a free GPU, most free first, ties by lowest index.
    /// - Complexity: O(maxFree × ⌈nodes / 64⌉ + nodes visited).
    public func forEachNodeByMostFree(_ body: (Int, Int) throws -> Void) rethrows {
        guard maxFree >= 1 else { return }
        for f in stride(from: maxFree, through: 1, by: -1) {
            for w in 0..<words {
                var b = bits[f * words + w]
                while b != 0 {
                    try body(w * 64 + b.trailingZeroBitCount, f)
                    b &= b - 1
                }
            }
        }
    }

    /// `forEachNodeByMostFree` that stops as soon as `body` returns false (a caller that needs only a prefix of the
    /// order, e.g. packed placement once no rack can do better than the one it found).
    public func visitNodesByMostFree(_ body: (_ node: Int, _ free: Int) -> Bool) {
        guard maxFree >= 1 else { return }
        for f in stride(from: maxFree, through: 1, by: -1) {
            for w in 0..<words {
                var b = bits[f * words + w]
                while b != 0 {
                    if !body(w * 64 + b.trailingZeroBitCount, f) { return }
                    b &= b - 1
                }
            }
        }
    }

    /// The best fit for `count` GPUs: among the nodes with at least `count` free GPUs, the lowest-indexed of those
    /// with the fewest; nil when no node has `count` free.
    /// - Complexity: O((maxFree − count + 1) × ⌈nodes / 64⌉).
    public func bestFit(_ count: Int) -> Int? {
        guard count <= maxFree else { return nil }
        for f in max(count, 0)...maxFree {
            for w in 0..<words {
                let b = bits[f * words + w]
                if b != 0 { return w * 64 + b.trailingZeroBitCount }
            }
        }
        return nil
    }
}
