@testable import Scheduling
import SimTestSupport
import XCTest

/// `MinHeap`, the kept schedule of Tiresias' crossings and Themis' lease ends: seeded random inserts and removals pop
/// in (key, index) order, as a sorted array does, and `collect` returns exactly the entries due.
final class MinHeapTests: XCTestCase {
    private struct Item: HeapOrdered, Equatable {
        var key: Int
        var index: Int
        static func precedes(_ a: Item, _ b: Item) -> Bool { a.key != b.key ? a.key < b.key : a.index < b.index }
    }

    func testMatchesASortedArrayUnderRandomOperations() {
        for seed in 1...20 {
            var rng = SeededGenerator(seed: UInt64(seed))
            var heap = MinHeap<Item>()
            var reference: [Item] = []
            var next = 0
            for _ in 0..<400 {
                if reference.isEmpty || rng.unit() < 0.6 {
                    // Few distinct keys, so ties (broken by index) are common.
                    let item = Item(key: rng.below(12), index: next)
                    next += 1
                    heap.insert(item)
                    reference.append(item)
                    reference.sort(by: Item.precedes)
                } else {
                    XCTAssertEqual(heap.removeFirst(), reference.removeFirst(), "seed \(seed)")
                }
                XCTAssertEqual(heap.first, reference.first, "seed \(seed)")
                let due = rng.below(12)
                var collected: [Item] = []
                heap.collect(into: &collected) { $0.key <= due }
                XCTAssertEqual(collected.sorted(by: Item.precedes), reference.filter { $0.key <= due }, "seed \(seed)")
            }
        }
    }

    /// An array heaped in place (`heapify`, as Themis heaps its remaining candidates) pops in sorted order.
    func testHeapifiedArrayPopsInOrder() {
        for seed in 1...20 {
            var rng = SeededGenerator(seed: UInt64(seed))
            var items = (0..<rng.below(200)).map { Item(key: rng.below(10), index: $0) }
            let sorted = items.sorted(by: Item.precedes)
            MinHeap<Item>.heapify(&items)
            var popped: [Item] = []
            while let e = MinHeap<Item>.popFirst(&items) { popped.append(e) }
            XCTAssertEqual(popped, sorted, "seed \(seed)")
        }
    }
}
