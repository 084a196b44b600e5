import ClusterModel
import Scheduling
import SimKernel
import SimTestSupport
import XCTest

/// One round of the preemptive policies on hand-built snapshots: the decisions themselves, their order
/// (preemptions before the starts that use the freed GPUs), per-type capacity and Tiresias' wake-up.
final class PreemptiveDecisionTests: XCTestCase {
    private let four = ClusterFixtures.microCluster(nodesPerRack: 1)
    /// gpu0–1 a100-80 (type 0), gpu2–3 t4 (type 1).
    private let mixed = ClusterFixtures.topology(nodesPerRack: [[
        ClusterFixtures.micro(gpus: 2, gpuType: "a100-80"), ClusterFixtures.micro(gpus: 2, gpuType: "t4"),
    ]])

    // A shorter waiting job displaces a running one: the preemption comes first, then the start on its GPUs.
    func testSRTFPreemptsBeforeStarting() {
        let s = makeSnapshot(topology: four, now: 0, jobs: [
            .running(job(0, submit: 0, gpus: 4, duration: 100), on: [0, 1, 2, 3], until: 100),
            .queued(job(1, submit: 0, gpus: 4, duration: 10)),
        ])
        XCTAssertEqual(decide(SRTFPolicy(), on: s), [.preempt(JobID(0)), start(1, [0, 1, 2, 3])])
    }

    // Capacity is counted per eligible type and the set is placed most constrained first: J0 (any type, 2 GPUs,
    // shortest) and J1 (a100-80 only) both fit, so J1 gets the a100s and J0 the t4s, although first-fit in rank
    // order would have given J0 the a100s and left J1 nowhere to go.
    func testMostConstrainedJobIsPlacedFirst() {
        let s = makeSnapshot(topology: mixed, now: 0, jobs: [
            .queued(job(0, submit: 0, gpus: 2, duration: 10)),
            .queued(job(1, submit: 0, gpus: 2, duration: 20, gpuType: "a100-80")),
        ])
        XCTAssertEqual(decide(SRTFPolicy(), on: s), [start(1, [0, 1]), start(0, [2, 3])])
    }

    // A job whose type is used up is skipped although enough GPUs of another type are free: J0 and J1 both want
    // the two a100s; J1 is skipped and J2 (t4) starts.
    func testTypeExhaustedJobIsSkipped() {
        let s = makeSnapshot(topology: mixed, now: 0, jobs: [
            .queued(job(0, submit: 0, gpus: 2, duration: 10, gpuType: "a100-80")),
            .queued(job(1, submit: 0, gpus: 2, duration: 20, gpuType: "a100-80")),
            .queued(job(2, submit: 0, gpus: 2, duration: 30, gpuType: "t4")),
        ])
        XCTAssertEqual(decide(SRTFPolicy(), on: s), [start(0, [0, 1]), start(2, [2, 3])])
    }

    // Hall's condition over types: J0 (any type, 2 GPUs) is admitted first; J1 (t4, 2) still fits with J0 on the
    // a100s; J2 (any type, 1) does not fit any more although it is "any type".
    func testAnyTypeJobsLeaveRoomForPinnedOnes() {
        let s = makeSnapshot(topology: mixed, now: 0, jobs: [
            .queued(job(0, submit: 0, gpus: 2, duration: 10)),
            .queued(job(1, submit: 0, gpus: 2, duration: 20, gpuType: "t4")),
            .queued(job(2, submit: 0, gpus: 1, duration: 30)),
        ])
        XCTAssertEqual(decide(SRTFPolicy(), on: s), [start(1, [2, 3]), start(0, [0, 1])])
    }

    // Tiresias at t = 1000: J0 has held 4 GPUs since 0 (4000 GPU·s, queue 1); J1 (1 GPU) waits in the top queue and
    // overtakes it. The round asks to wake up when J1, started now on 1 GPU, reaches 3250 GPU·s: at 4250.
    func testTiresiasPreemptsDemotedJobAndWakesAtNextCrossing() {
        let s = makeSnapshot(topology: four, now: 1000, jobs: [
            .running(job(0, submit: 0, gpus: 4, duration: 5000), on: [0, 1, 2, 3], until: 5000),
            .queued(job(1, submit: 500, gpus: 1, duration: 10)),
        ])
        var policy = TiresiasPolicy()
        XCTAssertEqual(policy.queue(of: JobID(0), in: s), 1)
        XCTAssertEqual(policy.queue(of: JobID(1), in: s), 0)
        var planner = PlacementPlanner(cluster: s.cluster, strategy: FirstFitPlacement())
        XCTAssertEqual(policy.schedule(s, planner: &planner),
                       [.preempt(JobID(0)), start(1, [0]), .wakeUp(at: .seconds(Int64(4250)))])
    }

    // At t = 500 J0 (4 GPUs) has 2000 GPU·s and stays in the top queue ahead of the waiting J1; the wake-up is J0's
    // crossing of 3250 GPU·s at 500 + 1250 / 4 = 812.5.
    func testTiresiasWakesAtRunningJobsCrossing() {
        let s = makeSnapshot(topology: four, now: 500, jobs: [
            .running(job(0, submit: 0, gpus: 4, duration: 5000), on: [0, 1, 2, 3], until: 5000),
            .queued(job(1, submit: 100, gpus: 1, duration: 10)),
        ])
        XCTAssertEqual(decide(TiresiasPolicy(), on: s), [.wakeUp(at: .seconds(812.5))])
    }

    // Queue boundaries: below a threshold, at it, past the last.
    func testQueueOfService() {
        let p = TiresiasPolicy()
        XCTAssertEqual([0, 3249.9, 3250, 7199, 7200, 1e9].map(p.queue(forService:)), [0, 0, 1, 1, 2, 2])
    }
}
