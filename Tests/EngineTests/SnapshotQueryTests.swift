import ClusterModel
import Engine
import Models
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// What a policy can ask the snapshot: remaining work and time, attained service, the throughput oracle.
final class SnapshotQueryTests: XCTestCase {
    /// Snapshot answers captured by a scripted policy at chosen times.
    private final class Seen { var values: [Double: [Double]] = [:] }

    // J0 (2 GPUs, 10 s) runs from 0; J1 (1 GPU, 3 s) arrives at 4 and waits one round. At 4: J0 has 6 s of work
    // left, 6 s to go at rate 1, and has held 2 GPUs for 4 s (8 GPU·s); J1 has all of its 3 s left and no service.
    func testRemainingWorkAndAttainedService() throws {
        let seen = Seen()
        let sim = makeSimulation(
            jobs: [job(0, submit: 0, gpus: 2, duration: 10), job(1, submit: 4, gpus: 1, duration: 3)],
            topology: ClusterFixtures.microCluster(nodesPerRack: 1),
            policy: ScriptedPolicy { s, _ in
                if s.now == .zero { return [.start(JobID(0), gpus: [GPUID(0), GPUID(1)])] }
                if s.now == .seconds(4.0) {
                    let a = s.attainedService(of: JobID(0)), b = s.attainedService(of: JobID(1))
                    seen.values[4] = [s.remainingWork(of: JobID(0)), s.estimatedRemainingTime(of: JobID(0)), a.seconds, a.gpuSeconds,
                                      s.remainingWork(of: JobID(1)), s.estimatedRemainingTime(of: JobID(1)), b.seconds, b.gpuSeconds]
                    return [.start(JobID(1), gpus: [GPUID(2)])]
                }
                return []
            })
        let r = try sim.run()
        XCTAssertEqual(seen.values[4], [6, 6, 4, 8, 3, 3, 0, 0])
        XCTAssertEqual(r.finishes, [10, 7])
    }

    // A resnet50 iteration job (100 iterations, 8 GPUs of one DGX A100: 0.10443013848945971 s each). Waiting at 0 it
    // has 100 iterations and 10.443… s to go at its reference speed; at 5 it has 100 − 5/step left, at the same speed.
    // While restoring (2 s restart) the estimate adds what is left of the restore. The oracle prices it on its type.
    func testIterationJobAndOracle() throws {
        let step = 0.10443013848945971
        let seen = Seen()
        let resnet = ModelZoo.index(named: "resnet50")!
        let spec = JobSpec(id: JobID(0), name: "r", submitTime: .zero, gpuCount: 8, model: resnet, work: .iterations(100))
        let sim = makeSimulation(
            jobs: [spec], topology: ClusterFixtures.dgxA100(nodes: 1),
            policy: ScriptedPolicy { s, _ in
                if s.now == .zero {
                    seen.values[0] = [s.remainingWork(of: JobID(0)), s.estimatedRemainingTime(of: JobID(0)),
                                      s.oracle!.rate(of: s[JobID(0)].spec, gpuType: 0, count: 8)!]
                    return [.start(JobID(0), gpus: (0..<8).map(GPUID.init)), .wakeUp(at: .seconds(1.0))]
                }
                if s.now == .seconds(1.0) {
                    seen.values[1] = [s.remainingWork(of: JobID(0)), s.estimatedRemainingTime(of: JobID(0))]
                    return [.wakeUp(at: .seconds(5.0))]
                }
                if s.now == .seconds(5.0) { seen.values[5] = [s.remainingWork(of: JobID(0)), s.estimatedRemainingTime(of: JobID(0))] }
                return []
            }, costs: FixedTransitionCosts(firstStart: 2))
        let r = try sim.run()
        XCTAssertEqual(seen.values[0]![0], 100)
        XCTAssertEqual(seen.values[0]![1], 100 * step, accuracy: 1e-9)
        XCTAssertEqual(seen.values[0]![2], 1 / step, accuracy: 1e-9)
        XCTAssertEqual(seen.values[1]![0], 100)
        XCTAssertEqual(seen.values[1]![1], 1 + 100 * step, accuracy: 1e-9)
        XCTAssertEqual(seen.values[5]![0], 100 - 3 / step, accuracy: 1e-9)
        XCTAssertEqual(seen.values[5]![1], 100 * step - 3, accuracy: 1e-9)
        XCTAssertEqual(r.jobs[0].finish!.seconds, 2 + 100 * step, accuracy: 1e-6)
    }
}
