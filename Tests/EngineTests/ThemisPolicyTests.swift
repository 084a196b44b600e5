import ClusterModel
import Engine
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Themis' finish-time fairness with leases, on hand-computed timelines (4 GPUs, model-less duration jobs).
final class ThemisPolicyTests: XCTestCase {
    private let four = ClusterFixtures.microCluster(nodesPerRack: 1)

    private func run(_ jobs: [JobSpec], _ parameters: ThemisPolicy.Parameters) throws -> RunResult {
        let check = InvariantObserver()
        let r = try simulate(jobs: jobs, topology: four, policy: ThemisPolicy(parameters), observers: [check])
        XCTAssertNil(check.firstViolation)
        XCTAssertEqual(r.unfinishedJobs, [])
        return r
    }

    // J0 (4 GPUs, 100 s) starts at 0 with a 30 s lease; J1 (4 GPUs, 20 s) arrives at 10 and waits. At 30 the lease
    // expires: N = 2 jobs share 4 GPUs, so each ideal time doubles: J0 ρ = (30 + 70) / 200 = 0.5, J1 ρ = (20 + 20) / 40
    // = 1. J1 is worse off, takes the GPUs and runs 30 → 50; J0 resumes 50 → 120. (FIFO: J0 → 100, J1 100 → 120.)
    func testExpiredLeaseGoesToTheWorstFinishTimeRatio() throws {
        let r = try run([job(0, submit: 0, gpus: 4, duration: 100), job(1, submit: 10, gpus: 4, duration: 20)],
                        .init(leaseSeconds: 30, fairnessKnob: 1))
        XCTAssertEqual(r.finishes, [120, 50])
        XCTAssertEqual(r.jobs[0].preemptions, 1)
    }

    // With a lease longer than J0's run, nobody is preempted: J0 0 → 100, J1 100 → 120.
    func testLeaseProtectsTheHolder() throws {
        let r = try run([job(0, submit: 0, gpus: 4, duration: 100), job(1, submit: 10, gpus: 4, duration: 20)],
                        .init(leaseSeconds: 1000, fairnessKnob: 1))
        XCTAssertEqual(r.finishes, [100, 120])
    }

    // Free GPUs are never left idle: J1 (1 GPU) arriving at 10 while J0 holds 2 of the 4 GPUs starts at once, and
    // J0's expired lease at 30 is renewed since nobody waits for its GPUs.
    func testWorkConservationStartsWhatFits() throws {
        let r = try run([job(0, submit: 0, gpus: 2, duration: 100), job(1, submit: 10, gpus: 1, duration: 10)],
                        .init(leaseSeconds: 30, fairnessKnob: 0.5))
        XCTAssertEqual(r.starts, [0, 10])
        XCTAssertEqual(r.finishes, [100, 20])
        XCTAssertEqual(r.jobs[0].preemptions, 0)
    }

    // ρ by hand: J0 (2 of 4 GPUs, isolated 100 s) at t = 40, N = 3 jobs: share 4/3 GPUs < 2, so the ideal time
    // stretches by 2 / (4/3) = 1.5 to 150 s. A hand-built snapshot carries no progress, so all 100 s are left:
    // ρ = (40 + 100) / 150.
    func testRhoByHand() {
        let s = makeSnapshot(topology: four, now: 40, jobs: [
            .running(job(0, submit: 0, gpus: 2, duration: 100), on: [0, 1], until: 100),
            .queued(job(1, submit: 10, gpus: 1, duration: 10)), .queued(job(2, submit: 20, gpus: 1, duration: 10)),
        ])
        XCTAssertEqual(ThemisPolicy.rho(of: JobID(0), in: s, active: 3), 140.0 / 150, accuracy: 1e-12)
        // J1 waiting 30 s with 10 s of work, share 4/3 ≥ 1 GPU: ideal 10 s, ρ = 40 / 10.
        XCTAssertEqual(ThemisPolicy.rho(of: JobID(1), in: s, active: 3), 4, accuracy: 1e-12)
    }
}
