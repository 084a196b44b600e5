import ClusterModel
import Network
import SimTestSupport
import XCTest

final class CollectivesTests: XCTestCase {
    private let dgx = ClusterFixtures.dgxA100Template
    private let pcie4 = NodeTemplateCatalog.named("pcie-4gpu")!
    private let sizes: [Double] = [1e6, 102.4e6, 440e6, 4e9]

    private func assertRelative(_ a: Double, _ b: Double, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(abs(a - b), 1e-9 * abs(b), "\(message): \(a) vs \(b)", file: file, line: line)
    }

    /// The first `perNode` GPUs of each of `nodes` nodes of `topology`.
    private func gpus(_ topology: Topology, nodes: [Int], perNode: Int) -> [GPUID] {
        nodes.flatMap { n in topology.gpus(of: NodeID(n)).prefix(perNode).map { GPUID($0) } }
    }

    // MARK: - Acceptance 1: closed forms

    /// One DGX A100, n = 2, 4, 8: ring over NVSwitch, 2(n−1)·1 µs + 2(n−1)/n·S/232 GB/s.
    func testSingleNodeRingMatchesClosedForm() {
        let graph = LinkGraph(topology: ClusterFixtures.dgxA100(nodes: 1))
        for n in [2, 4, 8] {
            for s in sizes {
                let plan = AllReducePlan(gpus: gpus(graph.topology, nodes: [0], perNode: n), bytes: s, graph: graph)
                XCTAssertEqual(plan.algorithm, .ring)
                XCTAssertEqual(plan.phases.map(\.kind), [.ring])
                XCTAssertEqual(plan.phases[0].steps, 2 * (n - 1))
                XCTAssertEqual(plan.flows.count, n)
                let oracle = AlphaBeta.ringAllReduce(ranks: n, bytes: s, bandwidth: 232e9, latency: 1e-6)
                assertRelative(plan.uncontendedTime(on: graph).total, oracle, "dgx n=\(n) S=\(s)")
            }
        }
        // Hand check, n = 8, S = 102.4 MB: 14 µs + 1.75·102.4e6/232e9 s.
        let plan = AllReducePlan(gpus: gpus(graph.topology, nodes: [0], perNode: 8), bytes: 102.4e6, graph: graph)
        XCTAssertEqual(plan.uncontendedTime(on: graph).total, 7.864137931034483e-4, accuracy: 1e-15)
    }

    /// 2 and 4 DGX A100 nodes × 8 (one rack, and 4 nodes over two racks): hierarchical with B_in 232 GB/s, α_in 1 µs,
    /// B_out = 8·24/8 = 24 GB/s per GPU, α_out 2.5 µs.
    func testMultiNodeDGXHierarchicalMatchesClosedForm() {
        for (nodes, racks) in [(2, 1), (4, 1), (4, 2)] {
            let graph = LinkGraph(topology: ClusterFixtures.dgxA100(nodes: nodes, racks: racks))
            for s in sizes {
                let plan = AllReducePlan(gpus: gpus(graph.topology, nodes: Array(0..<nodes), perNode: 8), bytes: s, graph: graph)
                XCTAssertEqual(plan.algorithm, .hierarchical)
                XCTAssertEqual(plan.phases.map(\.kind), [.intraReduceScatter, .interAllReduce, .intraAllGather])
                let oracle = AlphaBeta.hierarchicalAllReduce(
                    gpusPerNode: 8, nodes: nodes, bytes: s, intraBandwidth: 232e9, intraLatency: 1e-6,
                    interBandwidth: 24e9, interLatency: 2.5e-6)
                assertRelative(plan.uncontendedTime(on: graph).total, oracle, "dgx \(nodes)x8 racks=\(racks) S=\(s)")
            }
        }
        // Half nodes: 2 × 4 GPUs, GPUs 0–3 each on their own NIC → B_out = 24 GB/s.
        let graph = LinkGraph(topology: ClusterFixtures.dgxA100(nodes: 2))
        let plan = AllReducePlan(gpus: gpus(graph.topology, nodes: [0, 1], perNode: 4), bytes: 1e9, graph: graph)
        let oracle = AlphaBeta.hierarchicalAllReduce(
            gpusPerNode: 4, nodes: 2, bytes: 1e9, intraBandwidth: 232e9, intraLatency: 1e-6, interBandwidth: 24e9,
            interLatency: 2.5e-6)
        assertRelative(plan.uncontendedTime(on: graph).total, oracle, "dgx 2x4")
        // Hand check, 2 × 8, S = 1 GB: 2·[7 µs + 7/8·1e9/232e9] + 2·2.5 µs + (1e9/8)/24e9.
        let full = AllReducePlan(gpus: gpus(graph.topology, nodes: [0, 1], perNode: 8), bytes: 1e9, graph: graph)
        XCTAssertEqual(
            full.uncontendedTime(on: graph).total, 2 * (7e-6 + 0.875e9 / 232e9) + 5e-6 + 0.125e9 / 24e9, accuracy: 1e-15)
    }

    /// pcie-4gpu nodes (PCIe 12 GB/s, 2 µs; one 12.2 GB/s NIC, 5 µs): ring inside a node; hierarchical across
    /// 2 and 4 nodes with B_out = 12.2/4 GB/s (4 GPUs share the NIC); 1+1+1+1 over four nodes is the ring over NICs.
    func testPCIeNodesMatchClosedForms() {
        let topo = ClusterFixtures.topology(nodesPerRack: [Array(repeating: pcie4, count: 4)])
        let graph = LinkGraph(topology: topo)
        for s in sizes {
            for n in [2, 4] {
                let plan = AllReducePlan(gpus: gpus(topo, nodes: [0], perNode: n), bytes: s, graph: graph)
                let oracle = AlphaBeta.ringAllReduce(ranks: n, bytes: s, bandwidth: 12e9, latency: 2e-6)
                assertRelative(plan.uncontendedTime(on: graph).total, oracle, "pcie n=\(n) S=\(s)")
            }
            for nodes in [2, 4] {
                let plan = AllReducePlan(gpus: gpus(topo, nodes: Array(0..<nodes), perNode: 4), bytes: s, graph: graph)
                XCTAssertEqual(plan.algorithm, .hierarchical)
                let oracle = AlphaBeta.hierarchicalAllReduce(
                    gpusPerNode: 4, nodes: nodes, bytes: s, intraBandwidth: 12e9, intraLatency: 2e-6,
                    interBandwidth: 12.2e9 / 4, interLatency: 5e-6)
                assertRelative(plan.uncontendedTime(on: graph).total, oracle, "pcie \(nodes)x4 S=\(s)")
            }
            let spread = AllReducePlan(gpus: gpus(topo, nodes: [0, 1, 2, 3], perNode: 1), bytes: s, graph: graph)
            XCTAssertEqual(spread.phases.map(\.kind), [.interAllReduce])
            let oracle = AlphaBeta.ringAllReduce(ranks: 4, bytes: s, bandwidth: 12.2e9, latency: 5e-6)
            assertRelative(spread.uncontendedTime(on: graph).total, oracle, "pcie 1+1+1+1 S=\(s)")
        }
    }

    /// Uneven placements (3 + 5 on two DGX) fall back to one ring limited by its NIC hops: B = 24 GB/s, α = 2.5 µs.
    func testUnevenPlacementIsFlatRing() {
        let graph = LinkGraph(topology: ClusterFixtures.dgxA100(nodes: 2))
        let ids = [0, 1, 2, 8, 9, 10, 11, 12].map { GPUID($0) }
        let plan = AllReducePlan(gpus: ids, bytes: 1e8, graph: graph)
        XCTAssertEqual(plan.algorithm, .ring)
        XCTAssertNil(plan.gpusPerNode)
        let oracle = AlphaBeta.ringAllReduce(ranks: 8, bytes: 1e8, bandwidth: 24e9, latency: 2.5e-6)
        assertRelative(plan.uncontendedTime(on: graph).total, oracle, "3+5")
    }

    /// Below 64 KiB: halving-doubling, 2⌈log₂ n⌉·α + 2(n−1)/n·S/B; 64 KiB itself is a ring.
    func testSmallMessagesUseHalvingDoubling() {
        let graph = LinkGraph(topology: ClusterFixtures.dgxA100(nodes: 2))
        for n in [2, 6, 8] {
            let plan = AllReducePlan(gpus: gpus(graph.topology, nodes: [0], perNode: n), bytes: 4096, graph: graph)
            XCTAssertEqual(plan.algorithm, .halvingDoubling)
            let oracle = AlphaBeta.halvingDoubling(ranks: n, bytes: 4096, bandwidth: 232e9, latency: 1e-6)
            assertRelative(plan.uncontendedTime(on: graph).total, oracle, "hd n=\(n)")
        }
        // 6 ranks: ⌈log₂ 6⌉ = 3 → 6 steps.
        XCTAssertEqual(AlphaBeta.halvingDoubling(ranks: 6, bytes: 0, bandwidth: 1, latency: 1e-6), 6e-6, accuracy: 1e-18)
        // 16 ranks over two nodes: α = 2.5 µs (NIC hops), B = 24 GB/s (the NIC hops of the ring).
        let two = AllReducePlan(gpus: gpus(graph.topology, nodes: [0, 1], perNode: 8), bytes: 60_000, graph: graph)
        XCTAssertEqual(two.algorithm, .halvingDoubling)
        assertRelative(
            two.uncontendedTime(on: graph).total,
            AlphaBeta.halvingDoubling(ranks: 16, bytes: 60_000, bandwidth: 24e9, latency: 2.5e-6), "hd 16")
        let one = gpus(graph.topology, nodes: [0], perNode: 8)
        XCTAssertEqual(AllReducePlan(gpus: one, bytes: 65_536, graph: graph).algorithm, .ring)
        XCTAssertEqual(AllReducePlan(gpus: one, bytes: 65_535, graph: graph).algorithm, .halvingDoubling)
        XCTAssertEqual(
            AllReducePlan(gpus: one, bytes: 65_536, graph: graph, options: CollectiveOptions(smallMessageBytes: 1e6)).algorithm,
            .halvingDoubling)
    }

    /// One GPU: no phases, zero time.
    func testSingleRank() {
        let graph = LinkGraph(topology: ClusterFixtures.dgxA100(nodes: 1))
        let plan = AllReducePlan(gpus: [GPUID(3)], bytes: 1e9, graph: graph)
        XCTAssertEqual(plan.algorithm, .none)
        XCTAssertEqual(plan.phases, [])
        XCTAssertEqual(plan.uncontendedTime(on: graph).total, 0)
        XCTAssertNil(plan.uncontendedTime(on: graph).slowestPhase)
    }

    // MARK: - Plan structure

    /// Ring order groups GPUs by node (nodes in order of first appearance); hierarchical phases share their intra
    /// flows; inter rings of local rank r go through NIC r; the slowest phase's bottleneck is a NIC link.
    func testHierarchicalPlanStructure() {
        let graph = LinkGraph(topology: ClusterFixtures.dgxA100(nodes: 2))
        let interleaved = (0..<8).flatMap { [GPUID($0 + 8), GPUID($0)] }
        let plan = AllReducePlan(gpus: interleaved, bytes: 1e9, graph: graph)
        XCTAssertEqual(plan.ranks, (8..<16).map { GPUID($0) } + (0..<8).map { GPUID($0) })
        XCTAssertEqual(plan.nodeCount, 2)
        XCTAssertEqual(plan.gpusPerNode, 8)
        XCTAssertEqual(plan.flows.count, 16 + 16)
        let (rs, inter, ag) = (plan.phases[0], plan.phases[1], plan.phases[2])
        XCTAssertEqual(rs.flowIndices, ag.flowIndices)
        XCTAssertEqual(rs.steps, 7)
        XCTAssertEqual(inter.steps, 2)
        XCTAssertEqual(rs.bytesPerFlow, 0.875e9)
        XCTAssertEqual(inter.bytesPerFlow, 0.125e9)
        XCTAssertEqual(rs.stepLatency, 1e-6)
        XCTAssertEqual(inter.stepLatency, 2.5e-6)
        for i in inter.flowIndices {
            let f = plan.flows[i]
            XCTAssertEqual(graph.nic(of: f.source) % 8, f.source.index % 8)
            XCTAssertEqual(f.source.index % 8, f.destination.index % 8)
            XCTAssertEqual(f.path.map { graph[$0].kind }, [.nicUp, .nicDown])
        }
        for i in rs.flowIndices {
            XCTAssertEqual(plan.flows[i].path.map { graph[$0].kind }, [.gpuToSwitch, .switchToGPU])
        }
        let time = plan.uncontendedTime(on: graph)
        // Inter transfer (1e9/8)/24e9 = 5.2 ms beats intra 0.875e9/232e9 = 3.8 ms.
        XCTAssertEqual(time.slowestPhase?.kind, .interAllReduce)
        XCTAssertEqual(time.slowestPhase?.rate, 24e9)
        // The slowest phase's first flow is node 1's rank 0 (gpu 8, NIC 8) → gpu 0 (NIC 0); its NIC 8 uplink and
        // NIC 0 downlink tie at 24 GB/s and the lower ID, NIC 0's downlink, is named.
        XCTAssertEqual(time.slowestPhase?.bottleneck, graph.nicDownLink[0])
        XCTAssertEqual(time.slowestPhase?.bottleneck.map { graph[$0].kind }, .nicDown)
    }

    /// A FlowNetwork holding only a plan's flows gives the same phase times as the uncontended computation.
    func testFlowNetworkAloneMatchesUncontendedTime() {
        let topo = ClusterFixtures.topology(nodesPerRack: [[pcie4, pcie4], [pcie4, dgx, dgx]])
        let graph = LinkGraph(topology: topo, spec: FabricSpec(oversubscription: 3))
        let jobs: [[GPUID]] = [
            gpus(topo, nodes: [0, 1, 2], perNode: 4),
            gpus(topo, nodes: [0, 2], perNode: 1),
            gpus(topo, nodes: [3, 4], perNode: 8),
            gpus(topo, nodes: [3, 4, 0], perNode: 2),
            gpus(topo, nodes: [3], perNode: 5),
            [GPUID(0), GPUID(1), GPUID(12), GPUID(13), GPUID(14)],
        ]
        for (j, ids) in jobs.enumerated() {
            let plan = AllReducePlan(gpus: ids, bytes: 3e8, graph: graph)
            var net = FlowNetwork(graph: graph)
            let added = net.add(plan.demands).added
            let shared = plan.time(rates: added.map { net.rate(of: $0) })
            let alone = plan.uncontendedTime(on: graph)
            XCTAssertEqual(shared.phases.count, alone.phases.count)
            for (a, b) in zip(shared.phases, alone.phases) {
                assertRelative(a.total, b.total, "job \(j) phase \(a.kind)")
            }
        }
    }

    /// The flat plan's one-node path gives the general path's plan: random placements on one node (and, as controls,
    /// on several), in random GPU order, small and large messages, on NVSwitch and PCIe nodes with node-pair caps.
    func testFlatPlanOfOneNodeIsTheSamePlan() {
        var capped = dgx
        capped.name = "capped"
        capped.nodePairBytesPerSecond = 5e9
        capped.flatRing = true
        let topo = ClusterFixtures.topology(nodesPerRack: [[pcie4, dgx], [capped, capped]])
        let graph = LinkGraph(topology: topo, spec: FabricSpec(oversubscription: 2))
        var rng = SeededGenerator(seed: 97)
        var oneNode = 0
        for trial in 0..<400 {
            var pool: [Int] = []
            let nodes = rng.int(0...5) == 0 ? [0, 1, 2, 3].shuffled(using: &rng).prefix(2).map { $0 } : [rng.int(0...3)]
            for n in nodes { pool += Array(topo.gpus(of: NodeID(n))) }
            pool.shuffle(using: &rng)
            let ids = pool.prefix(rng.int(2...min(8, pool.count))).map { GPUID($0) }
            if nodes.count == 1 { oneNode += 1 }
            let bytes = rng.int(0...1) == 0 ? Double(rng.int(1...60_000)) : Double(rng.int(1...400)) * 1e6
            let plan = AllReducePlan(gpus: ids, bytes: bytes, graph: graph)
            let flat = FlatAllReducePlan(gpus: ids, bytes: bytes, graph: graph)
            XCTAssertEqual(flat.algorithm, plan.algorithm, "trial \(trial)")
            XCTAssertEqual(flat.flowCount, plan.flows.count, "trial \(trial)")
            for (i, f) in plan.flows.enumerated() { XCTAssertEqual(Array(flat.path(i)), f.path, "trial \(trial) flow \(i)") }
            XCTAssertEqual(flat.rateCaps.isEmpty ? plan.flows.map { _ in .infinity } : flat.rateCaps, plan.flows.map(\.rateCap))
            XCTAssertEqual(flat.phases.count, plan.phases.count, "trial \(trial)")
            for (a, b) in zip(flat.phases, plan.phases) {
                XCTAssertEqual(a.kind, b.kind)
                XCTAssertEqual(Array(a.flows), b.flowIndices)
                XCTAssertEqual(a.bytesPerFlow.bitPattern, b.bytesPerFlow.bitPattern)
                XCTAssertEqual(a.steps, b.steps)
                XCTAssertEqual(a.stepLatency.bitPattern, b.stepLatency.bitPattern)
            }
        }
        XCTAssertGreaterThan(oneNode, 250)
    }

    /// The flat plan is the same plan: on every algorithm (small messages, one node, uneven nodes, hierarchical with
    /// one or several GPUs per node, across racks) it has the same algorithm, the same paths in the same order, the same
    /// phases (ranges equal to the index lists, same bytes, steps and α), and gives bit-identical phase times for any
    /// rates, with the same bottleneck flow asked for.
    func testFlatPlanIsTheSamePlan() {
        let topo = ClusterFixtures.topology(nodesPerRack: [[pcie4, pcie4], [pcie4, dgx, dgx]])
        let graph = LinkGraph(topology: topo, spec: FabricSpec(oversubscription: 3))
        let placements: [[GPUID]] = [
            gpus(topo, nodes: [0, 1, 2], perNode: 4),
            gpus(topo, nodes: [0, 2], perNode: 1),
            gpus(topo, nodes: [3, 4], perNode: 8),
            gpus(topo, nodes: [3, 4, 0], perNode: 2),
            gpus(topo, nodes: [3], perNode: 5),
            [GPUID(0), GPUID(1), GPUID(12), GPUID(13), GPUID(14)],
            [GPUID(13), GPUID(0), GPUID(12), GPUID(1)],  // nodes interleaved
            [GPUID(5)],
        ]
        var rng = SeededGenerator(seed: 41)
        for (p, ids) in placements.enumerated() {
            for bytes in [1e3, 3e8] {
                let plan = AllReducePlan(gpus: ids, bytes: bytes, graph: graph)
                let flat = FlatAllReducePlan(gpus: ids, bytes: bytes, graph: graph)
                XCTAssertEqual(flat.algorithm, plan.algorithm, "placement \(p)")
                XCTAssertEqual(flat.flowCount, plan.flows.count, "placement \(p)")
                for (i, f) in plan.flows.enumerated() { XCTAssertEqual(Array(flat.path(i)), f.path, "placement \(p) flow \(i)") }
                XCTAssertEqual(flat.phases.count, plan.phases.count, "placement \(p)")
                for (a, b) in zip(flat.phases, plan.phases) {
                    XCTAssertEqual(a.kind, b.kind)
                    XCTAssertEqual(Array(a.flows), b.flowIndices)
                    XCTAssertEqual(a.bytesPerFlow, b.bytesPerFlow)
                    XCTAssertEqual(a.steps, b.steps)
                    XCTAssertEqual(a.stepLatency, b.stepLatency)
                }
                // Rates with ties, so that the first slowest flow must be the one both pick.
                let rates = (0..<plan.flows.count).map { _ in Double(rng.int(1...3)) * 1e9 }
                let links = (0..<plan.flows.count).map { LinkID($0) }
                XCTAssertEqual(flat.time(rate: { rates[$0] }, bottleneck: { links[$0] }),
                               plan.time(rates: rates, bottlenecks: links), "placement \(p)")
            }
        }
    }
}

