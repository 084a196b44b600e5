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
    // restores plus node failures (jobs between lists, jobs leaving the running list unannounced): the same jobs and
    // the same allocation rows. Preemptions must really happen (they are what exercises the kept order).
    func testKeptOrderMatchesFreshSort() {
        let costs = FixedTransitionCosts(restore: 0.5, checkpoint: 1.5)
        var preemptions = 0
        var roundsWithoutWaiting = 0
        withEvery("random scenario, SRTF kept order vs fresh sort", in: 0..<100) { seed in
            let (topo, jobs) = RandomPropertyTests.scenario(seed: seed)
            let failures = FailureModel(
                node: FailureProcess(timeBetweenFailuresHours: .constant(37.0 / 3600), repairHours: .constant(3.0 / 3600)),
                seed: UInt64(seed), checkpointIntervalSeconds: 4)
            for weighted in [false, true] {
                for timed in [false, true] {
                    for placement in everyPlacement {
                        let label = "seed \(seed) weighted \(weighted) timed \(timed) \(placement.name)"
                        let kept = try simulate(
                            jobs: jobs, topology: topo, policy: SRTFPolicy(.init(gpuWeighted: weighted)), placement: placement,
                            costs: timed ? costs : FreeTransitions(), failures: timed ? failures : nil)
                        let fresh = try simulate(
                            jobs: jobs, topology: topo, policy: FreshSortSRTF(gpuWeighted: weighted), placement: placement,
                            costs: timed ? costs : FreeTransitions(), failures: timed ? failures : nil)
                        XCTAssertEqual(kept.unfinishedJobs, [], label)
                        XCTAssertEqual(kept.jobs, fresh.jobs, label)
                        XCTAssertEqual(kept.allocations, fresh.allocations, label)
                        preemptions += kept.jobs.reduce(0) { $0 + $1.preemptions }
                        // Jobs that ran alone on the cluster at some point: their rounds found nobody waiting.
                        roundsWithoutWaiting += kept.samples.filter { $0.queuedJobs == 0 && $0.runningJobs > 0 }.count
                    }
                }
            }
        }
        XCTAssertGreaterThan(preemptions, 0)
        XCTAssertGreaterThan(roundsWithoutWaiting, 0)
    }
}
