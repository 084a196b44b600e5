import ClusterModel
import Engine
import Models
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Records one job's state after every event.
final class StateLog: SimulationObserver {
    let job: JobID
    private(set) var states: [(time: Double, state: JobState)] = []
    init(_ job: JobID) { self.job = job }
    func didProcess(_ event: ScheduledEvent<SimEvent>, in simulation: Simulation) {
        let s = simulation.jobs[job.index].state
        if states.last?.state != s { states.append((event.time.seconds, s)) }
    }
}

/// Restores, checkpoints, resizes and migrations that take time: hand-computed timelines on 4 GPUs with
/// model-less duration jobs (one work unit per second at the requested size).
final class TimedTransitionTests: XCTestCase {
    private let four = ClusterFixtures.microCluster(nodesPerRack: 1)

    private func run(_ jobs: [JobSpec], costs: FixedTransitionCosts, log: JobID = JobID(0),
                     _ body: @escaping (ClusterSnapshot, inout PlacementPlanner) -> [SchedulingDecision]) throws
        -> (RunResult, [(time: Double, state: JobState)], Simulation)
    {
        let check = InvariantObserver()
        let states = StateLog(log)
        let sim = makeSimulation(jobs: jobs, topology: four, policy: ScriptedPolicy(body: body), observers: [check, states],
                                 costs: costs)
        let r = try sim.run()
        XCTAssertNil(check.firstViolation)
        XCTAssertEqual(r.unfinishedJobs, [])
        return (r, states.states, sim)
    }

    private func gpus(_ ids: Int...) -> [GPUID] { ids.map(GPUID.init) }

    // A 5 s restart penalty on the first start: J0 (2 GPUs, 10 s) holds its GPUs from 0, restores until 5,
    // runs 5 → 15. Its queueing delay is 0 (it had GPUs at 0); it held 2 GPUs for 15 s.
    func testFirstStartRestore() throws {
        let (r, states, sim) = try run([job(0, submit: 0, gpus: 2, duration: 10)], costs: FixedTransitionCosts(firstStart: 5)) { s, _ in
            s.queue.map { .start($0, gpus: [GPUID(0), GPUID(1)]) }
        }
        XCTAssertEqual(r.starts, [0])
        XCTAssertEqual(r.finishes, [15])
        XCTAssertEqual(r.jobs[0].runSeconds, 15)
        XCTAssertEqual(r.metric("gpu_hours") * 3600, 30, accuracy: 1e-9)
        XCTAssertEqual(states.map(\.state), [.queued, .restoring, .running, .finished])
        XCTAssertEqual(states.map(\.time), [0, 0, 5, 15])
        XCTAssertEqual(sim.jobs[0].overheadSeconds, 5)
    }

    // Preemption with a 3 s checkpoint and a 2 s restore on resume. 0: J0 (4 GPUs, 10 s) runs. 4: J1 (4 GPUs,
    // 2 s) arrives, J0 is preempted and checkpoints 4 → 7 holding its GPUs. 7: J1 runs 7 → 9. 9: J0 restores
    // 9 → 11, runs its last 6 s 11 → 17. J0 held GPUs 0–7 and 9–17 (15 s, 5 of them overhead): 68 GPU·s in all.
    func testCheckpointThenRestore() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 10), job(1, submit: 4, gpus: 4, duration: 2)]
        let (r, states, sim) = try run(jobs, costs: FixedTransitionCosts(restore: 2, checkpoint: 3)) { s, planner in
            if s.now == .seconds(Int64(4)) { return [.preempt(JobID(0))] }
            var out: [SchedulingDecision] = []
            for id in s.queue.reversed() {  // J1 before J0
                if let g = planner.place(id, count: 4, types: s[id].eligibleTypes) { out.append(.start(id, gpus: g)) }
            }
            return out
        }
        XCTAssertEqual(r.finishes, [17, 9])
        XCTAssertEqual(r.starts, [0, 7])
        XCTAssertEqual(r.jobs[0].preemptions, 1)
        XCTAssertEqual(r.jobs[0].runSeconds, 15)
        XCTAssertEqual(sim.jobs[0].overheadSeconds, 5)
        XCTAssertEqual(r.metric("gpu_hours") * 3600, 68, accuracy: 1e-9)
        XCTAssertEqual(states.map(\.state), [.queued, .running, .checkpointing, .preempted, .restoring, .running, .finished])
        XCTAssertEqual(states.map(\.time), [0, 0, 4, 7, 9, 11, 17])
        XCTAssertEqual(r.allocations.map { [$0.job.index, Int($0.start.seconds), Int($0.end.seconds)] }, [[0, 0, 7], [1, 7, 9], [0, 9, 17]])
    }

    // An elastic job (asks for 2, runs on 1–4) grows at 4 to all four GPUs with a 1 s resize: 4 s at rate 1
    // (16 units left), resizing 4 → 5, then rate 2 for 8 s: done at 13. GPU-time 2·4 + 4·9 = 44.
    func testGrowWithResizeCost() throws {
        var elastic = job(0, submit: 0, gpus: 2, duration: 20)
        elastic.gpuRange = 1...4
        let (r, states, sim) = try run([elastic], costs: FixedTransitionCosts(resize: 1)) { s, _ in
            if s.now == .zero { return [.start(JobID(0), gpus: self.gpus(0, 1)), .wakeUp(at: .seconds(Int64(4)))] }
            if s.now == .seconds(Int64(4)) { return [.resize(JobID(0), gpus: self.gpus(0, 1, 2, 3))] }
            return []
        }
        XCTAssertEqual(r.finishes, [13])
        XCTAssertEqual(r.metric("gpu_hours") * 3600, 44, accuracy: 1e-9)
        XCTAssertEqual(states.map(\.state), [.queued, .running, .resizing, .running, .finished])
        XCTAssertEqual(sim.jobs[0].resizes, 1)
        XCTAssertEqual(r.allocations.map(\.localGPUs), [[0, 1], [0, 1, 2, 3]])
        XCTAssertEqual(r.allocations.map { $0.end.seconds }, [4, 13])
    }

    // A shrink frees GPUs for a start in the same round: J0 (asks 4, runs on 1–4, 20 s) shrinks to 2 GPUs at 2
    // when J1 (2 GPUs, 5 s) arrives, and J1 takes the freed GPUs. J0: 2 s at rate 1, then 18 units at 0.5 → 38.
    func testShrinkAndStartInOneRound() throws {
        var elastic = job(0, submit: 0, gpus: 4, duration: 20)
        elastic.gpuRange = 1...4
        let (r, _, _) = try run([elastic, job(1, submit: 2, gpus: 2, duration: 5)], costs: FixedTransitionCosts()) { s, _ in
            if s.now == .zero { return [.start(JobID(0), gpus: self.gpus(0, 1, 2, 3))] }
            if s.now == .seconds(Int64(2)) {
                return [.resize(JobID(0), gpus: self.gpus(0, 1)), .start(JobID(1), gpus: self.gpus(2, 3))]
            }
            return []
        }
        XCTAssertEqual(r.finishes, [38, 7])
    }

    // A migration to an overlapping set with a 2 s cost: J0 (2 GPUs, 10 s) moves from gpu0–1 to gpu1–2 at 3;
    // gpu1 stays held, gpu0 is free at once, the job runs again at 5 and ends at 12. Free, it would end at 10.
    func testMigrationKeepsSharedGPUs() throws {
        for (cost, end) in [(2.0, 12.0), (0.0, 10.0)] {
            let check = InvariantObserver()
            let sim = makeSimulation(
                jobs: [job(0, submit: 0, gpus: 2, duration: 10)], topology: four,
                policy: ScriptedPolicy { s, _ in
                    if s.now == .zero { return [.start(JobID(0), gpus: self.gpus(0, 1)), .wakeUp(at: .seconds(Int64(3)))] }
                    if s.now == .seconds(Int64(3)) { return [.migrate(JobID(0), gpus: self.gpus(1, 2))] }
                    return []
                }, observers: [check], costs: FixedTransitionCosts(migrate: cost))
            try sim.advance(to: .seconds(4.0))
            XCTAssertEqual(Array(sim.cluster.owner), [-1, 0, 0, -1])
            XCTAssertEqual(sim.jobs[0].state, cost > 0 ? .resizing : .running)
            let r = try sim.run()
            XCTAssertNil(check.firstViolation)
            XCTAssertEqual(r.finishes, [end])
            XCTAssertEqual(sim.jobs[0].migrations, 1)
            XCTAssertEqual(r.allocations.map(\.localGPUs), [[0, 1], [1, 2]])
            XCTAssertEqual(r.allocations.map { $0.start.seconds }, [0, 3])
            XCTAssertEqual(r.metric("gpu_hours") * 3600, 2 * end, accuracy: 1e-9)
        }
    }
}

/// The checkpoint-restart cost model on hand-computed cases.
final class CheckpointRestartCostTests: XCTestCase {
    // resnet50's 14 GB footprint at 2 GB/s write and 4 GB/s read: checkpoint 5 + 7 = 12 s, resume 10 + 3.5 = 13.5 s,
    // a migration or resize both (25.5 s); a first start costs nothing, or the 10 s overhead when charged; a job
    // without a model uses the default state (1 GB: checkpoint 5.5 s).
    func testCostsFromStateAndBandwidth() {
        let costs = CheckpointRestartCosts(writeBytesPerSecond: 2e9, readBytesPerSecond: 4e9, saveOverheadSeconds: 5,
                                           loadOverheadSeconds: 10, defaultStateBytes: 1e9)
        let resnet = JobStatus(spec: JobSpec(id: JobID(0), name: "r", submitTime: .zero, gpuCount: 1,
                                             model: ModelZoo.index(named: "resnet50"), work: .iterations(1)),
                               eligibleTypes: GPUTypeMask(bits: 1), estimatedDuration: .zero)
        let plain = JobStatus(spec: job(1, submit: 0, gpus: 1, duration: 1), eligibleTypes: GPUTypeMask(bits: 1), estimatedDuration: .zero)
        XCTAssertEqual(costs.seconds(.checkpoint, job: resnet, from: [], to: []), 12)
        XCTAssertEqual(costs.seconds(.restore(firstStart: false), job: resnet, from: [], to: []), 13.5)
        XCTAssertEqual(costs.seconds(.migrate, job: resnet, from: [], to: []), 25.5)
        XCTAssertEqual(costs.seconds(.resize, job: resnet, from: [], to: []), 25.5)
        XCTAssertEqual(costs.seconds(.restore(firstStart: true), job: resnet, from: [], to: []), 0)
        var charged = costs
        charged.chargeFirstStart = true
        XCTAssertEqual(charged.seconds(.restore(firstStart: true), job: resnet, from: [], to: []), 10)
        XCTAssertEqual(costs.seconds(.checkpoint, job: plain, from: [], to: []), 5.5)
    }

    // A preemption under these costs: J0 (4 GPUs, 10 s, 2 GB of state at 1 GB/s both ways, no overheads) is
    // preempted at 4 by J1 (2 s): checkpoint 4 → 6, J1 6 → 8, J0 restores 8 → 10 and ends at 16; the summary counts
    // one preemption, one restart and (2 + 2) s × 4 GPUs = 16 GPU·s of checkpoint time.
    func testPreemptionChargesCheckpointAndRestore() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 10), job(1, submit: 4, gpus: 4, duration: 2)]
        let check = InvariantObserver()
        let sim = makeSimulation(
            jobs: jobs, topology: ClusterFixtures.microCluster(nodesPerRack: 1),
            policy: ScriptedPolicy { s, planner in
                if s.now == .seconds(Int64(4)) { return [.preempt(JobID(0))] }
                return s.queue.reversed().compactMap { id in planner.place(s[id]).map { .start(id, gpus: $0) } }
            }, observers: [check],
            costs: CheckpointRestartCosts(writeBytesPerSecond: 1e9, readBytesPerSecond: 1e9, defaultStateBytes: 2e9))
        let r = try sim.run()
        XCTAssertNil(check.firstViolation)
        XCTAssertEqual(r.finishes, [16, 8])
        XCTAssertEqual(r.metric("preemptions"), 1)
        XCTAssertEqual(r.metric("restarts"), 1)
        XCTAssertEqual(r.metric("checkpoint_gpu_hours") * 3600, 16, accuracy: 1e-9)
        XCTAssertEqual(r.jobs[0].overheadSeconds, 4)
        XCTAssertEqual(r.jobs[0].rho!, 16.0 / 10, accuracy: 1e-12)
    }
}
