import ClusterModel
import Engine
@testable import Scheduling
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

    // Grid leases (the default): J0 (2 GPUs, 100 s) starts at 0, its lease ends at 30 and is renewed to 60; J1 (2 GPUs,
    // 100 s) starts at 10 on the other two GPUs, its lease ends at the first multiple of 30 at or after 10 + 30: 60.
    // J2 (4 GPUs, 20 s) arrives at 35 and waits. At 60 both leases expire in the same round: N = 3, share 4/3 GPUs, so
    // J0 and J1 (ideal 100 · 2/(4/3) = 150 s) have ρ = (60 + 40) / 150 and (50 + 50) / 150 = 2/3, J2 (ideal
    // 20 · 4/(4/3) = 60 s) has ρ = (25 + 20) / 60 = 0.75. J2 takes both jobs' GPUs (J1 first: ties in ρ give up the
    // later submission's) and runs 60 → 80; J0 and J1 restart at 80 and finish at 80 + 40 and 80 + 50.
    func testLeasesExpiringInOneGridRoundAreOfferedTogether() throws {
        let jobs = [job(0, submit: 0, gpus: 2, duration: 100), job(1, submit: 10, gpus: 2, duration: 100),
                    job(2, submit: 35, gpus: 4, duration: 20)]
        let r = try run(jobs, .init(leaseSeconds: 30, fairnessKnob: 1))
        XCTAssertEqual(r.starts, [0, 10, 60])
        XCTAssertEqual(r.finishes, [120, 130, 80])
        XCTAssertEqual(r.jobs.map(\.preemptions), [1, 1, 0])
        // One lease at a time (J0's at 30, 60, ..., J1's at 40, 70, ...), no round ever offers four GPUs at once: J2
        // preempts one 2-GPU job, cannot start on two GPUs, and has to wait for more to come free.
        let staggered = try run(jobs, .init(leaseSeconds: 30, fairnessKnob: 1, leaseAlignment: .job))
        XCTAssertGreaterThan(try XCTUnwrap(staggered.starts[2]), 60)
    }

    // A job started mid-interval keeps its GPUs until the grid point at or after its start + lease_s: J0 (4 GPUs, 100 s)
    // arrives at 10, its lease ends at 60 (not at 30, the next grid point, nor at 40). J1 (4 GPUs, 20 s) arrives at 20.
    // At 60: N = 2, share 2 GPUs, ideal times double: J0 ρ = (50 + 50) / 200 = 0.5, J1 ρ = (40 + 20) / 40 = 1.5, so J1
    // runs 60 → 80 and J0 resumes 80 → 130. With per-job leases J1 takes the GPUs at 40 (J0 ρ 0.5, J1 1) instead.
    func testMidIntervalStartKeepsItsGPUsUntilTheGridPoint() throws {
        let jobs = [job(0, submit: 10, gpus: 4, duration: 100), job(1, submit: 20, gpus: 4, duration: 20)]
        let r = try run(jobs, .init(leaseSeconds: 30, fairnessKnob: 1))
        XCTAssertEqual(r.starts, [10, 60])
        XCTAssertEqual(r.finishes, [130, 80])
        let perJob = try run(jobs, .init(leaseSeconds: 30, fairnessKnob: 1, leaseAlignment: .job))
        XCTAssertEqual(perJob.starts, [10, 40])
        XCTAssertEqual(perJob.finishes, [130, 60])
    }

    // Lease ends on the grid, in exact nanoseconds: at least lease_s, at most 2 · lease_s, on a multiple of lease_s.
    func testEndOfLease() {
        func end(_ t: Double, _ alignment: ThemisPolicy.LeaseAlignment = .grid) -> SimTime {
            ThemisPolicy.endOfLease(grantedAt: .seconds(t), length: .seconds(30.0), alignment: alignment)
        }
        XCTAssertEqual(end(0), .seconds(30.0))
        XCTAssertEqual(end(10), .seconds(60.0))
        XCTAssertEqual(end(30), .seconds(60.0))
        XCTAssertEqual(end(29.999_999_999), .seconds(60.0))
        XCTAssertEqual(end(30.000_000_001), .seconds(90.0))
        XCTAssertEqual(end(10, .job), .seconds(40.0))
        XCTAssertEqual(ThemisPolicy.endOfLease(grantedAt: .seconds(7.0), length: .seconds(0.001), alignment: .grid),
                       .seconds(7.001))
        // Near the end of the clock's range a lease saturates at `.never` instead of trapping on overflow.
        let late = SimTime(nanoseconds: Int64.max - 10)
        XCTAssertEqual(ThemisPolicy.endOfLease(grantedAt: late, length: .seconds(30.0), alignment: .grid), .never)
        XCTAssertEqual(ThemisPolicy.endOfLease(grantedAt: late, length: .seconds(30.0), alignment: .job), .never)
        let nearGrid = SimTime(nanoseconds: Int64.max - 40_000_000_000)
        XCTAssertEqual(ThemisPolicy.endOfLease(grantedAt: nearGrid, length: .seconds(30.0), alignment: .grid), .never)
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
