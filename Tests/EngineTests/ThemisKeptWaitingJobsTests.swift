import Engine
@testable import Scheduling
import XCTest

/// Themis keeps its waiting jobs across rounds (`ThemisWaitingJobs`): the runs must equal those of the same policy
/// rebuilding the set from the queue every round.
final class ThemisKeptWaitingJobsTests: XCTestCase {
    // Short leases make Themis preempt on these short jobs; timed checkpoints and restores put jobs between the queue
    // and the running list (a preempted job re-queues when its checkpoint ends, unannounced), and node failures
    // re-queue killed jobs unannounced: both reach the kept set through its full pass. For 60 seeds × every placement ×
    // three parameter sets (grid leases, and one with per-job leases; `SameRunsCheck`), the kept and rebuilt runs are identical. Debug builds also check the kept
    // set and its values against the queue after every round.
    func testKeptWaitingJobsMatchRebuiltSet() {
        let check = SameRunsCheck<ThemisPolicy.Parameters>(
            settings: [
                ("lease 2", .init(leaseSeconds: 2, fairnessKnob: 0.8)), ("lease 3.5 per job", .init(leaseSeconds: 3.5, fairnessKnob: 0.3, leaseAlignment: .job)),
                ("lease 1", .init(leaseSeconds: 1, fairnessKnob: 1)),
            ],
            failureHours: (between: 37, repair: 3), checkpointIntervalSeconds: 4)
        let runs = check.run(
            self, "random scenario, Themis kept vs rebuilt waiting set", seeds: 0..<60,
            fast: { ThemisPolicy($0, keepsWaitingJobs: true) }, reference: { ThemisPolicy($0, keepsWaitingJobs: false) })
        let preemptions = runs.reduce(0) { $0 + $1.jobs.reduce(0) { $0 + $1.preemptions } }
        XCTAssertGreaterThan(preemptions, 0)
        XCTAssertGreaterThan(runs.reduce(0) { $0 + $1.jobs.reduce(0) { $0 + $1.restarts } }, preemptions)  // failures restart jobs too
    }
}
