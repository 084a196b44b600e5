import Engine
@testable import Scheduling
import XCTest

/// Themis takes step 1's first candidates by scans over its waiting set without building their array
/// (`StepOneOrder`): the runs must equal those of the same policy building the array at once, as rounds did before.
final class ThemisStepOneOrderTests: XCTestCase {
    // Short leases and a busy cluster make many rounds take several candidates in step 1 (a knob of 1 lets every
    // candidate take leases back, so rounds go past the first scans into the heap). For 40 seeds × every placement ×
    // three parameter sets (grid leases, one per-job), with and without costs and failures (`SameRunsCheck`), both runs are identical, event counts
    // included. Debug builds also check every scan against the array's order and arrangement.
    func testScansWithoutArrayMatchBuiltArray() {
        let check = SameRunsCheck<ThemisPolicy.Parameters>(
            settings: [
                ("lease 1", .init(leaseSeconds: 1, fairnessKnob: 1)), ("lease 2", .init(leaseSeconds: 2, fairnessKnob: 0.8)),
                ("lease 3.5 per job", .init(leaseSeconds: 3.5, fairnessKnob: 0.3, leaseAlignment: .job)),
            ],
            failureHours: (between: 41, repair: 2), checkpointIntervalSeconds: 3, comparesEvents: true)
        let runs = check.run(
            self, "random scenario, Themis step 1 scans vs built array", seeds: 0..<40,
            fast: { ThemisPolicy($0, keepsWaitingJobs: true) },
            reference: { ThemisPolicy($0, keepsWaitingJobs: true, buildsCandidates: true) })
        XCTAssertGreaterThan(runs.reduce(0) { $0 + $1.jobs.reduce(0) { $0 + $1.preemptions } }, 0)
    }
}
