import ClusterModel
import Engine
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// The check behind the policies' fast-path tests (`SRTFReferenceTests`, `ThemisKeptWaitingJobsTests`,
/// `ThemisStepOneOrderTests`): a policy with kept state or a shortcut against the policy it must behave exactly like, on
/// `RandomPropertyTests`' seeded scenarios (or the caller's), every placement strategy, each setting with free transitions and with timed
/// checkpoints and restores plus node failures (jobs between the queue and the running list, jobs leaving the running
/// list unannounced). Both runs must give the same job records and allocation rows (and event counts when asked); the
/// fast run's invariants are checked after every event.
struct SameRunsCheck<Setting> {
    /// One variant of the policies per seed (parameters, flags), with a label for failure messages.
    var settings: [(label: String, value: Setting)]
    /// Node failures: mean hours between them and repair hours, per node.
    var failureHours: (between: Double, repair: Double)
    /// Seconds between periodic checkpoints (the work a failure loses).
    var checkpointIntervalSeconds: Double
    /// Whether the two runs must also process the same number of events.
    var comparesEvents = false
    /// The cluster and jobs of a seed: `RandomPropertyTests`' unless a test needs others (e.g. longer queues).
    var scenario: (Int) -> (Topology, [JobSpec]) = RandomPropertyTests.scenario(seed:)

    /// Runs every seed of `seeds` and returns the fast runs, for the caller's own totals (e.g. that preemptions happened).
    func run(
        _ test: XCTestCase, _ name: String, seeds: Range<Int>,
        fast: (Setting) -> any SchedulingPolicy, reference: (Setting) -> any SchedulingPolicy
    ) -> [RunResult] {
        let costs = FixedTransitionCosts(restore: 0.5, checkpoint: 1.5)
        var runs: [RunResult] = []
        test.withEvery(name, in: seeds) { seed in
            let (topo, jobs) = scenario(seed)
            let failures = FailureModel(
                node: FailureProcess(
                    timeBetweenFailuresHours: .constant(failureHours.between / 3600), repairHours: .constant(failureHours.repair / 3600)),
                seed: UInt64(seed), checkpointIntervalSeconds: checkpointIntervalSeconds)
            for setting in settings {
                for placement in everyPlacement {
                    let timings: [(String, any TransitionCostModel, FailureModel?)] = [
                        ("costs and failures", costs, failures), ("free", FreeTransitions(), nil),
                    ]
                    for (timing, c, f) in timings {
                        let label = "seed \(seed) \(placement.name) \(setting.label) \(timing)"
                        let check = InvariantObserver()
                        let a = try simulate(
                            jobs: jobs, topology: topo, policy: fast(setting.value), placement: placement, observers: [check],
                            costs: c, failures: f)
                        let b = try simulate(
                            jobs: jobs, topology: topo, policy: reference(setting.value), placement: placement, costs: c, failures: f)
                        XCTAssertNil(check.firstViolation, label)
                        XCTAssertEqual(a.unfinishedJobs, [], label)
                        XCTAssertEqual(a.jobs, b.jobs, label)
                        XCTAssertEqual(a.allocations, b.allocations, label)
                        if comparesEvents { XCTAssertEqual(a.eventsProcessed, b.eventsProcessed, label) }
                        runs.append(a)
                    }
                }
            }
        }
        return runs
    }
}
