import ClusterModel
@testable import Engine
import Models
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Superseded events leave the queue at once (`EventKey`): a preemption removes the job's completion, a speed change
/// moves it, a checkpoint replaces it by a transition end, a preempted goodput job's noise-scale step goes too; and the
/// invariant check catches a stale or misfiled event.
final class EventCancellationTests: XCTestCase {
    private let four = ClusterFixtures.microCluster(nodesPerRack: 1)

    /// The pending events of job `id`, by kind.
    private func pending(_ sim: Simulation, _ id: JobID) -> [SimEvent] {
        sim.events.unordered.map(\.payload).filter {
            switch $0 {
            case .completion(let j), .transitionEnd(let j), .noiseScaleStep(let j): return j == id
            default: return false
            }
        }
    }

    // J0 (4 GPUs, 10 s) runs from 0 with its completion at 10; J1 (priority 1, 4 GPUs, 2 s) preempts it at 3. The
    // completion at 10 is gone from the queue at once; J1's is pending at 5; J0's new one, at 12, after its resume.
    func testPreemptionRemovesTheCompletion() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 10), job(1, submit: 3, gpus: 4, duration: 2, priority: 1)]
        let sim = makeSimulation(jobs: jobs, topology: four, policy: PriorityPreemptPolicy())
        try sim.advance(to: .seconds(Int64(2)))
        XCTAssertEqual(sim.events.scheduled(key: EventKey.completion(0))?.time, .seconds(Int64(10)))
        try sim.advance(to: .seconds(Int64(3)))
        XCTAssertEqual(sim.jobs[0].state, .preempted)
        XCTAssertNil(sim.events.scheduled(key: EventKey.completion(0)))
        XCTAssertEqual(pending(sim, JobID(0)), [])
        XCTAssertEqual(sim.events.scheduled(key: EventKey.completion(1))?.time, .seconds(Int64(5)))
        XCTAssertEqual(sim.events.count, 1, "J1's completion only: no arrival left, no stale entry")
        XCTAssertNil(sim.invariantViolation())
        try sim.advance(to: .seconds(Int64(5)))
        XCTAssertEqual(pending(sim, JobID(0)), [.completion(JobID(0))])
        XCTAssertEqual(sim.events.scheduled(key: EventKey.completion(0))?.time, .seconds(Int64(12)))
        XCTAssertEqual(sim.events.count, 1)
    }

    // A transformer (1000 s alone) packed with an lm (100 s alone) from 0 runs at 0.790 of its speed: its completion
    // is moved (not duplicated) to 1000 / 0.790 s when the lm joins, and again when the lm leaves at 100 / 0.701 s.
    func testSpeedChangesMoveTheOneCompletion() throws {
        let v100 = ClusterFixtures.topology(nodesPerRack: [[ClusterFixtures.micro(gpus: 1, gpuType: "v100-32")]])
        let jobs = ["transformer", "lm"].enumerated().map { i, m in
            JobSpec(id: JobID(i), name: m, submitTime: .zero, gpuCount: 1, model: ModelZoo.index(named: m)!,
                    work: .duration(.seconds(i == 0 ? 1000.0 : 100.0)))
        }
        let policy = ScriptedPolicy { s, planner in
            guard s.queue.count == 2, let g = planner.place(s[JobID(0)]) else { return [] }
            return [.start(JobID(0), gpus: g), .share(JobID(1), gpus: g, mode: .packed)]
        }
        let sim = makeSimulation(jobs: jobs, topology: v100, policy: policy)
        try sim.advance(to: .zero)
        XCTAssertEqual(pending(sim, JobID(0)), [.completion(JobID(0))])
        XCTAssertEqual(sim.events.scheduled(key: EventKey.completion(0))!.time.seconds, 1000 / 0.790, accuracy: 1e-6)
        XCTAssertEqual(sim.events.count, 2, "one completion each")
        let lmEnd = 100 / 0.701
        try sim.advance(to: .seconds(lmEnd + 1))
        XCTAssertEqual(sim.events.count, 1)
        XCTAssertEqual(sim.events.scheduled(key: EventKey.completion(0))!.time.seconds, lmEnd + (1000 - 0.790 * lmEnd), accuracy: 1e-6)
        XCTAssertNil(sim.invariantViolation())
    }

    // A preemption with a 3 s checkpoint: the completion leaves, the transition end (at 7) takes its place, under its
    // own key.
    func testCheckpointReplacesTheCompletionByATransitionEnd() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 10), job(1, submit: 4, gpus: 4, duration: 2)]
        let policy = ScriptedPolicy { s, planner in
            if s.now == .seconds(Int64(4)) { return [.preempt(JobID(0))] }
            return s.queue.compactMap { id in planner.place(id, count: 4, types: s[id].eligibleTypes).map { .start(id, gpus: $0) } }
        }
        let sim = makeSimulation(jobs: jobs, topology: four, policy: policy, costs: FixedTransitionCosts(checkpoint: 3))
        try sim.advance(to: .seconds(Int64(4)))
        XCTAssertEqual(sim.jobs[0].state, .checkpointing)
        XCTAssertEqual(pending(sim, JobID(0)), [.transitionEnd(JobID(0))])
        XCTAssertEqual(sim.events.scheduled(key: EventKey.transitionEnd(0))?.time, .seconds(Int64(7)))
        XCTAssertNil(sim.events.scheduled(key: EventKey.completion(0)))
        XCTAssertNil(sim.invariantViolation())
    }

    // A goodput job (resnet18-cifar10 at batch 1024 on 2 GPUs) has its next noise-scale step pending while it runs;
    // preempted at 50 s by a plain job, it has nothing pending at all.
    func testPreemptedGoodputJobLeavesNoNoiseScaleStep() throws {
        let cluster = ClusterFixtures.topology(nodesPerRack: [[NodeTemplateCatalog.named("pollux-g4dn")!]])
        let cifar = ModelZoo.index(named: "resnet18-cifar10")!
        var goodput = JobSpec(id: JobID(0), name: "c", submitTime: .zero, gpuCount: 2, model: cifar,
                              work: .iterations(10 * ModelZoo.all[cifar].efficiency!.iterationsPerEpoch))
        goodput.globalBatch = 1024
        let jobs = [goodput, job(1, submit: 50, gpus: 2, duration: 5)]
        let policy = ScriptedPolicy { s, planner in
            if s.now == .seconds(Int64(50)) { return [.preempt(JobID(0))] }
            return s.queue.compactMap { id in planner.place(s[id]).map { .start(id, gpus: $0) } }
        }
        let sim = makeSimulation(jobs: jobs, topology: cluster, policy: policy)
        try sim.advance(to: .seconds(Int64(1)))
        XCTAssertEqual(pending(sim, JobID(0)).count, 2)
        XCTAssertNotNil(sim.events.scheduled(key: EventKey.noiseScaleStep(0)), "a tenth of the work lies ahead")
        try sim.advance(to: .seconds(Int64(49)))
        XCTAssertEqual(pending(sim, JobID(0)).count, 2, "the steps before 49 s fired and scheduled the next one")
        try sim.advance(to: .seconds(Int64(50)))
        XCTAssertEqual(sim.jobs[0].state, .preempted)
        XCTAssertEqual(pending(sim, JobID(0)), [])
        XCTAssertNil(sim.invariantViolation())
    }

    // The invariant check can fail: a completion for a preempted job, a running job's completion at another time than
    // its expected end, and a completion pushed without its key are each reported.
    func testInvariantReportsStaleAndMisfiledEvents() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 10), job(1, submit: 3, gpus: 4, duration: 2, priority: 1)]
        func preemptedAtThree() throws -> Simulation {
            let sim = makeSimulation(jobs: jobs, topology: four, policy: PriorityPreemptPolicy())
            try sim.advance(to: .seconds(Int64(3)))
            XCTAssertNil(sim.invariantViolation())
            return sim
        }
        let phase = EventPhase.completion.rawValue
        var sim = try preemptedAtThree()
        sim.events.schedule(.completion(JobID(0)), at: .seconds(Int64(10)), phase: phase, key: EventKey.completion(0))
        XCTAssertEqual(sim.invariantViolation(), "job0 is preempted with a completion pending at 10.0 s")
        sim = try preemptedAtThree()
        sim.events.schedule(.completion(JobID(1)), at: .seconds(Int64(6)), phase: phase, key: EventKey.completion(1))
        XCTAssertEqual(sim.invariantViolation(), "job1's completion is pending at 6.0 s but it is expected to end at 5.0 s")
        sim = try preemptedAtThree()
        sim.events.push(.completion(JobID(1)), at: .seconds(Int64(5)), phase: phase)
        XCTAssertEqual(sim.invariantViolation(), "job1's completion is not filed under its key")
        sim = try preemptedAtThree()
        sim.events.cancel(key: EventKey.completion(1))
        XCTAssertEqual(sim.invariantViolation(), "0 completions pending for 1 running jobs")
    }
}
