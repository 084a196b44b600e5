import ClusterModel
import Models
import Network
import Performance
import SimKernel
import SimRandom
import SimTestSupport
import Workload
import XCTest

/// DDP's gradient-bucket overlap (`GradientBuckets`, `OverlapModel`, `network.overlap: ddp-buckets`): hand-computed
/// schedules, bounds on random cases, and the flow model and zoo wiring.
final class GradientBucketsTests: XCTestCase {
    private let mib = 1_048_576.0

    // 51 MiB: buckets of 1, 25 and 25 MiB (shares 1/51, 25/51, 25/51), ready at backward progress 1/51, 26/51 and 1.
    func testBucketsFollowDDPSizes() {
        let b = GradientBuckets(gradientBytes: 51 * mib)
        XCTAssertEqual(b.shares.count, 3)
        XCTAssertEqual(b.shares[0], 1 / 51, accuracy: 1e-15)
        XCTAssertEqual(b.shares[1], 25 / 51, accuracy: 1e-15)
        XCTAssertEqual(b.shares[2], 25 / 51, accuracy: 1e-15)
        XCTAssertEqual(b.readyAt[0], 1 / 51, accuracy: 1e-15)
        XCTAssertEqual(b.readyAt[1], 26 / 51, accuracy: 1e-15)
        XCTAssertEqual(b.readyAt[2], 1)
        XCTAssertEqual(GradientBuckets(gradientBytes: 0.5 * mib).shares, [1], "under 1 MiB: one bucket")
        XCTAssertEqual(GradientBuckets(gradientBytes: 0).stepSeconds(compute: 2, communication: 0), 2)
    }

    // c = 1.5 s: the forward pass 0.5 s, the backward pass 1 s. Buckets ready at 0.5 + 1/51, 0.5 + 26/51 and 1.5 s.
    // T_n = 0.51 s (0.01, 0.25, 0.25 s per bucket): the first two are done before the backward pass ends, the last
    // one follows it: 1.5 + 0.25 = 1.75 s. T_n = 5.1 s (0.1, 2.5, 2.5 s): the second bucket, ready at 0.5 + 26/51,
    // starts after the first one's 0.1 s (done at 0.5 + 1/51 + 0.1 s, earlier), and the third waits for it:
    // 0.5 + 26/51 + 2.5 + 2.5 s.
    func testHandComputedSchedules() {
        let b = GradientBuckets(gradientBytes: 51 * mib)
        XCTAssertEqual(b.stepSeconds(compute: 1.5, communication: 0.51), 1.75, accuracy: 1e-12)
        XCTAssertEqual(b.stepSeconds(compute: 1.5, communication: 5.1), 0.5 + 26.0 / 51 + 5, accuracy: 1e-12)
    }

    // NeuMF's embeddings (97.3% of its bytes, the first layer) come out at the end of the backward pass, and its
    // 6.4 MB make one 1 MiB bucket and one of the rest: every bucket waits for the backward pass, so the step is
    // compute + all-reduce, Pollux's γ = 1.
    func testLateGradientsGiveNoOverlap() throws {
        let neumf = try XCTUnwrap(ModelZoo.named("neumf"))
        XCTAssertEqual(neumf.lateGradientShare, 0.973)
        let overlap = OverlapModel(model: neumf, kind: .ddpBuckets, gamma: 2)
        for (c, n) in [(0.01, 0.003), (0.02, 0.05), (1.0, 1.0)] {
            XCTAssertEqual(overlap.stepSeconds(compute: c, communication: n), c + n, accuracy: 1e-15)
        }
        XCTAssertNil(overlap.gamma)
        // Under the exponent, the interconnect's γ (or the model's own) applies, as before.
        XCTAssertEqual(OverlapModel(model: neumf, kind: .exponent, gamma: 3), .exponent(3))
        let own = try XCTUnwrap(ModelZoo.all.first { $0.overlapGamma != nil })
        XCTAssertEqual(OverlapModel(model: own, kind: .exponent, gamma: 3), .exponent(own.overlapGamma!))
    }

    // On random gradients, late shares and times: max(c + s_last·T_n, t₀ + T_n) ≤ T ≤ c + T_n, and T grows with T_n.
    func testBoundsAndMonotonicityOnRandomCases() {
        let stream = RandomStream(name: "gradient-buckets", seed: 20261203)
        for _ in 0..<2000 {
            let bytes = 600 * mib * stream.uniform01()
            let late = stream.uniform01() < 0.3 ? stream.uniform01() : 0
            let b = GradientBuckets(gradientBytes: bytes, lateShare: late)
            XCTAssertEqual(b.shares.reduce(0, +), 1, accuracy: 1e-12)
            XCTAssertEqual(b.readyAt.last, 1)
            XCTAssertEqual(b.readyAt, b.readyAt.sorted(), "buckets are ready in order")
            let c = 2 * stream.uniform01(), n = 2 * stream.uniform01()
            let t = b.stepSeconds(compute: c, communication: n)
            let lower = max(c + b.shares.last! * n, (1 - b.backwardShare) * c + n)
            XCTAssertGreaterThanOrEqual(t, lower - 1e-12, "bytes \(bytes), late \(late), c \(c), n \(n)")
            XCTAssertLessThanOrEqual(t, c + n + 1e-12, "bytes \(bytes), late \(late), c \(c), n \(n)")
            XCTAssertGreaterThanOrEqual(b.stepSeconds(compute: c, communication: n * 1.5), t)
        }
    }

    // The flow model times a job's iteration with the interconnect's overlap: alone, and sharing a link.
    func testFlowModelUsesTheBucketQueue() throws {
        let resnet18 = try XCTUnwrap(ModelZoo.index(named: "resnet18"))
        let template = NodeTemplate(
            name: "buckets-2", summary: "test node", gpuType: GPUCatalog.named("v100-16")!, gpuCount: 2,
            intraNodeClass: .pcie, intraNode: LinkParameters(bandwidthBytesPerSecond: 100e9, latencySeconds: 0),
            nicCount: 1, nic: LinkParameters(bandwidthBytesPerSecond: 1e9, latencySeconds: 0), source: "test")
        let topo = ClusterFixtures.topology(nodesPerRack: [[template, template]])
        let jobs = (0..<2).map { JobSpec(id: JobID($0), name: "j\($0)", submitTime: .zero, gpuCount: 2, model: resnet18, work: .iterations(10)) }
        let buckets = GradientBuckets(model: ModelZoo.all[resnet18])
        XCTAssertEqual(buckets.shares.count, 3, "44.8 MB: 1, 25 and 16.7 MiB")
        let flow = FlowThroughput(
            interconnect: Interconnect(graph: LinkGraph(topology: topo), overlap: .ddpBuckets),
            jobs: jobs, referenceNodes: [0, 0])
        let alone = flow.isolatedStep(of: jobs[0], on: [GPUID(0), GPUID(2)])
        XCTAssertGreaterThan(alone.communication, 0)
        XCTAssertEqual(alone.seconds, buckets.stepSeconds(compute: alone.compute, communication: alone.communication))
        _ = flow.attach(jobs[0], on: [GPUID(0), GPUID(2)])
        _ = flow.attach(jobs[1], on: [GPUID(1), GPUID(3)])
        _ = flow.flush()
        let shared = flow.currentStep(of: jobs[0], on: [GPUID(0), GPUID(2)])
        XCTAssertGreaterThan(shared.communication, alone.communication * 1.5, "two jobs split each NIC")
        XCTAssertEqual(shared.seconds, buckets.stepSeconds(compute: shared.compute, communication: shared.communication))
        let exponent = FlowThroughput(interconnect: Interconnect(graph: LinkGraph(topology: topo)), jobs: jobs, referenceNodes: [0, 0])
        let pollux = exponent.isolatedStep(of: jobs[0], on: [GPUID(0), GPUID(2)])
        XCTAssertEqual(pollux.seconds, StepTimeModel.overlap(compute: pollux.compute, communication: pollux.communication), accuracy: 1e-15)
    }
}
