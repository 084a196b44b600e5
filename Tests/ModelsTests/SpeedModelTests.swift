import ClusterModel
import SimKernel
import SimTestSupport
import Models
import XCTest

final class SpeedModelTests: XCTestCase {
    private let dgx = ClusterFixtures.dgxA100Template
    private let resnet50 = ModelZoo.named("resnet50")!
    private let a100 = GPUCatalog.named("a100-80")!

    // Ring all-reduce: n=4, S=100 MB, B=10 GB/s, α=5 µs → 2·3·5e-6 + 2·3/4·0.01 = 0.01503 s; one rank costs 0.
    func testRingAllReduceByHand() {
        let link = LinkParameters(bandwidthBytesPerSecond: 10e9, latencySeconds: 5e-6)
        XCTAssertEqual(SpeedModel.ringAllReduceSeconds(ranks: 4, bytes: 100e6, link: link), 0.01503, accuracy: 1e-15)
        // n=2: 2·1·5e-6 + 1·0.01 = 0.01001
        XCTAssertEqual(SpeedModel.ringAllReduceSeconds(ranks: 2, bytes: 100e6, link: link), 0.01001, accuracy: 1e-15)
        XCTAssertEqual(SpeedModel.ringAllReduceSeconds(ranks: 1, bytes: 100e6, link: link), 0)
    }

    // One node of 8: the NVSwitch link (232 GB/s, 1 µs): comm = 14·1e-6 + 14/8·102.4e6/232e9.
    func testStepTimeSingleNodeUsesIntraNodeLink() {
        let st = SpeedModel.stepTime(model: resnet50, gpu: a100, shape: [(dgx, 8)])
        XCTAssertEqual(st.compute, 256.0 / 2470, accuracy: 1e-15)
        XCTAssertEqual(st.communication, 14 * 1e-6 + 1.75 * 102.4e6 / 232e9, accuracy: 1e-15)
        XCTAssertEqual(st.communication, 7.864137931034483e-4, accuracy: 1e-15)
        XCTAssertEqual(st.bottleneck, .nvswitch)
        XCTAssertEqual(st.total, 0.10443013848945971, accuracy: 1e-14)
    }

    // 2 DGX A100 nodes × 4 GPUs: per-GPU NIC share = min(8·24e9/4, 25e9) = 25e9, α = 2.5 µs, class .nic:
    // comm = 14·2.5e-6 + 14/8·102.4e6/25e9 = 0.007203 s.
    func testStepTimeMultiNodeUsesNICShare() {
        let link = SpeedModel.bottleneckLink(shape: [(dgx, 4), (dgx, 4)])!
        XCTAssertEqual(link.0.bandwidthBytesPerSecond, 25e9)
        XCTAssertEqual(link.0.latencySeconds, 2.5e-6)
        XCTAssertEqual(link.1, .nic)
        let st = SpeedModel.stepTime(model: resnet50, gpu: a100, shape: [(dgx, 4), (dgx, 4)])
        XCTAssertEqual(st.communication, 0.007203, accuracy: 1e-15)
        XCTAssertEqual(st.bottleneck, .nic)
    }

    // NIC share without the host-link cap: pcie-4gpu (1 NIC of 12.2 GB/s, T4 host link 12 GB/s) with 2 GPUs per
    // node: min(12.2e9/2, 12e9) = 6.1e9.
    func testNICShareDividesNICsAmongGPUs() {
        let pcie = NodeTemplateCatalog.named("pcie-4gpu")!
        let link = SpeedModel.bottleneckLink(shape: [(pcie, 2), (pcie, 2)])!
        XCTAssertEqual(link.0.bandwidthBytesPerSecond, 6.1e9, accuracy: 1)
        XCTAssertEqual(link.0.latencySeconds, 5e-6)
        XCTAssertEqual(link.1, .nic)
    }

    // A slow intra-node fabric (2 GB/s) with 2 GPUs per node is the bottleneck across nodes: B = 2e9, class .pcie,
    // latency still the NIC's.
    func testSlowIntraNodeFabricCanBeTheBottleneck() {
        let slow = NodeTemplate(
            name: "slow", summary: "", gpuType: GPUCatalog.named("t4")!, gpuCount: 4, intraNodeClass: .pcie,
            intraNode: LinkParameters(bandwidthBytesPerSecond: 2e9, latencySeconds: 1e-6),
            nicCount: 1, nic: LinkParameters(bandwidthBytesPerSecond: 50e9, latencySeconds: 1e-5), source: "")
        let link = SpeedModel.bottleneckLink(shape: [(slow, 2), (slow, 2)])!
        XCTAssertEqual(link.0.bandwidthBytesPerSecond, 2e9)
        XCTAssertEqual(link.0.latencySeconds, 1e-5)
        XCTAssertEqual(link.1, .pcie)
        XCTAssertNil(SpeedModel.bottleneckLink(shape: [(slow, 1)]))
    }

    // A single GPU has no communication and no bottleneck.
    func testSingleGPUHasNoCommunication() {
        let st = SpeedModel.stepTime(model: resnet50, gpu: a100, shape: [(dgx, 1)])
        XCTAssertEqual(st.communication, 0)
        XCTAssertNil(st.bottleneck)
        XCTAssertEqual(st.total, 256.0 / 2470)
    }

    // Compute time: measured when present, else scaled by FP16 peak; local batch scales linearly.
    func testComputeSeconds() {
        XCTAssertEqual(resnet50.computeSeconds(on: GPUCatalog.named("v100-16")!), 256.0 / 1200)
        XCTAssertEqual(resnet50.computeSeconds(on: GPUCatalog.named("h100")!), 256.0 / 2470 * 312 / 989.4, accuracy: 1e-15)
        let half = SpeedModel.stepTime(model: resnet50, gpu: a100, shape: [(dgx, 1)], localBatch: 128)
        XCTAssertEqual(half.compute, 128.0 / 2470, accuracy: 1e-15)
    }

    // A node-pair cap (1.5 GB/s, streams at 1 GB/s) halves per direction over exactly two nodes, where the ring runs
    // both ways between one pair: min(1, 1.5/2) = 0.75 GB/s; over three nodes each pair carries one direction: 1 GB/s.
    func testNodePairCapHalvesTwoNodeRings() {
        var t = NodeTemplateCatalog.named("pollux-g4dn")!
        t.tcpStreamBytesPerSecond = 1e9
        t.nodePairBytesPerSecond = 1.5e9
        XCTAssertEqual(SpeedModel.bottleneckLink(shape: [(t, 1), (t, 1)])?.0.bandwidthBytesPerSecond, 0.75e9)
        XCTAssertEqual(SpeedModel.bottleneckLink(shape: [(t, 1), (t, 1), (t, 1)])?.0.bandwidthBytesPerSecond, 1e9)
        t.nodePairBytesPerSecond = nil
        XCTAssertEqual(SpeedModel.bottleneckLink(shape: [(t, 1), (t, 1)])?.0.bandwidthBytesPerSecond, 1e9)
    }

    // Shapes: GPUs grouped per node in order of first appearance; packed shape fills whole nodes first.
    func testShapes() {
        let topo = ClusterFixtures.dgxA100(nodes: 2)
        let shape = SpeedModel.shape(of: [0, 1, 2, 3, 8, 9, 10, 11].map(GPUID.init), in: topo)
        XCTAssertEqual(shape.map(\.gpus), [4, 4])
        XCTAssertEqual(SpeedModel.shape(of: [9, 0, 8].map(GPUID.init), in: topo).map(\.gpus), [2, 1])
        XCTAssertEqual(SpeedModel.packedShape(20, on: dgx).map(\.gpus), [8, 8, 4])
        XCTAssertEqual(SpeedModel.packedShape(8, on: dgx).map(\.gpus), [8])
    }
}
