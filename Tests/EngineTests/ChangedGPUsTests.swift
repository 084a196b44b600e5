import ClusterModel
import Engine
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// `ClusterSnapshot.changedGPUs`: at each call, the GPUs whose holders changed since the engine last asked the policy
/// (what Gandiva's indexes rely on), whoever changed them: the policy's own starts, completions, preemptions.
final class ChangedGPUsTests: XCTestCase {
    /// What a policy saw at each call: the time and the changed GPUs as a sorted set (nil when unknown).
    private final class Log {
        var calls: [(time: Double, changed: [Int]?)] = []
    }

    // One node of four GPUs under first fit. Job 0 (2 GPUs, 100 s) starts at t = 0, job 1 (1 GPU, 10 s) arrives at
    // t = 50, job 2 (4 GPUs, 10 s) at t = 200. Hand-derived calls: t = 50 sees job 0's GPUs 0 and 1 (claimed after the
    // call at t = 0); t = 60 sees GPU 2 (job 1's, claimed after the call at t = 50 and released at t = 60: once);
    // at t = 100 nothing waits or runs, so there is no call, and t = 200 sees GPUs 0 and 1 (released at t = 100);
    // after job 2 ends at t = 210 nothing waits or runs again.
    func testListsTheGPUsChangedSinceTheLastCall() throws {
        let jobs = [
            JobSpec(id: JobID(0), name: "a", submitTime: .zero, gpuCount: 2, model: nil, work: .duration(.seconds(100.0))),
            JobSpec(id: JobID(1), name: "b", submitTime: .seconds(50.0), gpuCount: 1, model: nil, work: .duration(.seconds(10.0))),
            JobSpec(id: JobID(2), name: "c", submitTime: .seconds(200.0), gpuCount: 4, model: nil, work: .duration(.seconds(10.0))),
        ]
        let log = Log()
        let policy = ScriptedPolicy { s, planner in
            log.calls.append((s.now.seconds, s.changedGPUs.map { Array(Set($0.map(Int.init))).sorted() }))
            var out: [SchedulingDecision] = []
            for id in s.queue { if let g = planner.place(s[id]) { out.append(.start(id, gpus: g)) } }
            return out
        }
        let r = try simulate(jobs: jobs, topology: ClusterFixtures.microCluster(nodesPerRack: 1), policy: policy)
        XCTAssertEqual(r.unfinishedJobs, [])
        let times: [Double] = log.calls.map { $0.time }
        let changed: [[Int]] = log.calls.dropFirst().map { $0.changed ?? [-1] }
        XCTAssertEqual(times, [0, 50, 60, 200])
        XCTAssertEqual(changed, [[0, 1], [2], [0, 1]])
    }

    // A snapshot built outside the engine knows nothing of what changed.
    func testUnknownOutsideTheEngine() {
        let topo = ClusterFixtures.microCluster(nodesPerRack: 1)
        let s = ClusterSnapshot(now: .zero, jobs: [], queue: [JobID](), running: [], cluster: ClusterState(topology: topo))
        XCTAssertNil(s.changedGPUs)
    }
}
