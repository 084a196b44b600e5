import ClusterModel
import SimTestSupport
import XCTest

final class TopologyTests: XCTestCase {
    // Two racks (2 DGX A100 + 1 micro T4 node): every flat index array is what the layout implies.
    func testIndicesForTwoRacks() {
        let dgx = ClusterFixtures.dgxA100Template
        let t = Topology(racks: [(name: "ra", nodes: [dgx, dgx]), (name: "rb", nodes: [ClusterFixtures.micro4])])
        XCTAssertEqual(t.rackNames, ["ra", "rb"])
        XCTAssertEqual(t.rackCount, 2)
        XCTAssertEqual(t.nodeCount, 3)
        XCTAssertEqual(t.gpuCount, 20)
        XCTAssertEqual(t.nodeRack, [RackID(0), RackID(0), RackID(1)])
        XCTAssertEqual(t.nodeFirstGPU, [0, 8, 16])
        XCTAssertEqual(t.nodeGPUCount, [8, 8, 4])
        XCTAssertEqual(t.gpuNode, (0..<8).map { _ in NodeID(0) } + (0..<8).map { _ in NodeID(1) } + (0..<4).map { _ in NodeID(2) })
        XCTAssertEqual(t.gpuTypes.map(\.name), ["a100-80", "t4"])
        XCTAssertEqual(t.gpuTypeIndex, Array(repeating: 0, count: 16) + [1, 1, 1, 1])
        XCTAssertEqual(t.gpus(of: NodeID(0)), 0..<8)
        XCTAssertEqual(t.gpus(of: NodeID(1)), 8..<16)
        XCTAssertEqual(t.gpus(of: NodeID(2)), 16..<20)
        XCTAssertEqual(t.typeIndex(named: "t4"), 1)
        XCTAssertNil(t.typeIndex(named: "h100"))
        XCTAssertEqual(t.typeIndex(of: NodeID(2)), 1)
        XCTAssertEqual(t.gpuCount(ofType: 0), 16)
        XCTAssertEqual(t.gpuCount(ofType: 1), 4)
    }

    // A template with another GPU fitted becomes a separate type; the same type on two templates is one type.
    func testDistinctTypesByFirstAppearance() {
        let h100PCIe = ClusterFixtures.micro4.with(gpuType: GPUCatalog.named("h100")!)
        let t = ClusterFixtures.topology(nodesPerRack: [[h100PCIe], [NodeTemplateCatalog.named("dgx-h100")!, ClusterFixtures.micro4]])
        XCTAssertEqual(t.gpuTypes.map(\.name), ["h100", "t4"])
        XCTAssertEqual(t.gpuTypeIndex, Array(repeating: 0, count: 12) + [1, 1, 1, 1])
        XCTAssertEqual(t.nodeRack, [RackID(0), RackID(1), RackID(1)])
    }

    // The fixtures build the shapes they promise.
    func testFixtures() {
        let t = ClusterFixtures.dgxA100(nodes: 3, racks: 2)
        XCTAssertEqual(t.nodeRack, [RackID(0), RackID(0), RackID(1)])
        XCTAssertEqual(t.gpuCount, 24)
        let m = ClusterFixtures.microCluster(racks: 2, nodesPerRack: 2)
        XCTAssertEqual(m.gpuCount, 16)
        XCTAssertEqual(m.nodeRack, [RackID(0), RackID(0), RackID(1), RackID(1)])
    }
}
