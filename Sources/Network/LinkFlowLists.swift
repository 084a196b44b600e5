import SimKernel

/// The active flows on each link of a `FlowNetwork`, ascending by flow ID, once per appearance of the link in a
/// flow's path.
///
/// Each link's smallest flow is kept inline in a flat array, and only the others in an array of the link's own. Most
/// links of a fabric (a GPU's, a NIC's) carry a single flow; reading or changing its list then touches two flat
/// arrays, where a separately allocated array per link cost a cache miss per link per change, which dominated job
/// starts and stops.
struct LinkFlowLists: Sendable {
    private var counts: [Int32]
    private var firsts: [Int32]
    private var rests: [[Int32]]

    /// Empty lists for `linkCount` links.
    init(linkCount: Int) {
        counts = Array(repeating: 0, count: linkCount)
        firsts = Array(repeating: 0, count: linkCount)
        rests = Array(repeating: [], count: linkCount)
    }

    /// Number of entries on link `l`.
    @inline(__always) func count(_ l: Int) -> Int { Int(counts[l]) }

    /// The smallest entry of link `l` (its list must not be empty).
    @inline(__always) func first(_ l: Int) -> Int32 { firsts[l] }

    /// The entries of link `l` after the smallest, ascending.
    @inline(__always) func rest(_ l: Int) -> [Int32] { rests[l] }

    /// Calls `body` with each entry of link `l`, ascending.
    @inline(__always) func forEach(_ l: Int, _ body: (Int32) throws -> Void) rethrows {
        let c = counts[l]
        guard c > 0 else { return }
        try body(firsts[l])
        if c > 1 { for f in rests[l] { try body(f) } }
    }

    /// The entries of link `l`, ascending.
    func list(_ l: Int) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(count(l))
        forEach(l) { out.append($0) }
        return out
    }

    /// Adds an entry for flow `f` on link `l`.
    /// - Complexity: O(1) when `f` is the largest (new flows usually are), else O(k) for k entries.
    mutating func insert(_ f: Int32, on l: Int) {
        defer { counts[l] += 1 }
        if counts[l] == 0 {
            firsts[l] = f
        } else if f < firsts[l] {
            let old = firsts[l]
            firsts[l] = f
            rests[l].insert(old, at: 0)
        } else {
            // NOTE: the position is computed before the mutation: reading `rests` inside the mutating call's arguments
            // would keep a second reference to the outer array and copy all of it.
            let at = Self.insertionPoint(rests[l], f)
            rests[l].insert(f, at: at)
        }
    }

    /// Removes one entry of flow `f` from link `l` (it must be there).
    mutating func remove(_ f: Int32, from l: Int) {
        precondition(counts[l] > 0, "flow \(f) is not on link \(l)")
        defer { counts[l] -= 1 }
        if firsts[l] == f {
            if counts[l] > 1 { firsts[l] = rests[l].removeFirst() }
        } else {
            let at = rests[l].lowerBound(of: f)
            precondition(at < rests[l].count && rests[l][at] == f, "flow \(f) is not on link \(l)")
            rests[l].remove(at: at)
        }
    }

    /// Where `f` goes in an ascending list: the end when it is not below the last (the usual case), else a binary search.
    private static func insertionPoint(_ list: [Int32], _ f: Int32) -> Int {
        if let last = list.last, last > f { return list.lowerBound(of: f) }
        return list.count
    }
}
