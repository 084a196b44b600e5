import ClusterModel
import Engine
@testable import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Themis takes step 1's first candidates by scans over its waiting set without building their array
/// (`StepOneOrder`): the runs must equal those of the same policy building the array at once, as rounds did before.
final class ThemisStepOneOrderTests: XCTestCase {
    // Short leases and a busy cluster make many rounds take several candidates in step 1 (a knob of 1 lets every
    // candidate take leases back, so rounds go past the first scans into the heap); timed checkpoints keep preempted
    // jobs' GPUs (the taker waits), failures re-queue jobs. For 40 seeds × every placement × three parameter sets, with
    // and without costs and failures, both runs are identical. Debug builds also check every scan against the array's
    // order and arrangement.
    func testScansWithoutArrayMatchBuiltArray() {
        let costs = FixedTransitionCosts(restore: 0.5, checkpoint: 1.5)
        let parameterSets: [ThemisPolicy.Parameters] = [
            .init(leaseSeconds: 1, fairnessKnob: 1), .init(leaseSeconds: 2, fairnessKnob: 0.8),
            .init(leaseSeconds: 3.5, fairnessKnob: 0.3),
        ]
        var preemptions = 0
        withEvery("random scenario, Themis step 1 scans vs built array", in: 0..<40) { seed in
            let (topo, jobs) = RandomPropertyTests.scenario(seed: seed)
            let failures = FailureModel(
                node: FailureProcess(timeBetweenFailuresHours: .constant(41.0 / 3600), repairHours: .constant(2.0 / 3600)),
                seed: UInt64(seed), checkpointIntervalSeconds: 3)
            for parameters in parameterSets {
                for placement in everyPlacement {
                    let settings: [(String, any TransitionCostModel, FailureModel?)] = [
                        ("costs and failures", costs, failures), ("free", FreeTransitions(), nil),
                    ]
                    for (name, c, f) in settings {
                        let label = "seed \(seed) \(placement.name) lease \(parameters.leaseSeconds) \(name)"
                        let check = InvariantObserver()
                        let scanned = try simulate(
                            jobs: jobs, topology: topo, policy: ThemisPolicy(parameters, keepsWaitingJobs: true),
                            placement: placement, observers: [check], costs: c, failures: f)
                        let built = try simulate(
                            jobs: jobs, topology: topo,
                            policy: ThemisPolicy(parameters, keepsWaitingJobs: true, buildsCandidates: true),
                            placement: placement, costs: c, failures: f)
                        XCTAssertNil(check.firstViolation, label)
                        XCTAssertEqual(scanned.unfinishedJobs, [], label)
                        XCTAssertEqual(scanned.jobs, built.jobs, label)
                        XCTAssertEqual(scanned.allocations, built.allocations, label)
                        XCTAssertEqual(scanned.eventsProcessed, built.eventsProcessed, label)
                        preemptions += scanned.jobs.reduce(0) { $0 + $1.preemptions }
                    }
                }
            }
        }
        XCTAssertGreaterThan(preemptions, 0)
    }
}
