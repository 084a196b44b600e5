import ClusterModel
import Engine
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Resize, migrate and decisions on jobs in timed transitions: each invalid one is refused with a reason that
/// names the problem, and the round that contained it changes nothing.
final class ReallocationDecisionTests: XCTestCase {
    private let four = ClusterFixtures.microCluster(nodesPerRack: 1)

    /// A cost model that returns NaN for everything (a broken cost model must not corrupt the run).
    private struct BrokenCosts: TransitionCostModel {
        func seconds(_ kind: TransitionKind, job: JobStatus, from: [GPUID], to: [GPUID]) -> Double { .nan }
    }

    private func reason(
        _ jobs: [JobSpec], costs: any TransitionCostModel = FreeTransitions(),
        at time: Double, _ decisions: [SchedulingDecision], file: StaticString = #filePath, line: UInt = #line
    ) throws -> String? {
        // Until `time`: J0 on gpu0–1, J1 (if any) on gpu2. At `time`: `decisions`.
        let sim = makeSimulation(jobs: jobs, topology: four, policy: ScriptedPolicy { s, _ in
            if s.now == .zero {
                var out: [SchedulingDecision] = [.start(JobID(0), gpus: [GPUID(0), GPUID(1)]), .wakeUp(at: .seconds(time))]
                if jobs.count > 1 { out.append(.start(JobID(1), gpus: [GPUID(2)])) }
                return out
            }
            return s.now == .seconds(time) ? decisions : []
        }, costs: costs)
        do {
            try sim.advance(to: .seconds(time))
            XCTFail("no decision was refused", file: file, line: line)
            return nil
        } catch {
            guard case .invalidDecision(_, let t, _, let reason) = error else {
                XCTFail("expected an invalid decision, got \(error)", file: file, line: line)
                return nil
            }
            XCTAssertEqual(t.seconds, time, file: file, line: line)
            XCTAssertNil(sim.invariantViolation(), file: file, line: line)
            return reason
        }
    }

    private let pair = [job(0, submit: 0, gpus: 2, duration: 10), job(1, submit: 0, gpus: 1, duration: 10)]

    func testResizeOutsideTheGPURange() throws {
        XCTAssertEqual(try reason(pair, at: 1, [.resize(JobID(0), gpus: [GPUID(0), GPUID(1), GPUID(3)])]),
                       "job0 needs 2 GPUs, the decision gives 3")
        var elastic = pair
        elastic[0].gpuRange = 1...2
        XCTAssertEqual(try reason(elastic, at: 1, [.resize(JobID(0), gpus: [GPUID(0), GPUID(1), GPUID(3)])]),
                       "job0 runs on 1 to 2 GPUs, the decision gives 3")
    }

    func testMigrateKeepsTheCountAndMustMove() throws {
        XCTAssertEqual(try reason(pair, at: 1, [.migrate(JobID(0), gpus: [GPUID(3)])]), "job0 needs 2 GPUs, the decision gives 1")
        XCTAssertEqual(try reason(pair, at: 1, [.migrate(JobID(0), gpus: [GPUID(1), GPUID(0)])]),
                       "job0 already holds exactly these GPUs")
    }

    func testReallocationOntoTakenOrRepeatedGPUs() throws {
        XCTAssertEqual(try reason(pair, at: 1, [.migrate(JobID(0), gpus: [GPUID(1), GPUID(2)])]),
                       "gpu2 is already held by job1, cannot give it to job0")
        XCTAssertEqual(try reason(pair, at: 1, [.migrate(JobID(0), gpus: [GPUID(3), GPUID(3)])]),
                       "gpu3 appears twice in the placement of job0")
        XCTAssertEqual(try reason(pair, at: 1, [.migrate(JobID(0), gpus: [GPUID(3), GPUID(9)])]),
                       "gpu9 does not exist in this cluster")
        // Freed earlier in the same round, a GPU may be taken: J1 preempted, then J0 moves onto its GPU.
        let sim = makeSimulation(jobs: pair, topology: four, policy: ScriptedPolicy { s, _ in
            if s.now == .zero {
                return [.start(JobID(0), gpus: [GPUID(0), GPUID(1)]), .start(JobID(1), gpus: [GPUID(2)]), .wakeUp(at: .seconds(1.0))]
            }
            return s.now == .seconds(1.0) ? [.preempt(JobID(1)), .migrate(JobID(0), gpus: [GPUID(2), GPUID(3)])] : []
        })
        try sim.advance(to: .seconds(1.0))
        XCTAssertEqual(Array(sim.cluster.owner), [-1, -1, 0, 0])
        XCTAssertEqual(sim.queue, [JobID(1)])
    }

    func testDecisionsOnJobsInTransitionOrWaiting() throws {
        let restoring = FixedTransitionCosts(firstStart: 5)
        XCTAssertEqual(try reason(pair, costs: restoring, at: 1, [.preempt(JobID(0))]), "job0 is restoring, not running")
        XCTAssertEqual(try reason(pair, costs: restoring, at: 1, [.migrate(JobID(0), gpus: [GPUID(2), GPUID(3)])]),
                       "job0 is restoring, not running")
        let waiting = [job(0, submit: 0, gpus: 2, duration: 10), job(1, submit: 0, gpus: 1, duration: 10), job(2, submit: 0, gpus: 1, duration: 1)]
        XCTAssertEqual(try reason(waiting, at: 1, [.resize(JobID(2), gpus: [GPUID(3)])]), "job2 is queued, not running")
        // A checkpointing job keeps its GPUs: they cannot be given away in the same round.
        XCTAssertEqual(try reason(pair, costs: FixedTransitionCosts(checkpoint: 2), at: 1,
                                  [.preempt(JobID(1)), .start(JobID(2 - 1), gpus: [GPUID(2)])]),
                       "job1 is checkpointing, not waiting")
    }

    func testBrokenCostModelIsRefused() throws {
        XCTAssertEqual(try reason(pair, costs: BrokenCosts(), at: 0, []),
                       "the transition cost model gave nan s for a restore(firstStart: true) of job0; expected a finite number >= 0")
    }
}
