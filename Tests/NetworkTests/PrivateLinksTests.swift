import ClusterModel
import Network
import SimTestSupport
import XCTest

/// `LinkGraph.privateLinkGPUs` against every route of small clusters built from every template of the catalog, and
/// the one-node ring phase (`FlatAllReducePlan.oneNodeRing`) against the plan.
final class PrivateLinksTests: XCTestCase {
    /// Each catalog template in two racks (two nodes, one node), plus a rack of one single-GPU node.
    private func clusters() -> [(String, LinkGraph)] {
        let single = ClusterFixtures.micro(gpus: 1)
        return (NodeTemplateCatalog.all + [ClusterFixtures.micro(gpus: 4)]).map { t in
            (t.name, LinkGraph(topology: ClusterFixtures.topology(nodesPerRack: [[t, t], [t], [single]])))
        }
    }

    // A link private to GPU g is crossed only by routes that start or end at g (so no GPU is a transit vertex of
    // another pair's route), GPU links are always private, NIC links exactly when one GPU uses the NIC, rack links
    // exactly in a rack of one GPU; and every link some route crosses is accounted for.
    func testPrivateLinksAgreeWithEveryRoute() {
        for (name, graph) in clusters() {
            let owner = graph.privateLinkGPUs()
            XCTAssertEqual(owner.count, graph.linkCount, name)
            let gpuCount = graph.topology.gpuCount
            var crossed = [Bool](repeating: false, count: graph.linkCount)
            for a in 0..<gpuCount {
                for b in 0..<gpuCount where a != b {
                    for l in graph.path(fromGPU: GPUID(a), toGPU: GPUID(b)) {
                        crossed[l.index] = true
                        let g = owner[l.index]
                        if g >= 0 { XCTAssertTrue(g == a || g == b, "\(name): \(graph.name(of: l)) is private to gpu\(g) but carries gpu\(a) → gpu\(b)") }
                    }
                }
            }
            var nicUsers = [Int](repeating: 0, count: graph.nicCount)
            for g in 0..<gpuCount {
                XCTAssertEqual(owner[graph.gpuUpLink[g].index], Int32(g), name)
                XCTAssertEqual(owner[graph.gpuDownLink[g].index], Int32(g), name)
                nicUsers[graph.nic(of: GPUID(g))] += 1
            }
            for k in 0..<graph.nicCount {
                XCTAssertEqual(owner[graph.nicUpLink[k].index] >= 0, nicUsers[k] == 1, "\(name): nic\(k)")
                XCTAssertEqual(owner[graph.nicDownLink[k].index] >= 0, nicUsers[k] == 1, "\(name): nic\(k)")
                XCTAssertTrue(crossed[graph.nicUpLink[k].index] || nicUsers[k] == 0, "\(name): nic\(k) carries no route")
            }
            let lastRack = graph.topology.rackCount - 1
            XCTAssertGreaterThanOrEqual(owner[graph.rackUpLink[lastRack].index], 0, "\(name): the one-GPU rack's uplink")
            for r in 0..<lastRack { XCTAssertEqual(owner[graph.rackUpLink[r].index], -1, "\(name): rack \(r)") }
        }
        // What the flow model's isolation rests on: a DGX's NIC links are private (a NIC per GPU), a PCIe server's
        // are not (one NIC for four GPUs).
        let dgx = LinkGraph(topology: ClusterFixtures.dgxA100(nodes: 2))
        XCTAssertTrue(dgx.privateLinkGPUs()[dgx.nicUpLink[3].index] == 3)
        let pcie = LinkGraph(topology: ClusterFixtures.topology(nodesPerRack: [[NodeTemplateCatalog.named("pcie-4gpu")!]]))
        XCTAssertEqual(pcie.privateLinkGPUs()[pcie.nicUpLink[0].index], -1)
    }

    // The one-node ring's phase and links are the plan's, and its total time from that phase alone is the plan's, bit
    // for bit, on seeded placements of every template (ring and halving-doubling sizes); other placements give nil.
    func testOneNodeRingIsThePlansPhase() {
        withEvery("one-node ring", in: 0..<60) { seed in
            var rng = SeededGenerator(seed: UInt64(77_000 + seed))
            let (name, graph) = clusters()[seed % clusters().count]
            let node = rng.int(0...1)
            let gpus = graph.topology.gpus(of: NodeID(node)).map { GPUID(Int($0)) }
            guard gpus.count > 1 else { return }
            let placement = Array(gpus.shuffled(using: &rng).prefix(rng.int(2...gpus.count)))
            let bytes = rng.int(0...1) == 0 ? Double(rng.int(1...60_000)) : Double(rng.int(1...400)) * 1e6
            var links: [LinkID] = [LinkID(7)]  // appended after what is there
            let phase = FlatAllReducePlan.oneNodeRing(
                gpus: placement, bytes: bytes, graph: graph, options: CollectiveOptions(), appendingPathsTo: &links)
            let plan = FlatAllReducePlan(gpus: placement, bytes: bytes, graph: graph)
            XCTAssertEqual(phase, plan.phases.first, name)
            XCTAssertEqual(plan.phases.count, 1, name)
            XCTAssertEqual(Array(links.dropFirst()), plan.pathLinks, name)
            let rate: (Int) -> Double = { Double(1 + $0) * 1e9 }
            XCTAssertEqual(FlatAllReducePlan.totalSeconds(of: CollectionOfOne(phase!), rate: rate).bitPattern,
                           plan.totalSeconds(rate: rate).bitPattern, name)
            // Across two nodes: nil, nothing appended.
            let other = graph.topology.gpus(of: NodeID(1 - node)).first.map { GPUID(Int($0)) }!
            var none: [LinkID] = []
            XCTAssertNil(FlatAllReducePlan.oneNodeRing(
                gpus: [placement[0], other], bytes: bytes, graph: graph, options: CollectiveOptions(), appendingPathsTo: &none))
            XCTAssertTrue(none.isEmpty)
        }
    }
}
