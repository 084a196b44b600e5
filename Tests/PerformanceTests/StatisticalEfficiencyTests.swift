import ClusterModel
import Models
import Performance
import SimKernel
import SimTestSupport
import Workload
import XCTest

final class StatisticalEfficiencyTests: XCTestCase {
    private let cifar = ModelZoo.index(named: "resnet18-cifar10")!
    private var profile: EfficiencyProfile { ModelZoo.all[cifar].efficiency! }

    private func job(batch: Int, gpus: Int = 1, adaptive: Bool = false) -> JobSpec {
        var j = JobSpec(id: JobID(0), name: "c", submitTime: .zero, gpuCount: gpus, model: cifar,
                        work: .iterations(profile.totalIterations))
        j.globalBatch = batch
        j.gpuRange = 1...64
        j.adaptiveBatch = adaptive
        return j
    }

    // E(M) = (φ + M₀)/(φ + M): φ = 100, M₀ = 128, M = 1024 → 228/1124; gain = 8 × 228/1124.
    func testEfficiencyAndGainByHand() {
        XCTAssertEqual(StatisticalEfficiency.efficiency(batch: 1024, baseBatch: 128, noiseScale: 100), 228.0 / 1124, accuracy: 1e-15)
        XCTAssertEqual(StatisticalEfficiency.gain(batch: 1024, baseBatch: 128, noiseScale: 100), 8 * 228.0 / 1124, accuracy: 1e-14)
        XCTAssertEqual(StatisticalEfficiency.efficiency(batch: 128, baseBatch: 128, noiseScale: 100), 1)
        // Pollux's own form: gain = (var + sqr)/(var/scale + sqr) with φ = M₀·var/sqr (simulator/simulator.py).
        let sqr = 2.0, variance = sqr * 100 / 128, scale = 1024.0 / 128
        XCTAssertEqual(StatisticalEfficiency.gain(batch: 1024, baseBatch: 128, noiseScale: 100),
                       (variance + sqr) / (variance / scale + sqr), accuracy: 1e-12)
    }

    // Compute factor of local 2048 with max local 1024 on the cifar model: 2 micro-batches of 1024, each a + (1 − a).
    func testComputeFactorChargesTheInterceptPerMicroBatch() {
        let m = ModelZoo.all[cifar]
        let a = m.computeInterceptShare
        XCTAssertEqual(StatisticalEfficiency.computeFactor(local: 1024, model: m, maxLocal: 1024), 1, accuracy: 1e-12)
        XCTAssertEqual(StatisticalEfficiency.computeFactor(local: 2048, model: m, maxLocal: 1024), 2, accuracy: 1e-12)
        XCTAssertEqual(StatisticalEfficiency.computeFactor(local: 512, model: m, maxLocal: 1024), a + (1 - a) * 0.5, accuracy: 1e-12)
    }

    // A fixed batch job's goodput = gain(M, φ(progress)) / iteration; priced early (small φ) a big batch is worth
    // far less than its throughput, late in training nearly all of it.
    func testFixedBatchGoodputFollowsTheNoiseScale() {
        let j = job(batch: 2048, gpus: 4)
        let early = StatisticalEfficiency.goodput(of: j, profile: profile, gpuCount: 4, compute: 0.5, seconds: 0.6, progress: 0)
        let late = StatisticalEfficiency.goodput(of: j, profile: profile, gpuCount: 4, compute: 0.5, seconds: 0.6, progress: 0.95)
        XCTAssertEqual(early.batch, 2048)
        XCTAssertEqual(early.rate, StatisticalEfficiency.gain(batch: 2048, baseBatch: 128, noiseScale: profile.noiseScale(atProgress: 0, batch: 2048)) / 0.6, accuracy: 1e-12)
        XCTAssertEqual(late.rate, StatisticalEfficiency.gain(batch: 2048, baseBatch: 128, noiseScale: profile.noiseScale(atProgress: 0.95, batch: 2048)) / 0.6, accuracy: 1e-12)
        XCTAssertGreaterThan(late.rate, 2 * early.rate)
    }

    // The adaptive batch is never worse than the fixed one at the same allocation, and it grows as φ grows.
    func testAdaptiveBatchMaximizesGoodput() {
        let fixed = job(batch: 2048, gpus: 4), adaptive = job(batch: 2048, gpus: 4, adaptive: true)
        let compute = 0.5 * BatchSharding.computeScale(of: fixed, gpuCount: 4)
        for f in [0.0, 0.35, 0.95] {
            let a = StatisticalEfficiency.goodput(of: adaptive, profile: profile, gpuCount: 4, compute: compute, seconds: compute + 0.05, progress: f)
            let b = StatisticalEfficiency.goodput(of: fixed, profile: profile, gpuCount: 4, compute: compute, seconds: compute + 0.05, progress: f)
            XCTAssertGreaterThanOrEqual(a.rate, b.rate * (1 - 1e-12), "progress \(f)")
            XCTAssertGreaterThanOrEqual(a.batch, 128)
            XCTAssertLessThanOrEqual(a.batch, 4096 * (1 + 1e-12))
        }
        let early = StatisticalEfficiency.goodput(of: adaptive, profile: profile, gpuCount: 4, compute: compute, seconds: compute + 0.05, progress: 0)
        let late = StatisticalEfficiency.goodput(of: adaptive, profile: profile, gpuCount: 4, compute: compute, seconds: compute + 0.05, progress: 0.95)
        XCTAssertLessThan(early.batch, late.batch)
    }

    // More GPUs is not automatically faster to the target: the speed model's goodput of an early-training job at a
    // fixed per-GPU batch (weak scaling) saturates while its throughput keeps growing.
    func testMoreGPUsAreNotAutomaticallyFasterToAccuracy() {
        let topo = ClusterFixtures.topology(nodesPerRack: [Array(repeating: NodeTemplateCatalog.named("pollux-g4dn")!, count: 4)])
        var jobs: [JobSpec] = []
        for n in [1, 16] {
            var j = job(batch: 128 * n, gpus: n)
            j.id = JobID(jobs.count)
            jobs.append(j)
        }
        let model = AlphaBetaThroughput(topology: topo, jobs: jobs, referenceNodes: [0, 0])
        let one = model.isolatedStep(of: jobs[0], on: [GPUID(0)])
        let sixteen = model.isolatedStep(of: jobs[1], on: (0..<16).map(GPUID.init))
        let throughputGain = (2048 / sixteen.seconds) / (128 / one.seconds)
        let goodputGain = sixteen.workRate / one.workRate
        // Sixteen GPUs train more than three times the samples per second, yet early in training (φ ≈ 940 samples at
        // batch 2048) a sample of that batch is worth E(2048) ≈ 0.36 of one at the base batch.
        XCTAssertGreaterThan(throughputGain, 3)
        XCTAssertLessThan(goodputGain, throughputGain / 2)
        XCTAssertEqual(goodputGain / throughputGain, StatisticalEfficiency.efficiency(
            batch: 2048, baseBatch: 128, noiseScale: profile.noiseScale(atProgress: 0, batch: 2048)), accuracy: 1e-9)
    }
}
