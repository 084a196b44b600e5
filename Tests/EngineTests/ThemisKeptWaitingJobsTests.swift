import ClusterModel
import Engine
@testable import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Themis keeps its waiting jobs across rounds (`ThemisWaitingJobs`): the runs must equal those of the same policy
/// rebuilding the set from the queue every round.
final class ThemisKeptWaitingJobsTests: XCTestCase {
    // Short leases make Themis preempt on these short jobs; timed checkpoints and restores put jobs between the queue
    // and the running list (a preempted job re-queues when its checkpoint ends, unannounced), and node failures
    // re-queue killed jobs unannounced: both reach the kept set through its full pass. For 60 seeds × every placement ×
    // three parameter sets, the kept and rebuilt runs are identical. Debug builds also check the kept set and its
    // values against the queue after every round.
    func testKeptWaitingJobsMatchRebuiltSet() {
        let costs = FixedTransitionCosts(restore: 0.5, checkpoint: 1.5)
        let parameterSets: [ThemisPolicy.Parameters] = [
            .init(leaseSeconds: 2, fairnessKnob: 0.8), .init(leaseSeconds: 3.5, fairnessKnob: 0.3),
            .init(leaseSeconds: 1, fairnessKnob: 1),
        ]
        var preemptions = 0
        var restarts = 0
        withEvery("random scenario, Themis kept vs rebuilt waiting set", in: 0..<60) { seed in
            let (topo, jobs) = RandomPropertyTests.scenario(seed: seed)
            let failures = FailureModel(
                node: FailureProcess(timeBetweenFailuresHours: .constant(37.0 / 3600), repairHours: .constant(3.0 / 3600)),
                seed: UInt64(seed), checkpointIntervalSeconds: 4)
            for parameters in parameterSets {
                for placement in everyPlacement {
                    let settings: [(String, any TransitionCostModel, FailureModel?)] = [
                        ("costs and failures", costs, failures), ("free", FreeTransitions(), nil),
                    ]
                    for (name, c, f) in settings {
                        let label = "seed \(seed) \(placement.name) lease \(parameters.leaseSeconds) \(name)"
                        let check = InvariantObserver()
                        let kept = try simulate(
                            jobs: jobs, topology: topo, policy: ThemisPolicy(parameters, keepsWaitingJobs: true),
                            placement: placement, observers: [check], costs: c, failures: f)
                        let rebuilt = try simulate(
                            jobs: jobs, topology: topo, policy: ThemisPolicy(parameters, keepsWaitingJobs: false),
                            placement: placement, costs: c, failures: f)
                        XCTAssertNil(check.firstViolation, label)
                        XCTAssertEqual(kept.unfinishedJobs, [], label)
                        XCTAssertEqual(kept.jobs, rebuilt.jobs, label)
                        XCTAssertEqual(kept.allocations, rebuilt.allocations, label)
                        preemptions += kept.jobs.reduce(0) { $0 + $1.preemptions }
                        restarts += kept.jobs.reduce(0) { $0 + $1.restarts }
                    }
                }
            }
        }
        XCTAssertGreaterThan(preemptions, 0)
        XCTAssertGreaterThan(restarts, preemptions)  // failures restart jobs too
    }
}
