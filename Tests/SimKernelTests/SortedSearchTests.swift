import SimKernel
import XCTest

/// `partitionPoint`, `lowerBound(of:)` and `upperBound(of:)` against a linear scan.
final class SortedSearchTests: XCTestCase {
    /// Hand-checked cases: empty, absent keys before, between and after, runs of equal keys.
    func testHandCheckedCases() {
        let empty: [Int] = []
        XCTAssertEqual(empty.lowerBound(of: 3), 0)
        XCTAssertEqual(empty.upperBound(of: 3), 0)
        let list = [1, 3, 3, 3, 7]
        XCTAssertEqual(list.lowerBound(of: 0), 0)
        XCTAssertEqual(list.upperBound(of: 0), 0)
        XCTAssertEqual(list.lowerBound(of: 3), 1)
        XCTAssertEqual(list.upperBound(of: 3), 4)
        XCTAssertEqual(list.lowerBound(of: 5), 4)
        XCTAssertEqual(list.upperBound(of: 5), 4)
        XCTAssertEqual(list.lowerBound(of: 7), 4)
        XCTAssertEqual(list.upperBound(of: 7), 5)
        XCTAssertEqual(list.lowerBound(of: 9), 5)
        XCTAssertEqual(list.partitionPoint { $0 < 4 }, 4)
    }

    /// Seeded random sorted lists (many duplicates) and keys: the searches agree with a linear scan.
    func testAgreesWithALinearScan() {
        var state: UInt64 = 0x5EED_0001
        func next(_ bound: Int) -> Int {
            // SplitMix64: a fixed seed, so every run checks the same lists.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
        for _ in 0..<500 {
            let list = (0..<next(40)).map { _ in Int64(next(20)) }.sorted()
            for _ in 0..<10 {
                let key = Int64(next(24)) - 2
                XCTAssertEqual(list.lowerBound(of: key), list.firstIndex { $0 >= key } ?? list.count, "\(list) \(key)")
                XCTAssertEqual(list.upperBound(of: key), list.firstIndex { $0 > key } ?? list.count, "\(list) \(key)")
            }
        }
    }

    func testSortAndRemoveDuplicates() {
        var a = [5, 1, 3, 1, 5, 5, 2]
        a.sortAndRemoveDuplicates()
        XCTAssertEqual(a, [1, 2, 3, 5])
        var empty: [Int] = []
        empty.sortAndRemoveDuplicates()
        XCTAssertEqual(empty, [])
    }

    /// Two ascending runs merged: hand cases (either run empty, already in order, interleaved with ties), then seeded
    /// random runs against a sort of the whole.
    func testMergeAscendingRuns() {
        var a = [1, 4, 4, 9, 2, 4, 10]
        a.mergeAscendingRuns(at: 4)
        XCTAssertEqual(a, [1, 2, 4, 4, 4, 9, 10])
        var inOrder = [1, 2, 3, 4]
        inOrder.mergeAscendingRuns(at: 2)
        XCTAssertEqual(inOrder, [1, 2, 3, 4])
        var secondOnly = [3, 5]
        secondOnly.mergeAscendingRuns(at: 0)
        XCTAssertEqual(secondOnly, [3, 5])
        var firstOnly = [3, 5]
        firstOnly.mergeAscendingRuns(at: 2)
        XCTAssertEqual(firstOnly, [3, 5])
        var empty: [Int] = []
        empty.mergeAscendingRuns(at: 0)
        XCTAssertEqual(empty, [])
        var mix = Mix(s: 0x5EED_0002)
        for _ in 0..<500 {
            let first = (0..<mix.below(30)).map { _ in mix.below(50) }.sorted()
            let second = (0..<mix.below(30)).map { _ in mix.below(50) }.sorted()
            var merged = first + second
            merged.mergeAscendingRuns(at: first.count)
            XCTAssertEqual(merged, (first + second).sorted(), "\(first) + \(second)")
        }
    }
}
