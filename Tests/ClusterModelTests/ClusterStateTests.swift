import ClusterModel
import SimTestSupport
import XCTest

final class ClusterStateTests: XCTestCase {
    /// 2 nodes: node0 = 4 t4 (gpu0–3), node1 = 4 a100-80 (gpu4–7).
    private let topo = ClusterFixtures.topology(nodesPerRack: [[ClusterFixtures.micro4, ClusterFixtures.micro(gpuType: "a100-80")]])

    private struct Counts: Equatable {
        var owner: [Int32], freeOnNode: [Int32], freeOfType: [Int32], busy: Int
        init(_ c: ClusterState) { owner = c.owner; freeOnNode = c.freeOnNode; freeOfType = c.freeOfType; busy = c.busyGPUs }
    }

    private func ids(_ xs: [Int]) -> [GPUID] { xs.map(GPUID.init) }

    // A fresh cluster is all free; allocate and release move every derived count by hand-computed amounts.
    func testAllocateAndRelease() throws {
        var c = ClusterState(topology: topo)
        XCTAssertEqual(c.freeGPUs, 8)
        XCTAssertEqual(c.freeOnNode, [4, 4])
        XCTAssertEqual(c.freeOfType, [4, 4])
        try c.allocate(ids([1, 2, 5]), to: JobID(3))
        XCTAssertEqual(c.owner, [-1, 3, 3, -1, -1, 3, -1, -1])
        XCTAssertEqual(c.freeOnNode, [2, 3])
        XCTAssertEqual(c.freeOfType, [2, 3])
        XCTAssertEqual(c.busyGPUs, 3)
        XCTAssertEqual(c.freeGPUs, 5)
        XCTAssertFalse(c.isFree(GPUID(1)))
        XCTAssertTrue(c.isFree(GPUID(0)))
        XCTAssertEqual(c.freeCount(typeIndex: 1), 3)
        XCTAssertEqual(c.freeCount(typeIndex: nil), 5)
        XCTAssertNil(c.invariantViolation())
        try c.release(ids([5, 1]), from: JobID(3))
        XCTAssertEqual(c.owner, [-1, -1, 3, -1, -1, -1, -1, -1])
        XCTAssertEqual(c.freeOnNode, [3, 4])
        XCTAssertEqual(c.busyGPUs, 1)
        XCTAssertNil(c.invariantViolation())
    }

    // A down GPU is neither free nor busy; allocating it is refused with a clear error; overlapping failures keep it
    // down until each is repaired; a held GPU cannot go down and an up GPU cannot be repaired.
    func testDownGPUs() throws {
        var c = ClusterState(topology: topo)
        try c.allocate(ids([0]), to: JobID(1))
        XCTAssertThrowsError(try c.markDown(ids([0, 1]))) { XCTAssertEqual($0 as? AllocationError, .heldWhileFailing(GPUID(0), heldBy: JobID(1))) }
        XCTAssertEqual(try c.markDown(ids([1, 2, 5])), 3)
        XCTAssertEqual(c.owner, [1, ClusterState.downOwner, ClusterState.downOwner, -1, -1, ClusterState.downOwner, -1, -1])
        XCTAssertEqual(c.downGPUs, 3)
        XCTAssertEqual(c.busyGPUs, 1)
        XCTAssertEqual(c.freeGPUs, 4)
        XCTAssertEqual(c.freeOnNode, [1, 3])
        XCTAssertEqual(c.freeOfType, [1, 3])
        XCTAssertTrue(c.isDown(GPUID(1)))
        XCTAssertFalse(c.isFree(GPUID(1)))
        XCTAssertNil(c.holder(of: GPUID(1)))
        XCTAssertEqual(c.holder(of: GPUID(0)), JobID(1))
        XCTAssertNil(c.invariantViolation())
        let before = c.owner
        XCTAssertThrowsError(try c.allocate(ids([3, 1]), to: JobID(2))) { error in
            XCTAssertEqual(error as? AllocationError, .down(GPUID(1), wanted: JobID(2)))
            XCTAssertEqual("\(error)", "gpu1 is down (failed, awaiting repair), cannot give it to job2")
        }
        XCTAssertThrowsError(try c.validateFree(ids([2]), for: JobID(2))) { XCTAssertEqual($0 as? AllocationError, .down(GPUID(2), wanted: JobID(2))) }
        XCTAssertThrowsError(try c.release(ids([1]), from: JobID(2))) { XCTAssertEqual($0 as? AllocationError, .notHeld(GPUID(1), by: JobID(2), heldBy: nil)) }
        XCTAssertEqual(c.owner, before)
        // A second failure of gpu1 (its node's): down until both are repaired.
        XCTAssertEqual(try c.markDown(ids([1])), 0)
        XCTAssertEqual(c.downCount[1], 2)
        XCTAssertEqual(try c.markRepaired(ids([1, 2])), 1)
        XCTAssertTrue(c.isDown(GPUID(1)))
        XCTAssertTrue(c.isFree(GPUID(2)))
        XCTAssertEqual(try c.markRepaired(ids([1, 5])), 2)
        XCTAssertEqual(c.downGPUs, 0)
        XCTAssertEqual(c.freeGPUs, 7)
        XCTAssertThrowsError(try c.markRepaired(ids([3]))) { XCTAssertEqual($0 as? AllocationError, .notDown(GPUID(3))) }
        XCTAssertNil(c.invariantViolation())
    }

    // Every refused allocate/release throws the precise error and leaves all state unchanged.
    func testErrorsLeaveStateUnchanged() throws {
        var c = ClusterState(topology: topo)
        try c.allocate(ids([0, 1]), to: JobID(1))
        let before = Counts(c)
        func check(_ expected: AllocationError, line: UInt = #line, _ op: (inout ClusterState) throws(AllocationError) -> Void) {
            do {
                try op(&c)
                XCTFail("expected \(expected)", line: line)
            } catch {
                XCTAssertEqual(error, expected, line: line)
            }
            XCTAssertEqual(Counts(c), before, "state changed after \(expected)", line: line)
        }
        // Busy: gpu3 is free but gpu1 is held by job1, so nothing is allocated.
        check(.busy(GPUID(1), heldBy: JobID(1), wanted: JobID(2))) { c throws(AllocationError) in try c.allocate(ids([3, 1]), to: JobID(2)) }
        check(.duplicate(GPUID(4), JobID(2))) { c throws(AllocationError) in try c.allocate(ids([4, 5, 4]), to: JobID(2)) }
        check(.unknownGPU(GPUID(8))) { c throws(AllocationError) in try c.allocate(ids([2, 8]), to: JobID(2)) }
        check(.unknownGPU(GPUID(-1))) { c throws(AllocationError) in try c.allocate(ids([-1]), to: JobID(2)) }
        check(.empty(JobID(2))) { c throws(AllocationError) in try c.allocate([], to: JobID(2)) }
        // notHeld: job1 holds gpu0 but not gpu2 (free), so gpu0 is not released either.
        check(.notHeld(GPUID(2), by: JobID(1), heldBy: nil)) { c throws(AllocationError) in try c.release(ids([0, 2]), from: JobID(1)) }
        check(.notHeld(GPUID(0), by: JobID(2), heldBy: JobID(1))) { c throws(AllocationError) in try c.release(ids([0]), from: JobID(2)) }
        check(.unknownGPU(GPUID(99))) { c throws(AllocationError) in try c.release(ids([0, 99]), from: JobID(1)) }
        XCTAssertNil(c.invariantViolation())
    }

    // Error descriptions name the GPU and jobs involved.
    func testErrorDescriptions() {
        XCTAssertEqual(AllocationError.busy(GPUID(1), heldBy: JobID(1), wanted: JobID(2)).description,
                       "gpu1 is already held by job1, cannot give it to job2")
        XCTAssertEqual(AllocationError.duplicate(GPUID(4), JobID(2)).description, "gpu4 appears twice in the placement of job2")
        XCTAssertEqual(AllocationError.unknownGPU(GPUID(8)).description, "gpu8 does not exist in this cluster")
        XCTAssertEqual(AllocationError.empty(JobID(0)).description, "placement of job0 has no GPUs")
        XCTAssertEqual(AllocationError.notHeld(GPUID(2), by: JobID(1), heldBy: nil).description,
                       "job1 releases gpu2, which is held by nobody")
    }

    // Releasing the same held GPU twice in one call is refused and changes nothing (a double release would
    // add 2 to the node's free count and take 2 off busyGPUs for one GPU).
    func testReleaseWithDuplicateGPU() throws {
        var c = ClusterState(topology: topo)
        try c.allocate(ids([0, 1]), to: JobID(1))
        let before = Counts(c)
        XCTAssertThrowsError(try c.release(ids([0, 0]), from: JobID(1)))
        XCTAssertEqual(Counts(c), before)
        XCTAssertNil(c.invariantViolation())
    }

    // validateFree checks without changing anything.
    func testValidateFreeDoesNotAllocate() throws {
        let c = ClusterState(topology: topo)
        try c.validateFree(ids([0, 7]), for: JobID(0))
        XCTAssertEqual(c.busyGPUs, 0)
        XCTAssertThrowsError(try c.validateFree(ids([0, 0]), for: JobID(0)))
    }

    // Seeded random allocate/release sequences (valid and invalid) keep the state equal to a reference
    // owner map and invariantViolation() nil, for 100 seeds.
    func testRandomOperationsKeepInvariants() {
        let big = ClusterFixtures.topology(nodesPerRack: [
            [ClusterFixtures.micro4, ClusterFixtures.micro(gpus: 2, gpuType: "l4")],
            [ClusterFixtures.micro(gpus: 8, gpuType: "a100-80")],
        ])
        withEvery("random cluster ops", in: 0..<100) { seed in
            var rng = SeededGenerator(seed: UInt64(seed))
            var c = ClusterState(topology: big)
            var reference = Array(repeating: Int32(-1), count: big.gpuCount)
            for _ in 0..<200 {
                let job = JobID(rng.int(0...5))
                let k = rng.int(0...4)
                var gpus = (0..<k).map { _ in GPUID(rng.int(-1...big.gpuCount)) }
                if rng.int(0...1) == 0 {
                    let ok = !gpus.isEmpty && Set(gpus).count == gpus.count
                        && gpus.allSatisfy { $0.index >= 0 && $0.index < big.gpuCount && reference[$0.index] < 0 }
                    do {
                        try c.allocate(gpus, to: job)
                        XCTAssertTrue(ok, "allocate \(gpus) accepted")
                        for g in gpus { reference[g.index] = job.raw }
                    } catch {
                        XCTAssertFalse(ok, "allocate \(gpus) refused: \(error)")
                    }
                } else {
                    // Releases use distinct GPUs (duplicates are covered by testReleaseWithDuplicateGPU).
                    var seen = Set<GPUID>()
                    gpus = gpus.filter { seen.insert($0).inserted }
                    let ok = gpus.allSatisfy { $0.index >= 0 && $0.index < big.gpuCount && reference[$0.index] == job.raw }
                        && Set(gpus).count == gpus.count
                    do {
                        try c.release(gpus, from: job)
                        XCTAssertTrue(ok, "release \(gpus) from \(job) accepted")
                        for g in gpus { reference[g.index] = -1 }
                    } catch {
                        XCTAssertFalse(ok, "release \(gpus) refused: \(error)")
                    }
                }
                XCTAssertEqual(c.owner, reference)
                XCTAssertEqual(c.busyGPUs, reference.filter { $0 >= 0 }.count)
                XCTAssertNil(c.invariantViolation())
                if c.owner != reference { return }
            }
        }
    }
}
