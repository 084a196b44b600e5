// Binary search over ascending arrays, written once: the engine's queues, the flow model's per-link lists and the
// node-pair cap's counts all ask "where does this key start (or end) in a sorted list".

extension RandomAccessCollection where Index == Int {
    /// The first index whose element does not satisfy `belongs`, for a predicate that holds on a prefix. O(log n).
    ///
    /// `@inlinable` so that the hot callers (the engine's queue, the flow model's link lists) get a specialized loop
    /// with the predicate inlined, as their hand-written searches had.
    @inlinable
    public func partitionPoint(_ belongs: (Element) throws -> Bool) rethrows -> Int {
        var lo = startIndex
        var hi = endIndex
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if try belongs(self[mid]) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

extension RandomAccessCollection where Index == Int, Element: Comparable {
    /// The first index whose element is not below `value` (the collection ascending). O(log n).
    @inlinable
    public func lowerBound(of value: Element) -> Int { partitionPoint { $0 < value } }

    /// The first index whose element is above `value` (the collection ascending). O(log n).
    @inlinable
    public func upperBound(of value: Element) -> Int { partitionPoint { $0 <= value } }
}

extension Array where Element: Comparable {
    /// Sorts the array and removes repeats in place, keeping one of each (a sorted set as a plain array, without hashing).
    @inlinable
    public mutating func sortAndRemoveDuplicates() {
        sort()
        var kept = 0
        for i in indices where i == 0 || self[i] != self[kept - 1] {
            self[kept] = self[i]
            kept += 1
        }
        removeLast(count - kept)
    }
}

extension Array where Element: Comparable {
    /// Sorts an array made of two ascending runs, `[0, split)` and `[split, count)`, by merging them: O(n), where a
    /// general sort of the same array costs several times more (lists kept between rounds are rebuilt this way, as
    /// the members carried over followed by those looked at again).
    @inlinable
    public mutating func mergeAscendingRuns(at split: Int) {
        precondition(split >= 0 && split <= count, "split \(split) outside 0...\(count)")
        guard split > 0 && split < count && self[split - 1] > self[split] else { return }
        var merged: [Element] = []
        merged.reserveCapacity(count)
        withUnsafeBufferPointer { all in
            var a = 0, b = split
            while a < split && b < all.count {
                if all[b] < all[a] { merged.append(all[b]); b += 1 } else { merged.append(all[a]); a += 1 }
            }
            merged.append(contentsOf: all[a..<split])
            merged.append(contentsOf: all[b...])
        }
        self = merged
    }
}
