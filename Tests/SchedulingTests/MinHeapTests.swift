@testable import Scheduling
import XCTest

/// `MinHeap`, the kept schedule of Tiresias' crossings and Themis' lease ends: seeded random inserts and removals pop
/// in (key, index) order, as a sorted array does, and `collect` returns exactly the entries due.
final class MinHeapTests: XCTestCase {
    private struct Item: HeapOrdered, Equatable {
        var key: Int
        var index: Int
        static func precedes(_ a: Item, _ b: Item) -> Bool { a.key != b.key ? a.key < b.key : a.index < b.index }
    }

    /// SplitMix64 (Steele, Lea and Flood, OOPSLA 2014): a seeded stream for the test, no global randomness.
    private struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform01() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func uniformInt(below n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    func testMatchesASortedArrayUnderRandomOperations() {
        for seed in 1...20 {
            var rng = SplitMix(state: UInt64(seed))
            var heap = MinHeap<Item>()
            var reference: [Item] = []
            var next = 0
            for _ in 0..<400 {
                if reference.isEmpty || rng.uniform01() < 0.6 {
                    // Few distinct keys, so ties (broken by index) are common.
                    let item = Item(key: rng.uniformInt(below: 12), index: next)
                    next += 1
                    heap.insert(item)
                    reference.append(item)
                    reference.sort(by: Item.precedes)
                } else {
                    XCTAssertEqual(heap.removeFirst(), reference.removeFirst(), "seed \(seed)")
                }
                XCTAssertEqual(heap.first, reference.first, "seed \(seed)")
                let due = rng.uniformInt(below: 12)
                var collected: [Item] = []
                heap.collect(into: &collected) { $0.key <= due }
                XCTAssertEqual(collected.sorted(by: Item.precedes), reference.filter { $0.key <= due }, "seed \(seed)")
            }
        }
    }
}
