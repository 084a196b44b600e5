import ClusterModel
import Engine
@testable import Scheduling
import SimKernel
import SimRandom
import SimTestSupport
import Workload
import XCTest

/// SRTF keeps its waiting jobs sorted across rounds, merges them with the running jobs by galloping search, and returns
/// at once from rounds where nobody waits (see `SRTFPolicy`). `FreshSortSRTF` recomputes the same ordering from scratch
/// every round: every running and waiting job keyed afresh (`SRTFPolicy.key`, with the rates at preemption kept as
/// SRTF keeps them) and sorted by (key, JobID), then the same greedy running-set builder. Both must run every job the same way.
final class SRTFReferenceTests: XCTestCase {

    /// SRTF without any kept state: a full sort of every job at every round.
    struct FreshSortSRTF: SchedulingPolicy {
        static let name = "srtf-fresh-sort"
        let gpuWeighted: Bool
        /// The rate each job was preempted at (0: not preempted since its last start), kept as SRTF keeps it.
        var preemptedRate: [Double] = []

        init(gpuWeighted: Bool) { self.gpuWeighted = gpuWeighted }

        mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
            if preemptedRate.count < s.jobs.count { preemptedRate += Array(repeating: 0, count: s.jobs.count - preemptedRate.count) }
            let rates = preemptedRate
            let keyed = (s.running + Array(s.queue))
                .map { (key: SRTFPolicy.key(of: $0, in: s, gpuWeighted: gpuWeighted, preemptedRate: rates), id: $0) }
                .sorted { $0.key != $1.key ? $0.key < $1.key : $0.id < $1.id }
            var preempted: [JobID] = []
            let decisions = PriorityRunningSet.decisions(
                order: keyed.map { PriorityRunningSet.Entry($0.id, in: s) }, s, planner: &planner, preempted: &preempted)
            for d in decisions { if case .start(let id, _) = d { preemptedRate[id.index] = 0 } }
            for id in preempted { preemptedRate[id.index] = SRTFPolicy.rateAtPreemption(of: id, in: s) }
            return decisions
        }
    }

    // 100 seeds × every placement × plain and GPU-weighted keys, with free transitions and with timed checkpoints and
    // restores plus node failures (`SameRunsCheck`): the same jobs and the same allocation rows. Preemptions must really
    // happen (they are what exercises the kept order).
    func testKeptOrderMatchesFreshSort() {
        let check = SameRunsCheck<Bool>(
            settings: [("plain", false), ("gpu-weighted", true)], failureHours: (between: 37, repair: 3), checkpointIntervalSeconds: 4)
        let runs = check.run(
            self, "random scenario, SRTF kept order vs fresh sort", seeds: 0..<100,
            fast: { SRTFPolicy(.init(gpuWeighted: $0)) }, reference: { FreshSortSRTF(gpuWeighted: $0) })
        XCTAssertGreaterThan(runs.reduce(0) { $0 + $1.jobs.reduce(0) { $0 + $1.preemptions } }, 0)
        // Jobs that ran alone on the cluster at some point: their rounds found nobody waiting.
        XCTAssertGreaterThan(runs.reduce(0) { $0 + $1.samples.filter { $0.queuedJobs == 0 && $0.runningJobs > 0 }.count }, 0)
    }

    /// A cluster of one GPU type (1–3 nodes of 2, 4 or 8 a100-80s) under 25–60 duration jobs of 1–8 GPUs (mostly small,
    /// some as large as a node) and 1–60 s arriving over 0–40 s: queues longer than the cluster and many running jobs,
    /// the rounds `RunningSuffixAdmission` serves (SRTF's one-type path).
    static func oneTypeScenario(seed: Int) -> (Topology, [JobSpec]) {
        var rng = SeededGenerator(seed: UInt64(seed) &* 104_729 &+ 17)
        let node = ClusterFixtures.micro(gpus: [2, 4, 8][rng.int(0...2)], gpuType: "a100-80")
        let topo = ClusterFixtures.topology(nodesPerRack: [Array(repeating: node, count: rng.int(1...3))])
        let largest = min(8, topo.gpuCount)
        var jobs: [JobSpec] = []
        for i in 0..<rng.int(25...60) {
            let gpus = rng.int(0...3) == 0 ? rng.int(1...largest) : [1, 1, 2][rng.int(0...2)]
            // A few are pinned to the cluster's only type: the same eligibility, through the other path of the test.
            jobs.append(job(i, submit: Double(rng.int(0...40)), gpus: gpus, duration: Double(rng.int(1...60)),
                            gpuType: rng.int(0...4) == 0 ? "a100-80" : nil))
        }
        return (topo, inSubmissionOrder(jobs))
    }

    // SRTF's one-type round (suffix admission, runs of kept running jobs skipped unread, arrivals listed from the queue's
    // end) against the fresh sort on one-type clusters with long queues: 25 seeds × every placement × plain and
    // GPU-weighted keys, free and with checkpoint costs plus node failures (a failure during a preemption's checkpoint
    // loses work, which the kept order must see). The rounds must really refuse running jobs (preemptions) and find a
    // queue longer than the running list.
    func testOneTypeSuffixAdmissionMatchesFreshSort() {
        var check = SameRunsCheck<Bool>(
            settings: [("plain", false), ("gpu-weighted", true)], failureHours: (between: 60, repair: 5), checkpointIntervalSeconds: 7)
        check.scenario = Self.oneTypeScenario(seed:)
        let runs = check.run(
            self, "one-type scenario, SRTF suffix admission vs fresh sort", seeds: 0..<25,
            fast: { SRTFPolicy(.init(gpuWeighted: $0)) }, reference: { FreshSortSRTF(gpuWeighted: $0) })
        XCTAssertGreaterThan(runs.reduce(0) { $0 + $1.jobs.reduce(0) { $0 + $1.preemptions } }, 100)
        XCTAssertGreaterThan(runs.reduce(0) { $0 + $1.samples.filter { $0.queuedJobs > $0.runningJobs && $0.runningJobs > 2 }.count }, 100)
    }
}
