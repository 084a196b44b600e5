import ClusterModel
import Scheduling
import XCTest

/// `QueuedShapes`: the run's distinct shapes in order, each job's among them, and the waiting jobs of each shape in
/// queue order, which the engine keeps in step with its queue.
final class QueuedShapesTests: XCTestCase {
    private let a = GPUTypeMask(bits: 0b01), b = GPUTypeMask(bits: 0b10), ab = GPUTypeMask(bits: 0b11)

    // Jobs 0–5 with shapes (4, a), (1, ab), (4, a), (1, a), (2, b), (1, ab). Sorted by GPU count, then mask bits:
    // (1, a) = 0, (1, ab) = 1, (2, b) = 2, (4, a) = 3. Jobs 1, 2, 5 wait: shape 1 lists 1 and 5, shape 3 lists 2.
    func testTableOrderIndicesAndListsHandComputed() {
        let shapes = [JobShape(gpuCount: 4, eligibleTypes: a), JobShape(gpuCount: 1, eligibleTypes: ab),
                      JobShape(gpuCount: 4, eligibleTypes: a), JobShape(gpuCount: 1, eligibleTypes: a),
                      JobShape(gpuCount: 2, eligibleTypes: b), JobShape(gpuCount: 1, eligibleTypes: ab)]
        var q = QueuedShapes(shapes: shapes, queue: [JobID(1), JobID(2), JobID(5)])
        XCTAssertEqual(q.table, [JobShape(gpuCount: 1, eligibleTypes: a), JobShape(gpuCount: 1, eligibleTypes: ab),
                                 JobShape(gpuCount: 2, eligibleTypes: b), JobShape(gpuCount: 4, eligibleTypes: a)])
        XCTAssertEqual(q.shapeOf, [3, 1, 3, 0, 2, 1])
        XCTAssertEqual(q.members, [[], [JobID(1), JobID(5)], [], [JobID(2)]])
        XCTAssertEqual((0..<4).map(q.waiting), [0, 2, 0, 1])

        // Job 2 starts, job 4 arrives, job 1 starts and is preempted back (before job 5, in JobID order), job 0 arrives
        // late (before job 2 of its shape).
        q.dequeue(JobID(2))
        q.enqueue(JobID(4))
        q.dequeue(JobID(1))
        q.enqueue(JobID(2))
        q.enqueue(JobID(1))
        q.enqueue(JobID(0))
        XCTAssertEqual(q.members, [[], [JobID(1), JobID(5)], [JobID(4)], [JobID(0), JobID(2)]])
        XCTAssertEqual(q, QueuedShapes(shapes: shapes, queue: [0, 1, 2, 4, 5].map(JobID.init)), "the same as listed afresh")
    }

    func testNoJobsNoShapes() {
        let q = QueuedShapes(shapes: [], queue: [])
        XCTAssertEqual(q.table, [])
        XCTAssertEqual(q.members, [])
    }
}
