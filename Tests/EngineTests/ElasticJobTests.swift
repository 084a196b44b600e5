import ClusterModel
import Engine
import Models
import Performance
import Scheduling
import SimKernel
import SimRandom
import SimTestSupport
import Workload
import XCTest

/// Elastic jobs: a global batch sharded over the GPUs held (speed at every size from the speed model), live
/// resharding costs by hand, and the seeded rule that makes jobs elastic.
final class ElasticJobTests: XCTestCase {
    /// Two 4-GPU micro nodes (t4; intra-node 10 GB/s and 5 µs, one 10 GB/s NIC with 10 µs).
    private let two = ClusterFixtures.microCluster(nodesPerRack: 2)

    private func elasticJob(_ i: Int, _ model: String, iterations: Double, gpus: Int, range: ClosedRange<Int>) -> JobSpec {
        var j = JobSpec(id: JobID(i), name: "e\(i)", submitTime: .zero, gpuCount: gpus,
                        model: ModelZoo.index(named: model)!, work: .iterations(iterations))
        j.gpuRange = range
        j.globalBatch = gpus * ModelZoo.named(model)!.referenceBatchPerGPU
        return j
    }

    // Sharding: on n GPUs each computes global / n samples, so compute time scales by requested / n while the
    // all-reduce moves the same bytes; an iteration is one unit of work at any size.
    func testShardedComputeFollowsTheLocalBatch() {
        let job = elasticJob(0, "bert-base", iterations: 100, gpus: 4, range: 1...8)
        let model = AlphaBetaThroughput(topology: two, jobs: [job], referenceNodes: [0])
        let four = model.isolatedStep(of: job, on: (0..<4).map(GPUID.init))
        let two = model.isolatedStep(of: job, on: [GPUID(0), GPUID(1)])
        XCTAssertEqual(two.compute, 2 * four.compute, accuracy: 1e-12)
        XCTAssertEqual(four.workRate, 1 / four.seconds, accuracy: 1e-12)
        XCTAssertEqual(two.workRate, 1 / two.seconds, accuracy: 1e-12)
        // At the requested size the sharded job runs exactly as the rigid one.
        var rigid = job
        rigid.gpuRange = nil
        rigid.globalBatch = nil
        let rigidModel = AlphaBetaThroughput(topology: self.two, jobs: [rigid], referenceNodes: [0])
        XCTAssertEqual(rigidModel.isolatedStep(of: rigid, on: (0..<4).map(GPUID.init)).seconds, four.seconds)
    }

    // A job shrunk from 8 to 4 GPUs at t = 100 s runs at the speed the model gives for 4: its remaining iterations
    // take remaining × step(4) from then on.
    func testShrunkJobRunsAtTheModelsSpeedForItsNewSize() throws {
        let job = elasticJob(0, "bert-base", iterations: 1000, gpus: 8, range: 4...8)
        let eight = (0..<8).map(GPUID.init), four = (0..<4).map(GPUID.init)
        var shrunk = false
        let policy = ScriptedPolicy { s, planner in
            if s.queue.contains(JobID(0)) { return [.start(JobID(0), gpus: eight), .wakeUp(at: SimTime.seconds(100.0))] }
            if !shrunk && s.now == SimTime.seconds(100.0) {
                shrunk = true
                return [.resize(JobID(0), gpus: four)]
            }
            return []
        }
        let check = InvariantObserver()
        let r = try simulate(jobs: [job], topology: two, policy: policy, observers: [check])
        XCTAssertNil(check.firstViolation)
        let model = AlphaBetaThroughput(topology: two, jobs: [job], referenceNodes: [0])
        let step8 = model.isolatedStep(of: job, on: eight).seconds
        let step4 = model.isolatedStep(of: job, on: four).seconds
        let expected = 100 + (1000 - 100 / step8) * step4
        XCTAssertEqual(r.jobs[0].finish!.seconds, expected, accuracy: 1e-6)
        XCTAssertEqual(r.jobs[0].resizes, 1)
        XCTAssertEqual(r.metric("resizes"), 1)
        // 8 GPUs for 100 s, then 4 to the end.
        let end = r.jobs[0].finish!.seconds
        XCTAssertEqual(r.metric("mean_gpus_per_job"), (8 * 100 + 4 * (end - 100)) / end, accuracy: 1e-9)
        XCTAssertEqual(r.metric("realloc_gpu_hours"), 0)
        // A 10 s resize: held on the 4 new GPUs without progress, counted as reallocation GPU-hours.
        let slow = try simulate(jobs: [job], topology: two, policy: policy2(eight, four), observers: [check],
                                costs: FixedTransitionCosts(resize: 10))
        XCTAssertEqual(slow.jobs[0].finish!.seconds, expected + 10, accuracy: 1e-6)
        XCTAssertEqual(slow.metric("realloc_gpu_hours"), 40.0 / 3600, accuracy: 1e-12)
        XCTAssertEqual(slow.metric("checkpoint_gpu_hours"), 40.0 / 3600, accuracy: 1e-12)
    }

    /// Starts job 0 on `eight` and resizes it to `four` at 100 s.
    private func policy2(_ eight: [GPUID], _ four: [GPUID]) -> ScriptedPolicy {
        var shrunk = false
        return ScriptedPolicy { s, _ in
            if s.queue.contains(JobID(0)) { return [.start(JobID(0), gpus: eight), .wakeUp(at: SimTime.seconds(100.0))] }
            if !shrunk && s.now == SimTime.seconds(100.0) {
                shrunk = true
                return [.resize(JobID(0), gpus: four)]
            }
            return []
        }
    }

    // Live resharding by hand: resnet50's state is 4 × 102.4 MB = 409.6 MB. Growing from GPUs 0–1 to 0–3 copies
    // it to GPUs 2 and 3 over node 0's 10 GB/s intra-node link: 5 µs + 40.96 ms, plus the 0.5 s re-init. Growing
    // onto node 1 instead sends two replicas through node 1's single 10 GB/s NIC (5 GB/s each): 10 µs + 81.92 ms.
    // A shrink moves nothing: the re-init only. Starts and checkpoints fall to the base model.
    func testLiveReshardingCostByHand() {
        let costs = LiveReshardingCosts(topology: two, reinitSeconds: 0.5, base: FixedTransitionCosts(restore: 7, checkpoint: 3))
        let job = JobStatus(spec: elasticJob(0, "resnet50", iterations: 1, gpus: 2, range: 1...4),
                            eligibleTypes: GPUTypeMask(bits: 1), estimatedDuration: .zero)
        let g = { (xs: [Int]) in xs.map(GPUID.init) }
        XCTAssertEqual(costs.seconds(.resize, job: job, from: g([0, 1]), to: g([0, 1, 2, 3])), 0.5 + 5e-6 + 409.6e6 / 10e9, accuracy: 1e-12)
        XCTAssertEqual(costs.seconds(.resize, job: job, from: g([0, 1]), to: g([0, 1, 4, 5])), 0.5 + 10e-6 + 409.6e6 / 5e9, accuracy: 1e-12)
        XCTAssertEqual(costs.seconds(.migrate, job: job, from: g([0, 1]), to: g([4, 5])), 0.5 + 10e-6 + 409.6e6 / 5e9, accuracy: 1e-12)
        XCTAssertEqual(costs.seconds(.resize, job: job, from: g([0, 1, 2, 3]), to: g([0, 1])), 0.5)
        XCTAssertEqual(costs.seconds(.restore(firstStart: false), job: job, from: [], to: g([0])), 7)
        XCTAssertEqual(costs.seconds(.checkpoint, job: job, from: g([0]), to: []), 3)
    }

    // The rule: seeded (same seed, same jobs), a share of the zoo-model jobs, ranges around the request capped by
    // the cluster, a global batch that keeps the requested size's local batch; jobs without a model stay rigid.
    func testElasticRuleIsSeededAndBounded() {
        let jobs = (0..<400).map { i in
            JobSpec(id: JobID(i), name: "j\(i)", submitTime: .zero, gpuCount: [1, 2, 4, 8][i % 4],
                    model: i % 5 == 0 ? nil : ModelZoo.index(named: "resnet50"), work: .iterations(10))
        }
        let rule = ElasticRule(fraction: 0.5, minFactor: 0.5, maxFactor: 2, maxGPUs: 12)
        let a = rule.apply(to: jobs, streams: RandomStreams(master: 7), capacity: 8)
        XCTAssertEqual(a, rule.apply(to: jobs, streams: RandomStreams(master: 7), capacity: 8))
        XCTAssertNotEqual(a, rule.apply(to: jobs, streams: RandomStreams(master: 8), capacity: 8))
        let elastic = a.filter { $0.gpuRange != nil }
        XCTAssertTrue(a.filter { $0.model == nil }.allSatisfy { $0.gpuRange == nil && $0.globalBatch == nil })
        // About half of the 320 zoo jobs (binomial: 160 ± 3 standard deviations of 8.9).
        XCTAssertTrue((133...187).contains(elastic.count), "\(elastic.count)")
        for j in elastic {
            let r = j.gpuCount
            XCTAssertEqual(j.gpuRange, max(1, r / 2)...max(r, min(2 * r, 8)), "\(j.name)")
            XCTAssertEqual(j.globalBatch, r * 256)
            XCTAssertEqual(BatchSharding.computeScale(of: j, gpuCount: r), 1)
        }
    }
}
