/// A type with a strict order for `MinHeap`: `precedes(a, b)` when `a` must leave the heap before `b`.
protocol HeapOrdered {
    /// Whether `a` comes strictly before `b`; ties must be broken (e.g. by job index) so that the order is total.
    static func precedes(_ a: Self, _ b: Self) -> Bool
}

/// A binary min-heap in one array: `insert` and `removeFirst` in O(log n), `first` in O(1).
///
/// The policies' kept schedules (Tiresias' threshold crossings, `TiresiasLevels`; Themis' lease ends, `ThemisPolicy`)
/// share this one layout, so a walk of the array (`collect(into:while:)`) meets entries in the same places after the
/// same operations: runs depend on that visiting order where several entries fall due together.
struct MinHeap<Element: HeapOrdered> {
    private var entries: [Element] = []

    /// The earliest entry, nil when empty.
    var first: Element? { entries.first }

    /// Adds `e`.
    mutating func insert(_ e: Element) {
        entries.append(e)
        var c = entries.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            guard Element.precedes(e, entries[p]) else { break }
            entries[c] = entries[p]
            c = p
        }
        entries[c] = e
    }

    /// Removes and returns the earliest entry; the heap must not be empty.
    @discardableResult mutating func removeFirst() -> Element { Self.popFirst(&entries)! }

    /// Orders `a` as a heap in place (bottom-up, O(n)), for callers that build an array first and heap it only when
    /// they need more than a few of its smallest entries (Themis' step 1 candidates).
    static func heapify(_ a: inout [Element]) {
        guard a.count > 1 else { return }
        for p in stride(from: a.count / 2 - 1, through: 0, by: -1) { siftDown(&a, from: p, a[p]) }
    }

    /// Removes and returns the first entry of `a`, an array `heapify` ordered; nil when it is empty.
    static func popFirst(_ a: inout [Element]) -> Element? {
        guard let first = a.first else { return nil }
        let last = a.removeLast()
        if !a.isEmpty { siftDown(&a, from: 0, last) }
        return first
    }

    /// Moves `e` down the heap in `a` from position `start` (whose entry it replaces) to where it belongs.
    private static func siftDown(_ a: inout [Element], from start: Int, _ e: Element) {
        a.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var p = start
            while true {
                let l = 2 * p + 1
                guard l < n else { break }
                var m = l
                if l + 1 < n && Element.precedes(h[l + 1], h[l]) { m = l + 1 }
                guard Element.precedes(h[m], e) else { break }
                h[p] = h[m]
                p = m
            }
            h[p] = e
        }
    }

    /// Replaces `out` with every entry for which `include` holds, where `include` holds for an entry's parent whenever
    /// it holds for the entry (e.g. "due by time t"): only those entries and their children are visited, depth first,
    /// a node's right child before its left.
    func collect(into out: inout [Element], while include: (Element) -> Bool) {
        out.removeAll(keepingCapacity: true)
        guard !entries.isEmpty else { return }
        var stack = [0]
        while let k = stack.popLast() {
            let e = entries[k]
            guard include(e) else { continue }
            out.append(e)
            if 2 * k + 1 < entries.count { stack.append(2 * k + 1) }
            if 2 * k + 2 < entries.count { stack.append(2 * k + 2) }
        }
    }
}
