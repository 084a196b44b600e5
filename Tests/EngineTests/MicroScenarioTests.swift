import ClusterModel
import Engine
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Hand-computed timelines on 4–12 GPUs. All jobs are duration jobs without a model, so each runs exactly
/// its duration wherever it is placed. Times in seconds.
final class MicroScenarioTests: XCTestCase {
    private let four = ClusterFixtures.microCluster(nodesPerRack: 1)

    private func run(_ jobs: [JobSpec], _ policy: any SchedulingPolicy, topology: Topology? = nil,
                     placement: any PlacementStrategy = FirstFitPlacement(), file: StaticString = #filePath,
                     line: UInt = #line) throws -> RunResult {
        let check = InvariantObserver()
        let r = try simulate(jobs: jobs, topology: topology ?? four, policy: policy, placement: placement, observers: [check])
        XCTAssertNil(check.firstViolation, file: file, line: line)
        XCTAssertEqual(check.eventsChecked, r.eventsProcessed, file: file, line: line)
        XCTAssertEqual(r.unfinishedJobs, [], file: file, line: line)
        return r
    }

    /// J0 t=0 2 GPUs 10 s; J1 t=1 4 GPUs 5 s; J2 t=2 1 GPU `d2` s.
    private func holJobs(d2: Double) -> [JobSpec] {
        [job(0, submit: 0, gpus: 2, duration: 10), job(1, submit: 1, gpus: 4, duration: 5), job(2, submit: 2, gpus: 1, duration: d2)]
    }

    // FIFO head-of-line blocking. 0: J0 on gpu0–1 →10. 1: J1 needs 4, 2 free, waits. 2: J2 fits but waits
    // behind J1. 10: J0 done, J1 →15. 15: J2 →18. JCT 10, 14, 16.
    func testFIFOHeadOfLineBlocking() throws {
        let r = try run(holJobs(d2: 3), FIFOPolicy())
        XCTAssertEqual(r.starts, [0, 10, 15])
        XCTAssertEqual(r.finishes, [10, 15, 18])
        XCTAssertEqual(r.jcts, [10, 14, 16])
        // Summary: mean JCT 40/3, p50 14, queueing (0+9+13)/3, makespan 18, busy 2·10+4·5+1·3 = 43 GPU·s.
        XCTAssertEqual(r.metric("jobs_total"), 3)
        XCTAssertEqual(r.metric("jobs_completed"), 3)
        XCTAssertEqual(r.metric("jobs_unfinished"), 0)
        XCTAssertEqual(r.metric("jct_mean_s"), 40.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(r.metric("jct_p50_s"), 14, accuracy: 1e-12)
        XCTAssertEqual(r.metric("jct_p95_s"), 15.8, accuracy: 1e-12)  // 14 + 0.9·(16−14)
        XCTAssertEqual(r.metric("queue_mean_s"), 22.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(r.metric("makespan_s"), 18)
        XCTAssertEqual(r.metric("gpu_hours") * 3600, 43, accuracy: 1e-9)
        XCTAssertEqual(r.metric("gpu_util"), 43.0 / (4 * 18), accuracy: 1e-12)
        XCTAssertEqual(r.simulatedEnd, .seconds(Int64(18)))
    }

    // SJF skips the blocked 4-GPU job: 2: J2 (3 s) starts on gpu2 →5. 10: J1 →15. JCT 10, 14, 3.
    func testSJFRunsSmallJobAroundBlockedOne() throws {
        let r = try run(holJobs(d2: 3), SJFPolicy())
        XCTAssertEqual(r.starts, [0, 10, 2])
        XCTAssertEqual(r.jcts, [10, 14, 3])
    }

    // SJF reorders by duration. 0: J0 (4 GPUs, 10 s) →10. J1 30 s (t=1), J2 20 s (t=2), J3 10 s (t=3) all need 4.
    // 10: J3 →20. 20: J2 →40. 40: J1 →70. JCT 10, 69, 38, 17. FIFO instead: J1 10→40, J2 40→60, J3 60→70.
    func testSJFReordersByDuration() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 10), job(1, submit: 1, gpus: 4, duration: 30),
                    job(2, submit: 2, gpus: 4, duration: 20), job(3, submit: 3, gpus: 4, duration: 10)]
        let sjf = try run(jobs, SJFPolicy())
        XCTAssertEqual(sjf.starts, [0, 40, 20, 10])
        XCTAssertEqual(sjf.jcts, [10, 69, 38, 17])
        let fifo = try run(jobs, FIFOPolicy())
        XCTAssertEqual(fifo.jcts, [10, 39, 58, 67])
        XCTAssertEqual(sjf.metric("jct_mean_s"), 33.5, accuracy: 1e-12)
        XCTAssertEqual(fifo.metric("jct_mean_s"), 43.5, accuracy: 1e-12)
    }

    // EASY must backfill: at 2 the head J1 (4 GPUs) has shadow 10 (J0's end) and extra 0; J2 (1 GPU, 3 s) ends at
    // 5 ≤ 10 → starts at 2. J1 still starts at 10. JCT 10, 14, 3.
    func testEASYBackfillsShortJob() throws {
        let r = try run(holJobs(d2: 3), EASYBackfillPolicy())
        XCTAssertEqual(r.starts, [0, 10, 2])
        XCTAssertEqual(r.finishes, [10, 15, 5])
        XCTAssertEqual(r.jcts, [10, 14, 3])
    }

    // EASY must NOT backfill: J2 (1 GPU, 9 s) would end at 11 > shadow 10 and extra is 0, so it waits although
    // 2 GPUs sit free from 2 to 10. 10: J1 →15. 15: J2 →24. JCT 10, 14, 22. (SJF starts it: J2 2→11, J1 11→16.)
    func testEASYDoesNotBackfillJobThatWouldDelayHead() throws {
        let r = try run(holJobs(d2: 9), EASYBackfillPolicy())
        XCTAssertEqual(r.starts, [0, 10, 15])
        XCTAssertEqual(r.jcts, [10, 14, 22])
        let sjf = try run(holJobs(d2: 9), SJFPolicy())
        XCTAssertEqual(sjf.starts, [0, 11, 2])
        XCTAssertEqual(sjf.jcts, [10, 15, 9])
    }

    // EASY "extra GPUs" rule on 12 GPUs (3 nodes × 4).
    // 0: J0 6 GPUs 10 s → 10. 1: J1 needs 8, 6 free → shadow 10 (12 free), extra 4.
    // 2: J2 (3 GPUs, 100 s) ends 102 > 10 but 3 ≤ extra → backfilled, extra 1. J3 (2 GPUs, 100 s): 2 > 1 → waits
    //    though 3 GPUs are free. J4 (2 GPUs, 5 s) ends 7 ≤ 10 → backfilled. Free: 1.
    // 7: J4 done; head J1: 3 free, shadow 10, extra 1 → J3 still waits.
    // 10: J0 done → J1 starts (8 of 9 free) → 15. 15: J3 → 115. 102: J2 done.
    // JCT: J0 10, J1 14, J2 100, J3 113, J4 5.
    func testEASYExtraGPUsRule() throws {
        let topo = ClusterFixtures.microCluster(nodesPerRack: 3)
        let jobs = [job(0, submit: 0, gpus: 6, duration: 10), job(1, submit: 1, gpus: 8, duration: 5),
                    job(2, submit: 2, gpus: 3, duration: 100), job(3, submit: 2, gpus: 2, duration: 100),
                    job(4, submit: 2, gpus: 2, duration: 5)]
        for placement: any PlacementStrategy in [FirstFitPlacement(), PackedPlacement()] {
            let r = try run(jobs, EASYBackfillPolicy(), topology: topo, placement: placement)
            XCTAssertEqual(r.starts, [0, 10, 2, 15, 2], placement.name)
            XCTAssertEqual(r.finishes, [10, 15, 102, 115, 7], placement.name)
            XCTAssertEqual(r.jcts, [10, 14, 100, 113, 5], placement.name)
        }
        // FIFO on the same jobs: 10: J1 (8) + J2 (3) start; 15: J3, J4 start. JCT 10, 14, 108, 113, 18.
        XCTAssertEqual(try run(jobs, FIFOPolicy(), topology: topo).jcts, [10, 14, 108, 113, 18])
    }

    // A GPU freed at t is usable by a job arriving at t: J0 (4 GPUs) 0→10, J1 (4 GPUs) arrives at 10 and starts at
    // 10 with no queueing. Events in order: arrival J0, round@0, completion J0@10, arrival J1@10, ONE round@10,
    // completion J1@15 (the run stops once every job is done).
    func testSameInstantCompletionThenArrival() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 10), job(1, submit: 10, gpus: 4, duration: 5)]
        for policy: any SchedulingPolicy in [FIFOPolicy(), SJFPolicy(), EASYBackfillPolicy()] {
            let log = EventLogObserver()
            let r = try simulate(jobs: jobs, topology: four, policy: policy, observers: [log])
            XCTAssertEqual(r.starts, [0, 10], policy.name)
            XCTAssertEqual(r.jobs[1].queueingDelaySeconds, 0, policy.name)
            XCTAssertEqual(r.jcts, [10, 5], policy.name)
            XCTAssertEqual(r.eventsProcessed, 6, policy.name)
            XCTAssertEqual(log.events.map(\.time), [0, 0, 10, 10, 10, 15], policy.name)
            XCTAssertEqual(log.events.map(\.event), [
                .arrival(JobID(0)), .schedulingRound, .completion(JobID(0)), .arrival(JobID(1)),
                .schedulingRound, .completion(JobID(1)),
            ], policy.name)
            XCTAssertEqual(log.events.map(\.phase), [1, 2, 0, 1, 2, 0], policy.name)
            // Occupancy never drops to 0 at t=10 (same-instant states collapse into the last one).
            XCTAssertFalse(r.samples.contains { $0.time == .seconds(Int64(10)) && $0.busyGPUs != 4 }, policy.name)
            XCTAssertEqual(r.samples.last, UtilizationSample(time: .seconds(Int64(15)), busyGPUs: 0, queuedJobs: 0, runningJobs: 0))
        }
    }

    // RunResult.samples promises "consecutive identical states are merged": J0 (4 GPUs) 0→10 then J1 (4 GPUs)
    // 10→15 keeps the state (busy 4, queued 0, running 1) from 0 to 15, so the samples are exactly 0 and 15.
    func testConsecutiveIdenticalSamplesAreMerged() throws {
        let r = try run([job(0, submit: 0, gpus: 4, duration: 10), job(1, submit: 10, gpus: 4, duration: 5)], FIFOPolicy())
        XCTAssertEqual(r.samples, [
            UtilizationSample(time: .zero, busyGPUs: 4, queuedJobs: 0, runningJobs: 1),
            UtilizationSample(time: .seconds(Int64(15)), busyGPUs: 0, queuedJobs: 0, runningJobs: 0),
        ])
    }

    // Allocations record one row per node with node-local GPU indices, in the order intervals closed.
    // 8 GPUs (2 nodes): J0 6 GPUs 0→10 takes node0 0–3 + node1 0–1 (first fit); J1 2 GPUs 0→4 takes node1 2–3.
    func testAllocationRows() throws {
        let topo = ClusterFixtures.microCluster(nodesPerRack: 2)
        let r = try run([job(0, submit: 0, gpus: 6, duration: 10), job(1, submit: 0, gpus: 2, duration: 4)], FIFOPolicy(), topology: topo)
        XCTAssertEqual(r.allocations, [
            AllocationInterval(job: JobID(1), start: .zero, end: .seconds(Int64(4)), node: NodeID(1), localGPUs: [2, 3]),
            AllocationInterval(job: JobID(0), start: .zero, end: .seconds(Int64(10)), node: NodeID(0), localGPUs: [0, 1, 2, 3]),
            AllocationInterval(job: JobID(0), start: .zero, end: .seconds(Int64(10)), node: NodeID(1), localGPUs: [0, 1]),
        ])
        XCTAssertEqual(r.jobs.map(\.gpuType), ["t4", "t4"])
        XCTAssertEqual(r.metric("gpu_util"), 68.0 / 80, accuracy: 1e-12)
    }

    // Driving the engine by hand with advance(to:): state and busy GPU-seconds at chosen instants.
    func testAdvanceByHand() throws {
        let sim = makeSimulation(jobs: [job(0, submit: 1, gpus: 3, duration: 10)], topology: four)
        try sim.advance(to: .seconds(Int64(5)))
        XCTAssertEqual(sim.now, .seconds(Int64(5)))
        XCTAssertEqual(sim.jobs[0].state, .running)
        XCTAssertEqual(sim.jobs[0].expectedEnd, .seconds(Int64(11)))
        XCTAssertEqual(sim.busyGPUSeconds, 12, accuracy: 1e-12)  // 3 GPUs × (5 − 1)
        XCTAssertNil(sim.invariantViolation())
        try sim.advance(to: .seconds(Int64(11)))
        XCTAssertEqual(sim.jobs[0].state, .finished)
        XCTAssertEqual(sim.busyGPUSeconds, 30, accuracy: 1e-12)
        XCTAssertEqual(sim.cluster.freeGPUs, 4)
        XCTAssertNil(sim.invariantViolation())
    }
}
