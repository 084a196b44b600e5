import ClusterModel
import Engine
@testable import Scheduling
import SimKernel
import SimRandom
import SimTestSupport
import Workload
import XCTest

/// SRTF keeps its waiting jobs sorted across rounds, merges them with the running jobs by galloping search, and returns
/// at once from rounds where nobody waits (see `SRTFPolicy`). `FreshSortSRTF` recomputes the same ordering from scratch
/// every round: every running and waiting job keyed afresh (`SRTFPolicy.key(of:in:)`) and sorted by (key, JobID), then
/// the same greedy running-set builder. Both must run every job the same way.
final class SRTFReferenceTests: XCTestCase {

    /// SRTF without any kept state: a full sort of every job at every round.
    struct FreshSortSRTF: SchedulingPolicy {
        static let name = "srtf-fresh-sort"
        let keys: SRTFPolicy

        init(gpuWeighted: Bool) { keys = SRTFPolicy(.init(gpuWeighted: gpuWeighted)) }

        mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
            let keyed = (s.running + Array(s.queue)).map { (key: keys.key(of: $0, in: s), id: $0) }
                .sorted { $0.key != $1.key ? $0.key < $1.key : $0.id < $1.id }
            var preempted: [JobID] = []
            return PriorityRunningSet.decisions(
                order: keyed.map { PriorityRunningSet.Entry($0.id, in: s) }, s, planner: &planner, preempted: &preempted)
        }
    }

    // 100 seeds × every placement × plain and GPU-weighted keys, with free transitions and with timed checkpoints and
    // restores plus node failures (`SameRunsCheck`): the same jobs and the same allocation rows. Preemptions must really
    // happen (they are what exercises the kept order).
    func testKeptOrderMatchesFreshSort() {
        let check = SameRunsCheck<Bool>(
            settings: [("plain", false), ("gpu-weighted", true)], failureHours: (between: 37, repair: 3), checkpointIntervalSeconds: 4)
        let runs = check.run(
            self, "random scenario, SRTF kept order vs fresh sort", seeds: 0..<100,
            fast: { SRTFPolicy(.init(gpuWeighted: $0)) }, reference: { FreshSortSRTF(gpuWeighted: $0) })
        XCTAssertGreaterThan(runs.reduce(0) { $0 + $1.jobs.reduce(0) { $0 + $1.preemptions } }, 0)
        // Jobs that ran alone on the cluster at some point: their rounds found nobody waiting.
        XCTAssertGreaterThan(runs.reduce(0) { $0 + $1.samples.filter { $0.queuedJobs == 0 && $0.runningJobs > 0 }.count }, 0)
    }
}
