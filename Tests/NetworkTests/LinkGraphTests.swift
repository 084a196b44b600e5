import ClusterModel
import Network
import SimTestSupport
import XCTest

final class LinkGraphTests: XCTestCase {
    private let dgx = ClusterFixtures.dgxA100Template
    private let pcie4 = NodeTemplateCatalog.named("pcie-4gpu")!
    private let pcie8 = NodeTemplateCatalog.named("pcie-8gpu")!

    /// Two racks of two DGX A100: 64 GPU links, 64 NIC links, 4 rack links, laid out GPU, NIC, rack.
    func testLinksAndLayoutOfTwoRackDGX() {
        let graph = LinkGraph(topology: ClusterFixtures.dgxA100(nodes: 4, racks: 2))
        XCTAssertEqual(graph.linkCount, 2 * 32 + 2 * 32 + 2 * 2)
        XCTAssertEqual(graph.nicCount, 32)
        for (i, l) in graph.links.enumerated() { XCTAssertEqual(l.id, LinkID(i)) }
        // GPU 5: links 10 (up) and 11 (down), NVSwitch figures of the template.
        XCTAssertEqual(graph.gpuUpLink[5], LinkID(10))
        XCTAssertEqual(graph.gpuDownLink[5], LinkID(11))
        XCTAssertEqual(graph[LinkID(10)].kind, .gpuToSwitch)
        XCTAssertEqual(graph[LinkID(11)].kind, .switchToGPU)
        XCTAssertEqual(graph[LinkID(10)].bandwidth, 232e9)
        XCTAssertEqual(graph[LinkID(10)].latency, 1e-6)
        XCTAssertEqual(graph[LinkID(10)].efficiency, 1)
        XCTAssertEqual(graph[LinkID(10)].owner, 5)
        // NIC 9 (node 1's second NIC): links 64 + 18 = 82 (up), 83 (down), HDR figures.
        XCTAssertEqual(graph.nicUpLink[9], LinkID(82))
        XCTAssertEqual(graph[LinkID(82)].kind, .nicUp)
        XCTAssertEqual(graph[LinkID(83)].kind, .nicDown)
        XCTAssertEqual(graph[LinkID(82)].bandwidth, 24e9)
        XCTAssertEqual(graph[LinkID(82)].latency, 2.5e-6)
        XCTAssertEqual(graph.nicNode[9], NodeID(1))
        // Rack 1: links 130 (up), 131 (down); 2 nodes × 8 NICs × 24 GB/s, non-blocking.
        XCTAssertEqual(graph.rackUpLink[1], LinkID(130))
        XCTAssertEqual(graph.rackDownLink[1], LinkID(131))
        XCTAssertEqual(graph[LinkID(130)].kind, .torUp)
        XCTAssertEqual(graph[LinkID(131)].kind, .torDown)
        XCTAssertEqual(graph.capacities[130], 384e9)
        XCTAssertEqual(graph.name(of: LinkID(130)), "r1.up")
        XCTAssertEqual(graph.name(of: LinkID(10)), "gpu5.up")
        XCTAssertEqual(graph.name(of: LinkID(83)), "nic9.down")
    }

    /// GPU i of a node uses NIC ⌊i·nicCount/g⌋: 1:1 on DGX, 4:1 on pcie-8gpu, all on one NIC on pcie-4gpu.
    func testGPUToNICAffinity() {
        let graph = LinkGraph(topology: ClusterFixtures.topology(nodesPerRack: [[dgx, pcie8, pcie4]]))
        XCTAssertEqual((0..<8).map { graph.nic(of: GPUID($0)) }, Array(0..<8))
        XCTAssertEqual((8..<16).map { graph.nic(of: GPUID($0)) }, [8, 8, 8, 8, 9, 9, 9, 9])
        XCTAssertEqual((16..<20).map { graph.nic(of: GPUID($0)) }, [10, 10, 10, 10])
        XCTAssertEqual(graph.nodeFirstNIC, [0, 8, 10])
        // The rack's uplink sums every NIC: 8·24 + 2·12.2 + 12.2 GB/s.
        XCTAssertEqual(graph.capacities[graph.rackUpLink[0].index], 8 * 24e9 + 3 * 12.2e9, accuracy: 1)
    }

    /// Same node → GPU links; same rack → NIC links; other rack → NIC, ToR up, ToR down, NIC.
    func testRoutes() {
        let graph = LinkGraph(topology: ClusterFixtures.dgxA100(nodes: 4, racks: 2))
        // Same node: gpu 1 → gpu 6.
        XCTAssertEqual(graph.path(fromGPU: GPUID(1), toGPU: GPUID(6)), [LinkID(2), LinkID(13)])
        // Same rack (nodes 0 and 1): gpu 3 (NIC 3) → gpu 12 (node 1 local 4, NIC 12).
        XCTAssertEqual(graph.path(fromGPU: GPUID(3), toGPU: GPUID(12)), [LinkID(64 + 6), LinkID(64 + 25)])
        // Other rack: gpu 3 (rack 0) → gpu 17 (node 2 local 1, NIC 17, rack 1).
        XCTAssertEqual(
            graph.path(fromGPU: GPUID(3), toGPU: GPUID(17)),
            [LinkID(64 + 6), LinkID(128), LinkID(131), LinkID(64 + 35)])
        XCTAssertEqual(graph.path(fromGPU: GPUID(17), toGPU: GPUID(3)).map { graph[$0].kind }, [.nicUp, .torUp, .torDown, .nicDown])
        XCTAssertEqual(graph.path(fromGPU: GPUID(4), toGPU: GPUID(4)), [])
    }

    /// Oversubscription divides the rack uplink; efficiencies scale capacity, not bandwidth; overrides replace template figures.
    func testFabricSpecOverrides() {
        let spec = FabricSpec(
            oversubscription: 4, spineLatencySeconds: 3e-7, intraNodeEfficiency: 0.5, nicEfficiency: 0.9,
            spineEfficiency: 0.8,
            nodeOverrides: [NodeFabricOverride(
                templateName: "pcie-4gpu", intraNode: LinkParameters(bandwidthBytesPerSecond: 20e9, latencySeconds: 3e-6),
                nicCount: 2, nic: LinkParameters(bandwidthBytesPerSecond: 5e9, latencySeconds: 7e-6))])
        let topo = ClusterFixtures.topology(nodesPerRack: [[pcie4, pcie4], [dgx]])
        let graph = LinkGraph(topology: topo, spec: spec)
        XCTAssertEqual(graph.nicCount, 2 + 2 + 8)
        let up0 = graph[graph.gpuUpLink[0]]
        XCTAssertEqual(up0.bandwidth, 20e9)
        XCTAssertEqual(up0.capacity, 10e9)
        XCTAssertEqual(up0.latency, 3e-6)
        XCTAssertEqual(graph[graph.gpuUpLink[8]].bandwidth, 232e9)  // the DGX keeps its template
        // pcie-4gpu GPUs 0,1 → NIC 0; 2,3 → NIC 1 under the 2-NIC override.
        XCTAssertEqual((0..<4).map { graph.nic(of: GPUID($0)) }, [0, 0, 1, 1])
        XCTAssertEqual(graph[graph.nicUpLink[0]].capacity, 4.5e9, accuracy: 1e-3)
        // Rack 0: 4 NICs × 5 GB/s / 4 = 5 GB/s nominal, × 0.8 = 4 GB/s capacity. Rack 1: 8 × 24 / 4 = 48 GB/s.
        XCTAssertEqual(graph[graph.rackUpLink[0]].bandwidth, 5e9)
        XCTAssertEqual(graph.capacities[graph.rackUpLink[0].index], 4e9, accuracy: 1e-3)
        XCTAssertEqual(graph[graph.rackDownLink[1]].bandwidth, 48e9)
        // Step latency: max over endpoint links plus each spine hop.
        let cross = graph.path(fromGPU: GPUID(0), toGPU: GPUID(8))
        XCTAssertEqual(graph.stepLatency(of: cross), 7e-6 + 2 * 3e-7, accuracy: 1e-18)
        XCTAssertEqual(graph.stepLatency(of: graph.path(fromGPU: GPUID(0), toGPU: GPUID(4))), 7e-6)
        XCTAssertEqual(graph.stepLatency(of: graph.path(fromGPU: GPUID(0), toGPU: GPUID(1))), 3e-6)
    }
}
