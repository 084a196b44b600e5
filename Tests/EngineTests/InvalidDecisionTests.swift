import ClusterModel
import Engine
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Test-only policies that make bad decisions: the engine must throw `.invalidDecision` naming the decision
/// and reason, and leave a consistent state behind.
final class InvalidDecisionTests: XCTestCase {
    private let four = ClusterFixtures.microCluster(nodesPerRack: 1)

    /// Runs `sim` expecting `.invalidDecision`; returns (time, decision, reason).
    private func expectInvalid(_ sim: Simulation, file: StaticString = #filePath, line: UInt = #line)
        -> (time: Double, decision: SchedulingDecision, reason: String)?
    {
        do {
            _ = try sim.run()
            XCTFail("run() did not throw", file: file, line: line)
        } catch {
            if case .invalidDecision(let policy, let time, let decision, let reason) = error {
                XCTAssertEqual(policy, "scripted", file: file, line: line)
                return (time.seconds, decision, reason)
            }
            XCTFail("expected invalidDecision, got \(error)", file: file, line: line)
        }
        return nil
    }

    /// Starts every waiting job on GPUs 0..<gpuCount, taken or not.
    private let alwaysLowGPUs = ScriptedPolicy { s, _ in
        s.queue.map { .start($0, gpus: (0..<s[$0].gpuCount).map(GPUID.init)) }
    }

    // Starting a job on a GPU another job holds throws at t=1 and leaves J0 on gpu0–1, J1 queued, state legal.
    func testStartOnTakenGPU() throws {
        let sim = makeSimulation(jobs: [job(0, submit: 0, gpus: 2, duration: 10), job(1, submit: 1, gpus: 2, duration: 5)],
                                 topology: four, policy: alwaysLowGPUs)
        let e = try XCTUnwrap(expectInvalid(sim))
        XCTAssertEqual(e.time, 1)
        XCTAssertEqual(e.decision, start(1, [0, 1]))
        XCTAssertEqual(e.reason, "gpu0 is already held by job0, cannot give it to job1")
        XCTAssertNil(sim.invariantViolation())
        XCTAssertEqual(Array(sim.cluster.owner), [0, 0, -1, -1])
        XCTAssertEqual(sim.jobs[0].state, .running)
        XCTAssertEqual(sim.jobs[0].gpus, [GPUID(0), GPUID(1)])
        XCTAssertEqual(sim.jobs[1].state, .queued)
        XCTAssertEqual(sim.queue, [JobID(1)])
        XCTAssertEqual(sim.running, [JobID(0)])
    }

    // Starting a job that does not exist throws with "job7 does not exist" and changes nothing.
    func testStartUnknownJob() throws {
        let sim = makeSimulation(jobs: [job(0, submit: 0, gpus: 1, duration: 1)], topology: four,
                                 policy: ScriptedPolicy { _, _ in [start(7, [0])] })
        let e = try XCTUnwrap(expectInvalid(sim))
        XCTAssertEqual(e.reason, "job7 does not exist")
        XCTAssertNil(sim.invariantViolation())
        XCTAssertEqual(sim.cluster.freeGPUs, 4)
    }

    // A start with the wrong number of GPUs throws and allocates nothing.
    func testWrongGPUCount() throws {
        let sim = makeSimulation(jobs: [job(0, submit: 0, gpus: 2, duration: 1)], topology: four,
                                 policy: ScriptedPolicy { _, _ in [start(0, [0])] })
        let e = try XCTUnwrap(expectInvalid(sim))
        XCTAssertEqual(e.reason, "job0 needs 2 GPUs, the decision gives 1")
        XCTAssertNil(sim.invariantViolation())
        XCTAssertEqual(sim.cluster.freeGPUs, 4)
        XCTAssertEqual(sim.jobs[0].state, .queued)
    }

    // Unknown and duplicate GPU indices throw with the allocation error and allocate nothing (not even gpu0).
    func testUnknownAndDuplicateGPU() throws {
        for (gpus, reason) in [([0, 40], "gpu40 does not exist in this cluster"), ([1, 1], "gpu1 appears twice in the placement of job0")] {
            let sim = makeSimulation(jobs: [job(0, submit: 0, gpus: 2, duration: 1)], topology: four,
                                     policy: ScriptedPolicy { _, _ in [start(0, gpus)] })
            let e = try XCTUnwrap(expectInvalid(sim))
            XCTAssertEqual(e.reason, reason)
            XCTAssertNil(sim.invariantViolation())
            XCTAssertEqual(Array(sim.cluster.owner), [-1, -1, -1, -1])
        }
    }

    // A GPU of a type the job may not use is refused with its type name.
    func testIneligibleGPUType() throws {
        let topo = ClusterFixtures.topology(nodesPerRack: [[ClusterFixtures.micro4, ClusterFixtures.micro(gpuType: "a100-80")]])
        let sim = makeSimulation(jobs: [job(0, submit: 0, gpus: 1, duration: 1, gpuType: "a100-80")], topology: topo,
                                 policy: ScriptedPolicy { _, _ in [start(0, [0])] })
        let e = try XCTUnwrap(expectInvalid(sim))
        XCTAssertEqual(e.reason, "gpu0 is a t4, which job0 cannot use")
        XCTAssertNil(sim.invariantViolation())
        XCTAssertEqual(sim.cluster.freeGPUs, 8)
    }

    // Starting a running job again, preempting a queued one, or waking up now are refused.
    func testIllegalStateDecisions() throws {
        let jobs = [job(0, submit: 0, gpus: 1, duration: 10), job(1, submit: 1, gpus: 1, duration: 1)]
        let cases: [(ScriptedPolicy, Double, String)] = [
            (ScriptedPolicy { s, _ in s.now == .zero ? [start(0, [0])] : [start(0, [1])] }, 1, "job0 is running, not waiting"),
            (ScriptedPolicy { s, _ in s.now == .zero ? [start(0, [0])] : [.preempt(JobID(1))] }, 1, "job1 is queued, not running"),
            (ScriptedPolicy { s, _ in [.wakeUp(at: s.now)] }, 0, "wake-up time 0.0 s is not in the future"),
            (ScriptedPolicy { _, _ in [.preempt(JobID(-1))] }, 0, "job-1 does not exist"),
        ]
        for (policy, time, reason) in cases {
            let sim = makeSimulation(jobs: jobs, topology: four, policy: policy)
            let e = try XCTUnwrap(expectInvalid(sim))
            XCTAssertEqual(e.time, time, reason)
            XCTAssertEqual(e.reason, reason)
            XCTAssertNil(sim.invariantViolation(), reason)
        }
    }

    // The error's description names the policy, time, decision and reason.
    func testErrorDescription() {
        let e = SimulationError.invalidDecision(policy: "p", time: .seconds(1.5), decision: start(3, [0, 2]), reason: "why")
        XCTAssertEqual(e.description, "policy 'p' at t=1.5 s made an invalid decision (start job3 on [0,2]): why")
    }

    // A round whose first start is valid and whose second is not applies nothing: the decisions are validated
    // as a whole (the second against what the first would leave) before any is applied, so after the throw both
    // jobs still wait and every GPU is free.
    func testValidStartThenInvalidStartInSameRoundAppliesNothing() throws {
        let sim = makeSimulation(
            jobs: [job(0, submit: 0, gpus: 1, duration: 10), job(1, submit: 0, gpus: 1, duration: 10)], topology: four,
            policy: ScriptedPolicy { _, _ in [start(0, [0]), start(1, [0])] })
        let e = try XCTUnwrap(expectInvalid(sim))
        XCTAssertEqual(e.reason, "gpu0 is already held by job0, cannot give it to job1")
        XCTAssertEqual(sim.jobs[0].state, .queued)
        XCTAssertEqual(sim.jobs[1].state, .queued)
        XCTAssertNil(sim.invariantViolation())
        XCTAssertEqual(sim.queue, [JobID(0), JobID(1)])
        XCTAssertEqual(Array(sim.cluster.owner), [-1, -1, -1, -1])
    }

    // A policy that starts and then preempts the same job in one round makes legal moves one by one (queued →
    // running → preempted); the engine must either refuse the preemption as invalid or handle it, never end up
    // with an invariant violation (the job in the queue twice).
    func testStartThenPreemptSameJobInOneRound() {
        let sim = makeSimulation(
            jobs: [job(0, submit: 0, gpus: 1, duration: 10)], topology: four,
            policy: ScriptedPolicy { s, _ in
                s.now == .zero ? [start(0, [0]), .preempt(JobID(0)), .wakeUp(at: .seconds(Int64(1)))]
                    : s.queue.map { start($0.index, [0]) }
            })
        do {
            let r = try sim.run()
            // Handled: J0 ran 0 s, waited, then ran 1 → 11.
            XCTAssertEqual(r.finishes, [11])
            XCTAssertEqual(r.jobs[0].preemptions, 1)
        } catch {
            if case .invariantViolated = error { XCTFail("engine corrupted its own state: \(error)") }
        }
        XCTAssertNil(sim.invariantViolation())
    }
}
