import ClusterModel
import Engine
import Scheduling
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// The engine skips only rounds that cannot decide anything, and never changes what a policy decides.
final class RoundSkippingTests: XCTestCase {
    /// FIFO that counts its rounds (a class box, because the engine keeps its own copy of the policy).
    final class Counter { var rounds: [Double] = [] }
    struct CountingFIFO: SchedulingPolicy {
        static let name = "counting-fifo"
        static let onlyStartsWaitingJobs = true
        static let startsStrictlyInQueueOrder = true
        let counter: Counter
        var fifo = FIFOPolicy()
        mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
            counter.rounds.append(s.now.seconds)
            return fifo.schedule(s, planner: &planner)
        }
    }

    // 4 GPUs. j0 (2 GPUs, 0–10), j1 (4 GPUs, blocked until 10), j2–j4 arrive at 1, 2, 3 behind the blocked head:
    // their rounds are skipped (same head, nothing released); the completion at 10 runs a round again.
    func testBlockedHeadRoundsAreSkippedUntilARelease() throws {
        let jobs = [
            job(0, submit: 0, gpus: 2, duration: 10), job(1, submit: 0.5, gpus: 4, duration: 5),
            job(2, submit: 1, gpus: 1, duration: 1), job(3, submit: 2, gpus: 1, duration: 1),
            job(4, submit: 3, gpus: 1, duration: 1),
        ]
        let counter = Counter()
        let result = try simulate(
            jobs: jobs, topology: ClusterFixtures.microCluster(nodesPerRack: 1), policy: CountingFIFO(counter: counter))
        // Rounds: t=0 (starts j0), t=0.5 (j1 blocked), t=10 (j0 done: j1 starts), t=15 (j1 done: j2, j3, j4 start).
        XCTAssertEqual(counter.rounds, [0, 0.5, 10, 15])
        XCTAssertEqual(result.jobs.map { $0.finish!.seconds }, [10, 15, 16, 16, 16])
    }
}
