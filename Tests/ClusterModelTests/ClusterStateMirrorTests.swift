import ClusterModel
import SimTestSupport
import XCTest

/// The engine's planning copy follows its cluster through change lists (`ClusterState.mirror(into:)`): after any
/// sequence of changes on either side, a mirror must leave the copy equal to the cluster.
final class ClusterStateMirrorTests: XCTestCase {
    /// A deterministic pseudo-random sequence (an LCG), so the test is the same on every run.
    private struct Steps {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    /// Random claims, releases, joins, failures and repairs on `cluster`, with job IDs from `firstJob` up.
    private func churn(_ cluster: inout ClusterState, steps: inout Steps, count: Int, firstJob: Int) {
        var held: [(job: JobID, gpus: [GPUID])] = []
        for k in 0..<count {
            let gpuCount = cluster.topology.gpuCount
            switch steps.next(5) {
            case 0, 1:
                let g = GPUID(steps.next(gpuCount))
                let job = JobID(firstJob + k)
                if cluster.isFree(g) {
                    try! cluster.allocate([g], to: job)
                    held.append((job, [g]))
                } else if cluster.maxJobsPerGPU > 1, let owner = cluster.holder(of: g), owner != job,
                          cluster.holderCount(of: g) < cluster.maxJobsPerGPU,
                          cluster.holderCount(of: g) == 1 || cluster.sharing(of: g) == .timeSliced {
                    cluster.joinValidated([g], for: job, mode: .timeSliced)
                    held.append((job, [g]))
                }
            case 2:
                guard !held.isEmpty else { continue }
                let h = held.remove(at: steps.next(held.count))
                try! cluster.release(h.gpus, from: h.job)
            case 3:
                let g = GPUID(steps.next(gpuCount))
                if cluster.holderCount(of: g) == 0 { try! cluster.markDown([g]) }
            default:
                let g = GPUID(steps.next(gpuCount))
                if cluster.isDown(g) { try! cluster.markRepaired([g]) }
            }
        }
    }

    private func checkMirror(maxJobsPerGPU: Int) {
        let topology = ClusterFixtures.dgxA100(nodes: 8, racks: 2)
        var cluster = ClusterState(topology: topology, maxJobsPerGPU: maxJobsPerGPU)
        cluster.tracksChanges = true
        var copy = ClusterState(topology: topology, maxJobsPerGPU: maxJobsPerGPU)
        copy.tracksChanges = true
        copy.forceFullMirror()
        var steps = Steps(state: 42)
        for round in 0..<200 {
            churn(&cluster, steps: &steps, count: 1 + steps.next(6), firstJob: 10_000 * round)
            cluster.mirror(into: &copy)
            XCTAssertTrue(copy.sameState(as: cluster), "round \(round): copy differs after the mirror")
            XCTAssertTrue(cluster.changedGPUs.isEmpty && copy.changedGPUs.isEmpty)
            // The planner's own changes on the copy (thrown away by the next mirror).
            churn(&copy, steps: &steps, count: steps.next(4), firstJob: 10_000 * round + 5_000)
        }
        XCTAssertNil(cluster.invariantViolation())
    }

    func testMirrorKeepsACopyEqualWithExclusiveGPUs() { checkMirror(maxJobsPerGPU: 1) }

    func testMirrorKeepsACopyEqualWithSharedGPUs() { checkMirror(maxJobsPerGPU: 3) }

    func testChangeListOverflowMirrorsEverything() {
        let topology = ClusterFixtures.dgxA100(nodes: 1)
        var cluster = ClusterState(topology: topology)
        cluster.tracksChanges = true
        var copy = cluster
        // More changes than GPUs: the list stops growing and the next mirror copies every entry.
        for k in 0..<20 {
            try! cluster.allocate([GPUID(k % 8)], to: JobID(k))
            try! cluster.release([GPUID(k % 8)], from: JobID(k))
        }
        try! cluster.allocate([GPUID(3)], to: JobID(99))
        XCTAssertTrue(cluster.changesOverflowed)
        XCTAssertLessThanOrEqual(cluster.changedGPUs.count, topology.gpuCount)
        cluster.mirror(into: &copy)
        XCTAssertTrue(copy.sameState(as: cluster))
        XCTAssertEqual(copy.holder(of: GPUID(3)), JobID(99))
    }

    func testUntrackedStateNotesNothing() {
        var cluster = ClusterState(topology: ClusterFixtures.dgxA100(nodes: 1))
        try! cluster.allocate([GPUID(0), GPUID(1)], to: JobID(0))
        XCTAssertTrue(cluster.changedGPUs.isEmpty)
        XCTAssertFalse(cluster.changesOverflowed)
    }
}
