import ClusterModel
import Engine
import Scheduling
import SimKernel
import SimRandom
import SimTestSupport
import Workload
import XCTest

/// Node and GPU failures with constant times between failures and repair times: hand-computed timelines on one
/// 4-GPU node with model-less duration jobs (one work unit per second at the requested size).
final class FailureTests: XCTestCase {
    private let four = ClusterFixtures.microCluster(nodesPerRack: 1)

    /// Node failures every `mtbf` seconds of up time, repaired after `repair` seconds; checkpoints every `interval` s.
    private func nodeFailures(mtbf: Double, repair: Double, interval: Double?, seed: UInt64 = 1) -> FailureModel {
        FailureModel(
            node: FailureProcess(timeBetweenFailuresHours: .constant(mtbf / 3600), repairHours: .constant(repair / 3600)),
            seed: seed, checkpointIntervalSeconds: interval)
    }

    private func run(
        _ jobs: [JobSpec], failures: FailureModel, costs: any TransitionCostModel = FreeTransitions(),
        policy: any SchedulingPolicy = FIFOPolicy(), log: JobID = JobID(0)
    ) throws -> (RunResult, [(time: Double, state: JobState)], Simulation) {
        let check = InvariantObserver()
        let states = StateLog(log)
        let sim = makeSimulation(jobs: jobs, topology: four, policy: policy, observers: [check, states], costs: costs,
                                 failures: failures)
        let r = try sim.run()
        XCTAssertNil(check.firstViolation)
        XCTAssertEqual(r.unfinishedJobs, [])
        return (r, states.states, sim)
    }

    // The node fails at 25, 55, 85, 115, 145 (25 s up after each 5 s repair); checkpoints every 10 s of running
    // time. J0 (4 GPUs, 100 s) runs 0–25: killed 5 s after its checkpoint at 20, 80 s left; it restarts at each
    // repair (30, 60, 90, 120) and loses 5 s each time (80 → 60 → 40 → 20 left), then finishes 120 → 140. J1 (1 GPU,
    // 10 s) arrives at 26 with every GPU down: nobody is placed on a down GPU, and FIFO keeps J1 behind J0 until 140;
    // it runs 140–145, is killed before its first checkpoint (loses 5 s), and reruns 150 → 160.
    func testNodeFailureKillsAndLosesWorkSinceCheckpoint() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 100), job(1, submit: 26, gpus: 1, duration: 10)]
        let (r, states, sim) = try run(jobs, failures: nodeFailures(mtbf: 25, repair: 5, interval: 10))
        XCTAssertEqual(r.starts, [0, 140])
        XCTAssertEqual(r.finishes, [140, 160])
        XCTAssertEqual(states.map(\.time), [0, 0, 25, 30, 55, 60, 85, 90, 115, 120, 140])
        XCTAssertEqual(states.map(\.state), [.queued, .running, .preempted, .running, .preempted, .running, .preempted,
                                             .running, .preempted, .running, .finished])
        XCTAssertEqual(r.jobs.map(\.failures), [4, 1])
        XCTAssertEqual(r.jobs.map(\.lostSeconds), [20, 5])
        XCTAssertEqual(r.jobs.map(\.lostGPUSeconds), [80, 5])
        XCTAssertEqual(r.jobs.map(\.preemptions), [0, 0], "failures are not preemptions")
        XCTAssertEqual(r.jobs.map(\.restarts), [4, 1])
        XCTAssertEqual(r.jobs.map(\.runSeconds), [120, 15])
        XCTAssertEqual(r.metric("failures"), 5)
        XCTAssertEqual(r.metric("job_kills"), 5)
        XCTAssertEqual(r.metric("lost_gpu_hours") * 3600, 85, accuracy: 1e-9)
        XCTAssertEqual(r.metric("down_gpu_hours") * 3600, 5 * 5 * 4, accuracy: 1e-9)
        XCTAssertEqual(r.metric("gpu_hours") * 3600, 120 * 4 + 15, accuracy: 1e-9)
        XCTAssertEqual(r.metric("preemptions"), 0)
        XCTAssertEqual(r.metric("restarts"), 5)
        // Down GPUs hold no allocation: every interval lies in an up period [30k, 30k + 25].
        for a in r.allocations {
            let k = (a.start.seconds / 30).rounded(.down)
            XCTAssertLessThanOrEqual(a.end.seconds, 30 * k + 25, "\(a)")
        }
        XCTAssertEqual(sim.failureEvents, 5)
        XCTAssertEqual(sim.cluster.downGPUs, 0, "the run ends at 160, after the repair at 150")
    }

    // Without periodic checkpoints a killed job loses everything since it last started. J0 (4 GPUs, 40 s): runs
    // 0–25, killed (loses 25 s), reruns 30–55, killed again, ... it can never finish, so the failures are rarer:
    // up 50 s, repair 5 s. 0–40: it finishes before the first failure at 50. J1 (4 GPUs, 30 s) submitted at 30
    // runs 40–50, is killed with 10 s lost, and reruns 55 → 85 (the next failure is at 105).
    func testNoIntervalLosesAllSinceStart() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 40), job(1, submit: 30, gpus: 4, duration: 30)]
        let (r, _, _) = try run(jobs, failures: nodeFailures(mtbf: 50, repair: 5, interval: nil))
        XCTAssertEqual(r.starts, [0, 40])
        XCTAssertEqual(r.finishes, [40, 85])
        XCTAssertEqual(r.jobs.map(\.failures), [0, 1])
        XCTAssertEqual(r.jobs.map(\.lostSeconds), [0, 10])
        XCTAssertEqual(r.jobs.map(\.lostGPUSeconds), [0, 40])
        XCTAssertEqual(r.metric("failures"), 1)
    }

    // A failure during a preemption's checkpoint kills the job: the checkpoint never completes, so it loses its
    // progress since its last periodic checkpoint. Costs: checkpoint 10 s, resume restore 3 s. J0 (4 GPUs, 100 s)
    // runs 0–18 (periodic checkpoint at 10: 90 s left), is preempted at 18 and checkpoints 18 → 28, killed at 25:
    // it loses 8 s (32 GPU-s) and has 90 s left, after 7 s of checkpoint overhead. From each repair (30, 60, 90,
    // 120) it restores 3 s and runs 22 s: checkpoints at 10 and 20, 2 s lost per failure (90 → 70 → 50 → 30 → 10).
    // At 150 it restores until 153 and runs its last 10 s: finish 163.
    func testFailureDuringCheckpointKills() throws {
        let costs = FixedTransitionCosts(restore: 3, checkpoint: 10)
        var preempted = false
        let policy = ScriptedPolicy { s, planner in
            if s.now == .seconds(Int64(18)) && !preempted {
                preempted = true
                return [.preempt(JobID(0))]
            }
            var out: [SchedulingDecision] = s.now < .seconds(Int64(18)) ? [.wakeUp(at: .seconds(Int64(18)))] : []
            for id in s.queue {
                if let g = planner.place(s[id]) { out.append(.start(id, gpus: g)) }
            }
            return out
        }
        let jobs = [job(0, submit: 0, gpus: 4, duration: 100)]
        let (r, states, sim) = try run(jobs, failures: nodeFailures(mtbf: 25, repair: 5, interval: 10), costs: costs, policy: policy)
        XCTAssertEqual(r.finishes, [163])
        XCTAssertEqual(Array(states.map(\.state).prefix(5)), [.queued, .running, .checkpointing, .preempted, .restoring])
        XCTAssertEqual(Array(states.map(\.time).prefix(5)), [0, 0, 18, 25, 30])
        XCTAssertEqual(r.jobs[0].preemptions, 1)
        XCTAssertEqual(r.jobs[0].failures, 5)
        XCTAssertEqual(r.jobs[0].lostSeconds, 8 + 4 * 2, accuracy: 1e-9)
        XCTAssertEqual(r.jobs[0].lostGPUSeconds, 4 * (8 + 4 * 2), accuracy: 1e-9)
        XCTAssertEqual(sim.jobs[0].overheadSeconds, 7 + 5 * 3, accuracy: 1e-9)
        // Held: 0–25, then 25 s per cycle four times, then 150–163.
        XCTAssertEqual(r.jobs[0].runSeconds, 25 + 4 * 25 + 13, accuracy: 1e-9)
    }

    // A failure during a restore kills the job with nothing to lose. J0 (4 GPUs, 10 s) arrives at 20 and restores
    // 10 s on its first start: killed at 25 (5 s of overhead). At the repair (30) it resumes with a 2 s restore and
    // runs 32 → 42.
    func testFailureDuringRestoreKills() throws {
        let costs = FixedTransitionCosts(firstStart: 10, restore: 2)
        let jobs = [job(0, submit: 20, gpus: 4, duration: 10)]
        let (r, states, sim) = try run(jobs, failures: nodeFailures(mtbf: 25, repair: 5, interval: 10), costs: costs)
        XCTAssertEqual(states.map(\.state), [.queued, .restoring, .preempted, .restoring, .running, .finished])
        XCTAssertEqual(states.map(\.time), [20, 20, 25, 30, 32, 42])
        XCTAssertEqual(r.starts, [20])
        XCTAssertEqual(r.finishes, [42])
        XCTAssertEqual(r.jobs[0].failures, 1)
        XCTAssertEqual(r.jobs[0].lostSeconds, 0)
        XCTAssertEqual(r.jobs[0].restarts, 1)
        XCTAssertEqual(sim.jobs[0].overheadSeconds, 7, accuracy: 1e-9)
        XCTAssertEqual(r.jobs[0].runSeconds, 17, accuracy: 1e-9)
    }

    // Node and GPU failures overlap: the node fails at 25 (repaired at 35); the GPUs' own failures at 30 find them
    // down and do nothing. At 60 every GPU fails (scheduled first, at 30), then the node (scheduled at 35): the
    // GPUs are down twice over; the GPU repairs at 61 leave them down until the node's repair at 70.
    func testOverlappingFailures() throws {
        let failures = FailureModel(
            node: FailureProcess(timeBetweenFailuresHours: .constant(25.0 / 3600), repairHours: .constant(10.0 / 3600)),
            gpu: FailureProcess(timeBetweenFailuresHours: .constant(30.0 / 3600), repairHours: .constant(1.0 / 3600)),
            seed: 3)
        let check = InvariantObserver()
        let sim = makeSimulation(jobs: [job(0, submit: 1000, gpus: 1, duration: 1)], topology: four, observers: [check],
                                 failures: failures)
        func at(_ t: Double, failures n: Int, down: Int, counts: [Int32], _ line: UInt = #line) throws {
            try sim.advance(to: .seconds(t))
            XCTAssertEqual(sim.failureEvents, n, "t=\(t)", line: line)
            XCTAssertEqual(sim.cluster.downGPUs, down, "t=\(t)", line: line)
            XCTAssertEqual(sim.cluster.downCount, counts, "t=\(t)", line: line)
            XCTAssertEqual(sim.cluster.freeGPUs, 4 - down, "t=\(t)", line: line)
        }
        try at(24, failures: 0, down: 0, counts: [0, 0, 0, 0])
        try at(26, failures: 1, down: 4, counts: [1, 1, 1, 1])
        try at(31, failures: 1, down: 4, counts: [1, 1, 1, 1])
        try at(36, failures: 1, down: 0, counts: [0, 0, 0, 0])
        try at(60.5, failures: 6, down: 4, counts: [2, 2, 2, 2])
        try at(65, failures: 6, down: 4, counts: [1, 1, 1, 1])
        try at(70.5, failures: 6, down: 0, counts: [0, 0, 0, 0])
        XCTAssertNil(check.firstViolation)
    }

    // A policy that never starts a job: the run still ends, at the first instant where only failures and repairs
    // are left with nothing held or down, instead of failing and repairing forever.
    func testRunEndsWhenOnlyFailuresAreLeft() throws {
        let policy = ScriptedPolicy { _, _ in [] }
        let sim = makeSimulation(jobs: [job(0, submit: 3, gpus: 1, duration: 1)], topology: four, policy: policy,
                                 failures: nodeFailures(mtbf: 25, repair: 5, interval: nil))
        let r = try sim.run()
        XCTAssertEqual(r.unfinishedJobs, [JobID(0)])
        XCTAssertEqual(r.simulatedEnd.seconds, 3)
        XCTAssertEqual(r.metric("failures"), 0)
    }

    // A start on a down GPU is an invalid decision, with the reason named; nothing of the round is applied.
    func testStartOnDownGPUIsRejected() throws {
        let policy = ScriptedPolicy { s, _ in s.queue.map { .start($0, gpus: [GPUID(0)]) } }
        let sim = makeSimulation(jobs: [job(0, submit: 26, gpus: 1, duration: 1)], topology: four, policy: policy,
                                 failures: nodeFailures(mtbf: 25, repair: 5, interval: nil))
        XCTAssertThrowsError(try sim.run()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("gpu0 is down (failed, awaiting repair)"), text)
        }
    }

    // Same seed, same run; another seed, other failure times.
    func testDeterminismAndSeeds() throws {
        let (topo, jobs) = RandomPropertyTests.scenario(seed: 5)
        func failures(_ seed: UInt64) -> FailureModel {
            FailureModel(
                node: FailureProcess(timeBetweenFailuresHours: .exponential(mean: 60.0 / 3600), repairHours: .exponential(mean: 5.0 / 3600)),
                gpu: FailureProcess(timeBetweenFailuresHours: .weibull(scale: 120.0 / 3600, shape: 1.5),
                                    repairHours: .uniform(low: 1.0 / 3600, high: 5.0 / 3600)),
                seed: seed, checkpointIntervalSeconds: 5)
        }
        func once(_ seed: UInt64) throws -> RunResult {
            let log = EventLogObserver()
            let r = try simulate(jobs: jobs, topology: topo, observers: [log], failures: failures(seed))
            return r
        }
        let a = try once(11)
        let b = try once(11)
        let c = try once(12)
        XCTAssertEqual(a.jobs, b.jobs)
        XCTAssertEqual(a.allocations, b.allocations)
        XCTAssertEqual(a.summary, b.summary)
        XCTAssertEqual(a.eventsProcessed, b.eventsProcessed)
        XCTAssertGreaterThan(a.metric("failures"), 0)
        XCTAssertNotEqual(a.metric("down_gpu_hours"), c.metric("down_gpu_hours"))
        // The failure times come from the named streams: the first node failure is the first draw of "failures.node".
        let first = RandomStreams(master: 11).stream(FailureModel.nodeStream).draw(.exponential(mean: 60.0 / 3600)) * 3600
        let sim = makeSimulation(jobs: jobs, topology: topo, failures: failures(11))
        try sim.advance(to: .seconds(first - 1e-3))
        let before = sim.failureEvents
        try sim.advance(to: .seconds(first + 1e-3))
        XCTAssertGreaterThanOrEqual(sim.failureEvents, before + 1)
        XCTAssertTrue(sim.cluster.downCount[0..<Int(topo.nodeGPUCount[0])].allSatisfy { $0 >= 1 })
    }

    // Without a failure model nothing changes: the same run with `failures: nil` and with a model whose processes
    // are both absent.
    func testNoFailuresChangesNothing() throws {
        let (topo, jobs) = RandomPropertyTests.scenario(seed: 9)
        let a = try simulate(jobs: jobs, topology: topo)
        let b = try simulate(jobs: jobs, topology: topo, failures: FailureModel(seed: 4, checkpointIntervalSeconds: 10))
        XCTAssertEqual(a.jobs, b.jobs)
        XCTAssertEqual(a.summary, b.summary)
        XCTAssertEqual(a.eventsProcessed, b.eventsProcessed)
        XCTAssertEqual(a.metric("failures"), 0)
        XCTAssertEqual(a.metric("down_gpu_hours"), 0)
    }
}
