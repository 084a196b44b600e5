import ClusterModel
import Engine
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Preemption through a test policy (`PriorityPreemptPolicy`): progress is kept, superseded completions are
/// ignored, states stay legal.
final class PreemptionTests: XCTestCase {
    // 4 GPUs. J0 (p0, 4 GPUs, 10 s) 0→3, preempted by J1 (p1, 4 GPUs, 2 s) 3→5; J0 resumes 5→12 with 7 s left.
    // J0's original completion at 10 was cancelled by the preemption: it never fires. JCT: J0 12, J1 2. Events:
    // arrival J0, round@0, arrival J1, round@3, completion J1@5, round@5, completion J0@12 = 7.
    func testPreemptedJobResumesWithProgress() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 10), job(1, submit: 3, gpus: 4, duration: 2, priority: 1)]
        let check = InvariantObserver()
        let log = EventLogObserver()
        let r = try simulate(jobs: jobs, topology: ClusterFixtures.microCluster(nodesPerRack: 1),
                             policy: PriorityPreemptPolicy(), observers: [check, log])
        XCTAssertNil(check.firstViolation)
        XCTAssertEqual(r.finishes, [12, 5])
        XCTAssertEqual(r.jcts, [12, 2])
        XCTAssertEqual(r.starts, [0, 3])
        XCTAssertEqual(r.jobs.map(\.preemptions), [1, 0])
        XCTAssertEqual(r.jobs.map(\.runSeconds), [10, 2])
        XCTAssertEqual(r.eventsProcessed, 7)
        XCTAssertEqual(log.events.map(\.time), [0, 0, 3, 3, 5, 5, 12])
        XCTAssertFalse(log.events.contains { $0.time == 10 })
        XCTAssertEqual(log.events.filter { $0.event == .completion(JobID(0)) }.map(\.time), [12])
        XCTAssertEqual(log.events.last?.event, .completion(JobID(0)))
        XCTAssertEqual(r.allocations.map { [$0.job.index, Int($0.start.seconds), Int($0.end.seconds)] },
                       [[0, 0, 3], [1, 3, 5], [0, 5, 12]])
        XCTAssertEqual(r.metric("gpu_hours") * 3600, 48, accuracy: 1e-9)  // 4 × 12 s: the cluster never idles
        XCTAssertEqual(r.metric("gpu_util"), 1, accuracy: 1e-12)
    }

    // 8 GPUs (2 nodes). J0 (p0, 4 GPUs, 10 s) on gpu0–3, J1 (p0, 4 GPUs, 30 s) on gpu4–7 from 0. At 4, J2 (p1, 4
    // GPUs, 6 s) preempts J1 (latest started) and takes gpu4–7 until 10. At 10 J0 and J2 both finish; J1 resumes
    // with 26 s left, on gpu0–3 (first fit) → 36. JCT: 10, 36, 6; J1 ran 4 + 26 = 30 s on two different nodes.
    func testResumeOnOtherGPUs() throws {
        let jobs = [job(0, submit: 0, gpus: 4, duration: 10), job(1, submit: 0, gpus: 4, duration: 30),
                    job(2, submit: 4, gpus: 4, duration: 6, priority: 1)]
        let check = InvariantObserver()
        let sim = makeSimulation(jobs: jobs, topology: ClusterFixtures.microCluster(nodesPerRack: 2),
                                 policy: PriorityPreemptPolicy(), observers: [check])
        try sim.advance(to: .seconds(Int64(4)))
        XCTAssertEqual(sim.jobs[1].state, .preempted)
        XCTAssertEqual(sim.queue, [JobID(1)])
        XCTAssertEqual(sim.jobs[2].gpus, [4, 5, 6, 7].map(GPUID.init))
        XCTAssertNil(sim.invariantViolation())
        let r = try sim.run()
        XCTAssertNil(check.firstViolation)
        XCTAssertEqual(r.finishes, [10, 36, 10])
        XCTAssertEqual(r.jcts, [10, 36, 6])
        XCTAssertEqual(r.jobs[1].firstStart, .zero)
        XCTAssertEqual(r.jobs[1].queueingDelaySeconds, 0)
        XCTAssertEqual(r.jobs[1].runSeconds, 30, accuracy: 1e-9)
        XCTAssertEqual(r.jobs.map(\.preemptions), [0, 1, 0])
        let j1 = r.allocations.filter { $0.job == JobID(1) }
        XCTAssertEqual(j1.map(\.node), [NodeID(1), NodeID(0)])
        XCTAssertEqual(j1.map { $0.end.seconds - $0.start.seconds }, [4, 26])
        XCTAssertEqual(r.metric("gpu_hours") * 3600, 4 * (10 + 30 + 6), accuracy: 1e-9)
    }

    // Preempting several times keeps the total run time equal to the duration (random arrival times, 20 seeds).
    func testRepeatedPreemptionConservesWork() {
        withEvery("repeated preemption", in: 0..<20) { seed in
            var rng = SeededGenerator(seed: UInt64(seed))
            var jobs = [job(0, submit: 0, gpus: 4, duration: 50)]
            for i in 1...4 { jobs.append(job(i, submit: Double(rng.int(1...60)), gpus: rng.int(1...4), duration: Double(rng.int(1...5)), priority: 1)) }
            jobs = inSubmissionOrder(jobs)
            let check = InvariantObserver()
            let r = try simulate(jobs: jobs, topology: ClusterFixtures.microCluster(nodesPerRack: 1),
                                 policy: PriorityPreemptPolicy(), observers: [check])
            XCTAssertNil(check.firstViolation)
            XCTAssertEqual(r.unfinishedJobs, [])
            for (o, spec) in zip(r.jobs, jobs) {
                guard case .duration(let d) = spec.work else { continue }
                XCTAssertEqual(o.runSeconds, d.seconds, accuracy: 1e-6)
            }
            XCTAssertEqual(r.metric("gpu_hours") * 3600, gpuSecondsDemand(jobs), accuracy: 1e-6)
        }
    }
}
