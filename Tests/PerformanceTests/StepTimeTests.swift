import ClusterModel
import Models
import Network
import Performance
import SimTestSupport
import Workload
import XCTest

final class StepTimeTests: XCTestCase {
    private let pcie4 = NodeTemplateCatalog.named("pcie-4gpu")!

    /// γ = 1 adds, γ = 2 is the Euclidean norm (3, 4 → 5), γ = ∞ takes the max; huge γ does not overflow.
    func testOverlapForms() {
        XCTAssertEqual(StepTimeModel.overlap(compute: 3, communication: 4, gamma: 1), 7)
        XCTAssertEqual(StepTimeModel.overlap(compute: 3, communication: 4, gamma: 2), 5, accuracy: 1e-15)
        XCTAssertEqual(StepTimeModel.overlap(compute: 3, communication: 4, gamma: .infinity), 4)
        XCTAssertEqual(StepTimeModel.overlap(compute: 3, communication: 4, gamma: 2000), 4, accuracy: 1e-12)
        XCTAssertEqual(StepTimeModel.overlap(compute: 0.7, communication: 0), 0.7)
        XCTAssertEqual(StepTimeModel.overlap(compute: 0, communication: 0), 0)
        XCTAssertEqual(StepTimeModel.defaultGamma, 2)
    }

    /// BERT-base (0.703 s on T4 at batch 8, 440 MB of gradients) on one pcie-4gpu node, 4 GPUs:
    /// comm = ring(4) = 6·2 µs + 1.5·440e6/12e9 = 0.055012 s; total = √(0.703² + 0.055012²).
    func testBreakdownInsideOneNode() {
        let graph = LinkGraph(topology: ClusterFixtures.topology(nodesPerRack: [[pcie4]]))
        let bert = ModelZoo.named("bert-base")!
        let b = StepTimeModel.uncontended(model: bert, gpus: (0..<4).map { GPUID($0) }, graph: graph)
        XCTAssertEqual(b.compute, 0.703)
        XCTAssertEqual(b.communication, 0.055012, accuracy: 1e-15)
        XCTAssertEqual(b.phases.map(\.kind), [.ring])
        XCTAssertEqual(b.total, (0.703 * 0.703 + 0.055012 * 0.055012).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(b.bottleneck, LinkID(0))
        XCTAssertEqual(b.bottleneckKind, .gpuToSwitch)
        XCTAssertEqual(b.exposedCommunication, b.total - 0.703, accuracy: 1e-15)
        XCTAssertEqual(b.communicationFraction, (b.total - 0.703) / b.total, accuracy: 1e-15)
        // No overlap (γ = 1) at half the reference batch: 0.3515 + 0.055012.
        let serial = StepTimeModel.uncontended(model: bert, gpus: (0..<4).map { GPUID($0) }, graph: graph, localBatch: 4, gamma: 1)
        XCTAssertEqual(serial.total, 0.3515 + 0.055012, accuracy: 1e-15)
    }

    /// The same job spread 1+1+1+1 over four nodes: ring over the NICs, 6·5 µs + 1.5·440e6/12.2e9 s, NIC-bound.
    func testBreakdownSpreadOverNodes() {
        let topo = ClusterFixtures.topology(nodesPerRack: [Array(repeating: pcie4, count: 4)])
        let graph = LinkGraph(topology: topo)
        let bert = ModelZoo.named("bert-base")!
        let b = StepTimeModel.uncontended(model: bert, gpus: [0, 4, 8, 12].map { GPUID($0) }, graph: graph)
        XCTAssertEqual(b.communication, 30e-6 + 1.5 * 440e6 / 12.2e9, accuracy: 1e-15)
        XCTAssertEqual(b.bottleneckKind, .nicUp)
        XCTAssertEqual(b.phases.map(\.kind), [.interAllReduce])
        // One GPU: no communication, the iteration is the compute time.
        let one = StepTimeModel.uncontended(model: bert, gpus: [GPUID(5)], graph: graph)
        XCTAssertEqual(one.total, 0.703)
        XCTAssertEqual(one.communication, 0)
        XCTAssertNil(one.bottleneck)
        XCTAssertEqual(one.communicationFraction, 0)
    }
}
