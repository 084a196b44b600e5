import ClusterModel
import DequeModule
import Performance
@testable import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// `RunningJobChanges`: which jobs a policy must look at again to keep a list of running jobs current between rounds.
final class RunningJobChangesTests: XCTestCase {
    /// Four GPUs: job 0 runs on GPUs 0 and 1, job 1 restores on GPU 2, job 2 runs on GPU 3.
    private func snapshot(changed: [Int32]?) -> ClusterSnapshot {
        let topo = ClusterFixtures.microCluster(nodesPerRack: 1)
        var cluster = ClusterState(topology: topo)
        let placements: [[GPUID]] = [[GPUID(0), GPUID(1)], [GPUID(2)], [GPUID(3)]]
        let states: [JobState] = [.running, .restoring, .running]
        var jobs: [JobStatus] = []
        for i in 0..<3 {
            let spec = JobSpec(id: JobID(i), name: "j\(i)", submitTime: .zero, gpuCount: placements[i].count, model: nil,
                               work: .duration(.seconds(10.0)))
            var job = JobStatus(spec: spec, eligibleTypes: GPUTypeMask.all(topo), estimatedDuration: .seconds(10.0))
            job.state = states[i]
            job.allocation = Allocation(gpus: placements[i])
            cluster.claimValidated(placements[i], for: JobID(i))
            jobs.append(job)
        }
        return ClusterSnapshot(
            now: .zero, jobs: jobs, queue: Deque<JobID>(), runningByExpectedEnd: [JobID(0), JobID(2)], cluster: cluster,
            progress: JobProgress(work: [10, 10, 10], referenceRate: [1, 1, 1]), oracle: nil,
            transitionCosts: FreeTransitions(), sharing: GPUSharingModel(), changedGPUs: changed)
    }

    func testRecheckListsHoldersOfChangedGPUsAndWatchedTransitions() {
        var changes = RunningJobChanges()
        XCTAssertFalse(changes.isTracking, "nothing is known before the first full scan")
        changes.note(snapshot(changed: [3]))
        XCTAssertEqual(changes.beginRefresh(), [], "not tracking: the caller scans everything")
        changes.finishRefresh(snapshot(changed: nil), fullScan: true)  // watches job 1, in a transition
        XCTAssertTrue(changes.isTracking)

        // GPU 1 changed twice: job 0 is listed once, with job 1 (watched) and not job 2.
        changes.note(snapshot(changed: [1, 1]))
        let recheck = changes.beginRefresh()
        XCTAssertEqual(recheck, [0, 1])
        let s = snapshot(changed: [])
        s.states.withUnsafeBufferPointer { states in
            var kept: [Int32] = []
            // Members 0 and 2: job 0 is rechecked, job 2 is kept as it still runs.
            changes.carryOver([Int32(0), 2], job: { $0 }, recheck: recheck, states: states) { kept.append($0) }
            XCTAssertEqual(kept, [2])
            XCTAssertTrue(changes.observe(0, states[0]))
            XCTAssertFalse(changes.observe(1, states[1]), "restoring: watched again")
        }
        changes.finishRefresh(s, fullScan: false)
        XCTAssertEqual(changes.beginRefresh(), [1], "only the watched transition, nothing changed since")
        changes.finishRefresh(s, fullScan: false)

        // Without a change list, or with too many changes, tracking stops.
        changes.note(snapshot(changed: nil))
        XCTAssertFalse(changes.isTracking)
        changes.finishRefresh(s, fullScan: true)
        changes.note(snapshot(changed: Array(repeating: 0, count: 4 * 4 + 1)))
        XCTAssertFalse(changes.isTracking)
    }
}
