import ClusterModel
import SimTestSupport
import XCTest

/// GPU sharing in `ClusterState`: guests join held GPUs, the oldest guest is promoted when the owner leaves, a
/// shared GPU counts once as busy, and the counts and invariants follow by hand-computed amounts.
final class ClusterStateSharingTests: XCTestCase {
    /// One node of 4 t4 GPUs (gpu0–3).
    private let topo = ClusterFixtures.topology(nodesPerRack: [[ClusterFixtures.micro4]])
    private func ids(_ xs: [Int]) -> [GPUID] { xs.map(GPUID.init) }

    func testGuestsJoinAndThePromotionKeepsJoiningOrder() throws {
        var c = ClusterState(topology: topo, maxJobsPerGPU: 3)
        c.joinValidated(ids([0, 1]), for: JobID(7), mode: .timeSliced)  // free GPUs: plain claims
        XCTAssertEqual(c.busyGPUs, 2)
        XCTAssertEqual(c.sharedGPUs, 0)
        XCTAssertNil(c.sharing(of: GPUID(0)))
        c.joinValidated(ids([0, 1]), for: JobID(8), mode: .timeSliced)
        c.joinValidated(ids([0]), for: JobID(9), mode: .timeSliced)
        XCTAssertEqual(c.holders(of: GPUID(0)), [JobID(7), JobID(8), JobID(9)])
        XCTAssertEqual(c.holderCount(of: GPUID(1)), 2)
        XCTAssertEqual([c.busyGPUs, c.sharedGPUs, c.totalGuests, c.freeGPUs], [2, 2, 3, 2])
        XCTAssertEqual(c.sharing(of: GPUID(0)), .timeSliced)
        XCTAssertTrue(c.holds(JobID(9), GPUID(0)))
        XCTAssertFalse(c.holds(JobID(9), GPUID(1)))
        XCTAssertNil(c.invariantViolation())
        // The owner leaves: job 8, the oldest guest, owns GPU 0 and 1 now; job 9 stays a guest of GPU 0.
        try c.release(ids([0, 1]), from: JobID(7))
        XCTAssertEqual(c.holders(of: GPUID(0)), [JobID(8), JobID(9)])
        XCTAssertEqual(c.holders(of: GPUID(1)), [JobID(8)])
        XCTAssertNil(c.sharing(of: GPUID(1)))
        XCTAssertEqual([c.busyGPUs, c.sharedGPUs, c.totalGuests], [2, 1, 1])
        // A guest leaves: the GPU is exclusive again, still busy.
        try c.release(ids([0]), from: JobID(9))
        XCTAssertEqual([c.busyGPUs, c.sharedGPUs, c.totalGuests], [2, 0, 0])
        XCTAssertNil(c.invariantViolation())
        // Releasing what a job does not hold is refused, changing nothing.
        XCTAssertThrowsError(try c.release(ids([0]), from: JobID(9)))
        try c.release(ids([0, 1]), from: JobID(8))
        XCTAssertEqual(c.freeGPUs, 4)
        XCTAssertNil(c.invariantViolation())
    }

    /// `sameHolders` agrees with comparing the two `holders(of:)` lists, pair by pair, and `forEachHolder` visits each
    /// list in its order, through joins, a promotion, a free GPU and a down one.
    func testSameHoldersAgreesWithTheHolderLists() throws {
        var c = ClusterState(topology: topo, maxJobsPerGPU: 3)
        func check(_ step: String) {
            for a in 0..<4 {
                var visited: [JobID] = []
                c.forEachHolder(of: GPUID(a)) { visited.append($0) }
                XCTAssertEqual(visited, c.holders(of: GPUID(a)), "\(step): gpu\(a)")
            }
            for a in 0..<4 {
                for b in 0..<4 {
                    XCTAssertEqual(c.sameHolders(GPUID(a), GPUID(b)), c.holders(of: GPUID(a)) == c.holders(of: GPUID(b)), "\(step): gpu\(a) gpu\(b)")
                }
            }
        }
        check("empty")
        c.joinValidated(ids([0, 1, 2]), for: JobID(7), mode: .timeSliced)
        check("one owner")
        c.joinValidated(ids([0, 1]), for: JobID(8), mode: .timeSliced)
        c.joinValidated(ids([2]), for: JobID(9), mode: .timeSliced)
        check("different guests")
        XCTAssertTrue(c.sameHolders(GPUID(0), GPUID(1)))
        XCTAssertFalse(c.sameHolders(GPUID(0), GPUID(2)))
        c.joinValidated(ids([1]), for: JobID(9), mode: .timeSliced)
        check("a third holder on one")
        try c.release(ids([0, 1, 2]), from: JobID(7))
        check("promotion")
        XCTAssertEqual(try c.markDown(ids([3])), 1)
        check("down")
        XCTAssertFalse(c.sameHolders(GPUID(3), GPUID(0)))
    }

    // A shared GPU is not free: exclusive allocation and failures refuse it while any job holds it.
    func testSharedGPUsAreBusyForExclusiveUsers() throws {
        var c = ClusterState(topology: topo, maxJobsPerGPU: 2)
        c.joinValidated(ids([2]), for: JobID(1), mode: .packed)
        c.joinValidated(ids([2]), for: JobID(2), mode: .packed)
        XCTAssertThrowsError(try c.allocate(ids([2]), to: JobID(3)))
        XCTAssertThrowsError(try c.markDown(ids([2])))
        try c.release(ids([2]), from: JobID(1))
        XCTAssertThrowsError(try c.markDown(ids([2])))
        try c.release(ids([2]), from: JobID(2))
        XCTAssertEqual(try c.markDown(ids([2])), 1)
        XCTAssertNil(c.invariantViolation())
    }

    // Without sharing (the default limit of 1) nothing changes: no guest slots at all.
    func testExclusiveClusterHasNoGuestSlots() {
        let c = ClusterState(topology: topo)
        XCTAssertEqual(c.maxJobsPerGPU, 1)
        XCTAssertTrue(c.guests.isEmpty)
        XCTAssertEqual(c.holderCount(of: GPUID(0)), 0)
    }
}
