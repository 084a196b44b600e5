import ClusterModel
import Engine
import SimKernel
import XCTest

/// `AllocationInterval` keeps its local GPUs as a bit set when it can and as a list otherwise: either way it must
/// give back exactly the list it was made from, and compare as that list.
final class AllocationIntervalStorageTests: XCTestCase {
    private func interval(_ gpus: [Int]) -> AllocationInterval {
        AllocationInterval(job: JobID(3), start: .seconds(Int64(1)), end: .seconds(Int64(2)), node: NodeID(5), localGPUs: gpus)
    }

    func testListsRoundTrip() {
        let lists: [[Int]] = [[], [0], [63], [0, 1, 2, 3, 4, 5, 6, 7], [2, 5, 40], [64], [3, 70], [5, 2], [1, 1], [-1, 4]]
        for list in lists {
            let a = interval(list)
            XCTAssertEqual(a.localGPUs, list)
            XCTAssertEqual(a.localGPUCount, list.count)
            var visited: [Int] = []
            a.forEachLocalGPU { visited.append($0) }
            XCTAssertEqual(visited, list)
        }
    }

    func testEqualityFollowsTheList() {
        XCTAssertEqual(interval([1, 3]), interval([1, 3]))
        XCTAssertNotEqual(interval([1, 3]), interval([1, 4]))
        XCTAssertNotEqual(interval([1, 3]), interval([3, 1]))
        XCTAssertNotEqual(interval([]), interval([0]))
        var a = interval([1, 3])
        a.localGPUs = [70]
        XCTAssertEqual(a, interval([70]))
        a.localGPUs = [0, 2]
        XCTAssertEqual(a, interval([0, 2]))
    }
}
