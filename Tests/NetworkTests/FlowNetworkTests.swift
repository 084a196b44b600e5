import ClusterModel
import Network
import SimTestSupport
import XCTest

final class FlowNetworkTests: XCTestCase {
    // MARK: - Acceptance 2: two jobs share an oversubscribed ToR uplink

    /// Two racks of two 4-GPU micro nodes (NIC 10 GB/s, α 10 µs), oversubscription 4: each rack uplink is
    /// (2 × 10 GB/s) / 4 = 5 GB/s. Job A (gpu 0 in rack 0, gpu 8 in rack 1) and job B (gpu 4, gpu 12) each run a
    /// 2-rank ring whose rack-0 → rack-1 flow crosses rack 0's uplink and whose return flow crosses rack 1's.
    /// Together each flow gets 5/2 = 2.5 GB/s; when B leaves, A's flows get 5 GB/s at once, and only A's flows are
    /// re-solved: job C (a ring inside node 0, GPUs 1 and 2) is never touched.
    /// A's all-reduce of S = 100 MB (hierarchical, g = 1, N = 2): 2·10 µs + 2·(1/2)·S/rate
    /// = 0.04002 s shared, 0.02002 s alone.
    func testTwoJobsShareOversubscribedUplinkThenOneLeaves() {
        let topo = ClusterFixtures.microCluster(racks: 2, nodesPerRack: 2)
        let graph = LinkGraph(topology: topo, spec: FabricSpec(oversubscription: 4))
        XCTAssertEqual(graph.capacities[graph.rackUpLink[0].index], 5e9)
        let s = 100e6
        let planA = AllReducePlan(gpus: [GPUID(0), GPUID(8)], bytes: s, graph: graph)
        let planB = AllReducePlan(gpus: [GPUID(4), GPUID(12)], bytes: s, graph: graph)
        let planC = AllReducePlan(gpus: [GPUID(1), GPUID(2)], bytes: s, graph: graph)
        XCTAssertEqual(planA.algorithm, .hierarchical)
        XCTAssertEqual(planC.algorithm, .ring)
        XCTAssertTrue(planA.flows.allSatisfy { $0.path.count == 4 })

        var net = FlowNetwork(graph: graph)
        let a = net.add(planA.demands)
        XCTAssertEqual(a.changed, a.added)
        XCTAssertEqual(a.added.map { net.rate(of: $0) }, [5e9, 5e9])
        let c = net.add(planC.demands)
        XCTAssertEqual(c.changed, c.added)
        XCTAssertEqual(c.resolvedFlows, 2)
        XCTAssertEqual(c.added.map { net.rate(of: $0) }, [10e9, 10e9])

        let b = net.add(planB.demands)
        // A's flows slow down; B's are new; C's are untouched and not re-solved.
        XCTAssertEqual(b.changed, (a.added + b.added).sorted())
        XCTAssertEqual(b.resolvedFlows, 4)
        XCTAssertEqual(b.resolvedComponents, 2)
        for id in a.added + b.added { XCTAssertEqual(net.rate(of: id), 2.5e9) }
        XCTAssertEqual(net.load(on: graph.rackUpLink[0]), 5e9)
        XCTAssertEqual(net.flows(on: graph.rackUpLink[0]), [a.added[0], b.added[0]])
        XCTAssertEqual(net.bottleneck(of: a.added[0]), graph.rackUpLink[0])
        // The return flow saturates rack 1's uplink and rack 0's downlink; the lower ID (rack 0's downlink) is named.
        XCTAssertEqual(net.bottleneck(of: a.added[1]), graph.rackDownLink[0])
        let sharedTime = planA.time(rates: a.added.map { net.rate(of: $0) }).total
        XCTAssertEqual(sharedTime, 2 * 10e-6 + s / 2.5e9, accuracy: 1e-15)
        XCTAssertEqual(sharedTime, 0.04002, accuracy: 1e-12)

        let gone = net.remove(b.added)
        XCTAssertEqual(gone.changed, a.added)  // exactly A's flows
        XCTAssertEqual(gone.added, [])
        XCTAssertEqual(gone.resolvedFlows, 2)  // only A's (two one-flow components), not C's
        XCTAssertEqual(gone.resolvedComponents, 2)
        for id in a.added { XCTAssertEqual(net.rate(of: id), 5e9) }  // doubled
        for id in c.added { XCTAssertEqual(net.rate(of: id), 10e9) }
        XCTAssertEqual(net.activeFlowCount, 4)
        let aloneTime = planA.time(rates: a.added.map { net.rate(of: $0) }).total
        XCTAssertEqual(aloneTime, 0.02002, accuracy: 1e-12)
        XCTAssertEqual(aloneTime, planA.uncontendedTime(on: graph).total, accuracy: 1e-15)
    }

    /// Freed IDs are reused last-freed-first; capacity changes re-solve the link's component only.
    func testSlotReuseAndCapacityChange() {
        var net = FlowNetwork(capacities: [10, 10])
        let first = net.add([FlowDemand(path: [LinkID(0)]), FlowDemand(path: [LinkID(0)]), FlowDemand(path: [LinkID(1)])])
        XCTAssertEqual(first.added, [FlowID(0), FlowID(1), FlowID(2)])
        XCTAssertEqual(first.resolvedComponents, 2)
        XCTAssertEqual(net.rates, [5, 5, 10])
        let removed = net.remove([FlowID(0)])
        XCTAssertEqual(removed.changed, [FlowID(1)])
        XCTAssertEqual(net.rate(of: FlowID(1)), 10)
        XCTAssertFalse(net.isActive[0])
        let again = net.add(FlowDemand(path: [LinkID(1)]))
        XCTAssertEqual(again.added, [FlowID(0)])
        XCTAssertEqual(again.changed, [FlowID(0), FlowID(2)])
        XCTAssertEqual(net.rates, [5, 10, 5])
        let slower = net.setCapacity(4, of: LinkID(1))
        XCTAssertEqual(slower.changed, [FlowID(0), FlowID(2)])
        XCTAssertEqual(slower.resolvedFlows, 2)
        XCTAssertEqual(net.rates, [2, 10, 2])
        XCTAssertEqual(net.resolveAll().changed, [])
    }

    // MARK: - Acceptance 3 (incremental part)

    /// Random add/remove sequences: after every change the rates equal a full re-solve of the active flows, the
    /// max-min properties hold, and every flow not reported as changed kept exactly its rate.
    func testIncrementalEqualsFullResolve() {
        withEvery("seed", in: 0..<150) { seed in
            var rng = SeededGenerator(seed: UInt64(1_000 + seed))
            let (capacities, _) = RandomFlows.instance(&rng)
            var net = FlowNetwork(capacities: capacities)
            var live: [FlowID] = []
            for _ in 0..<25 {
                let before = net.rates
                let update: FlowUpdate
                if live.isEmpty || rng.int(0...2) > 0 {
                    let demands = (0..<rng.int(1...4)).map { _ in RandomFlows.demand(&rng, linkCount: capacities.count) }
                    update = net.add(demands)
                    live.append(contentsOf: update.added)
                    XCTAssertTrue(Set(update.added).isSubset(of: Set(update.changed)), "seed \(seed)")
                } else {
                    live.shuffle(using: &rng)
                    let k = rng.int(1...live.count)
                    let gone = Array(live.prefix(k))
                    live.removeFirst(k)
                    update = net.remove(gone)
                    XCTAssertTrue(Set(gone).isDisjoint(with: Set(update.changed)), "seed \(seed)")
                }
                XCTAssertEqual(update.changed, update.changed.sorted())
                XCTAssertEqual(net.activeFlowCount, live.count)
                // Unreported flows kept their rate bit for bit.
                let reported = Set(update.changed)
                for id in live where !reported.contains(id) && id.index < before.count {
                    XCTAssertEqual(net.rate(of: id), before[id.index], "seed \(seed): \(id) changed silently")
                }
                // Full re-solve of the same flows in ID order.
                let ordered = live.sorted()
                let demands = ordered.map { FlowDemand(path: net.paths[$0.index], weight: net.weights[$0.index], rateCap: net.caps[$0.index]) }
                let full = MaxMinSolver.rates(capacities: capacities, flows: demands)
                for (id, r) in zip(ordered, full) {
                    XCTAssertEqual(net.rate(of: id), r, accuracy: 1e-9 * max(1, r), "seed \(seed): \(id)")
                }
                RandomFlows.assertMaxMin(
                    rates: ordered.map { net.rate(of: $0) }, capacities: capacities, flows: demands, seed: seed)
                var copy = net
                XCTAssertEqual(copy.resolveAll().changed, [], "seed \(seed): a full re-solve moved rates")
            }
        }
    }

    // MARK: - Slack-link pruning

    /// Two racks of two DGX A100 nodes (8 NICs of 24 GB/s each), oversubscription 2: each rack uplink is
    /// 2 × 8 × 24 / 2 = 192 GB/s. Job A on nodes 0 and 2 runs 8 inter-node rings, whose 8 flows out of each rack
    /// can take at most 24 GB/s each (their NIC): 8 × 24 = 192, so the uplinks are slack, every flow of A is a
    /// component of its own at its bound, and no solve couples anything. Job B on nodes 1 and 3 doubles the uplinks'
    /// flows: they turn tight, A's and B's inter-node flows out of each rack become one component and share 192/16 =
    /// 12 GB/s. When B leaves they turn slack again and A's flows, re-seeded from the uplinks' flow lists, are back at
    /// 24 GB/s alone. Every step agrees with the unpruned network.
    func testSlackUplinksSplitComponentsUntilTheyTurnTight() {
        let topo = ClusterFixtures.dgxA100(nodes: 4, racks: 2)
        let graph = LinkGraph(topology: topo, spec: FabricSpec(oversubscription: 2))
        XCTAssertEqual(graph.capacities[graph.rackUpLink[0].index], 192e9)
        func node(_ n: Int) -> [GPUID] { (0..<8).map { GPUID(8 * n + $0) } }
        let planA = AllReducePlan(gpus: node(0) + node(2), bytes: 1e9, graph: graph)
        let planB = AllReducePlan(gpus: node(1) + node(3), bytes: 1e9, graph: graph)
        XCTAssertEqual(planA.algorithm, .hierarchical)
        XCTAssertEqual(planA.flows.count, 32)  // 16 intra-node, 16 inter-node
        var net = FlowNetwork(graph: graph)
        var plain = FlowNetwork(capacities: graph.capacities, pruneSlackLinks: false)
        func assertSame(_ step: String) {
            for f in 0..<net.rates.count where net.isActive[f] {
                XCTAssertEqual(net.rate(of: FlowID(f)), plain.rate(of: FlowID(f)), "\(step): flow \(f)")
            }
        }
        let up = [graph.rackUpLink[0], graph.rackUpLink[1]]
        let interA = planA.phases.first { $0.kind == .interAllReduce }!.flowIndices

        let a = net.add(planA.demands)
        _ = plain.add(planA.demands)
        assertSame("A alone")
        XCTAssertEqual(a.resolvedComponents, 32)
        XCTAssertEqual(a.resolvedFlows, 32)
        XCTAssertFalse(up.contains { net.isTight($0) })
        XCTAssertEqual(net.flows(on: up[0]).count, 8)
        for i in interA { XCTAssertEqual(net.rate(of: a.added[i]), 24e9) }

        let b = net.add(planB.demands)
        _ = plain.add(planB.demands)
        assertSame("A and B")
        XCTAssertTrue(up.allSatisfy { net.isTight($0) })
        // B's 16 intra-node flows alone, and two 16-flow components: out of rack 0, out of rack 1.
        XCTAssertEqual(b.resolvedComponents, 16 + 2)
        XCTAssertEqual(b.resolvedFlows, 32 + 16)
        for i in interA { XCTAssertEqual(net.rate(of: a.added[i]), 12e9) }
        XCTAssertEqual(b.changed, (interA.map { a.added[$0] } + b.added).sorted())

        let gone = net.remove(b.added)
        _ = plain.remove(b.added)
        assertSame("A again")
        XCTAssertFalse(up.contains { net.isTight($0) })
        XCTAssertEqual(gone.changed, interA.map { a.added[$0] }.sorted())
        XCTAssertEqual(gone.resolvedFlows, 16)
        for i in interA { XCTAssertEqual(net.rate(of: a.added[i]), 24e9) }
    }

    /// An uplink that the sum of its flows' bounds calls tight, but that the flows' feeders cannot fill: links
    /// nicA = nicB = nicC = 10, uplink = 25. Three flows nicA → uplink and three nicB → uplink: Σ bᶠ = 6 · 10 = 60 > 25,
    /// but each NIC carries at most 10, so the uplink carries at most 10 + 10 = 20 ≤ 25: slack. The two NICs are then
    /// two components of three flows, each flow at 10/3, instead of one of six. A flow nicC → uplink lifts the grouped
    /// bound to 30 > 25: the uplink turns tight and joins all seven flows; by water-filling the NIC-A and NIC-B flows
    /// freeze at 10/3 when their NICs fill, and the nicC flow rises until the uplink is full: 25 − 20 = 5. When it
    /// leaves, the uplink is slack again and the six flows are back at 10/3. Every step equals the unpruned network.
    func testUplinkFedByFewNICsStaysSlack() {
        let (nicA, nicB, nicC, up) = (LinkID(0), LinkID(1), LinkID(2), LinkID(3))
        var net = FlowNetwork(capacities: [10, 10, 10, 25])
        var plain = FlowNetwork(capacities: [10, 10, 10, 25], pruneSlackLinks: false)
        func assertSame(_ step: String) {
            for f in 0..<net.rates.count where net.isActive[f] {
                XCTAssertEqual(net.rate(of: FlowID(f)), plain.rate(of: FlowID(f)), accuracy: 1e-12, "\(step): flow \(f)")
            }
        }
        let six = Array(repeating: FlowDemand(path: [nicA, up]), count: 3) + Array(repeating: FlowDemand(path: [nicB, up]), count: 3)
        let first = net.add(six)
        _ = plain.add(six)
        assertSame("six flows")
        XCTAssertFalse(net.isTight(up))
        XCTAssertTrue(net.isTight(nicA))
        XCTAssertEqual(first.resolvedComponents, 2)
        XCTAssertEqual(first.resolvedFlows, 6)
        for f in first.added { XCTAssertEqual(net.rate(of: f), 10.0 / 3, accuracy: 1e-12) }

        let c = net.add(FlowDemand(path: [nicC, up]))
        _ = plain.add(FlowDemand(path: [nicC, up]))
        assertSame("seven flows")
        XCTAssertTrue(net.isTight(up))
        XCTAssertEqual(c.resolvedComponents, 1)
        XCTAssertEqual(c.resolvedFlows, 7)
        XCTAssertEqual(net.rate(of: c.added[0]), 5, accuracy: 1e-12)
        for f in first.added { XCTAssertEqual(net.rate(of: f), 10.0 / 3, accuracy: 1e-12) }

        let gone = net.remove(c.added)
        _ = plain.remove(c.added)
        assertSame("six again")
        XCTAssertFalse(net.isTight(up))
        XCTAssertEqual(gone.resolvedFlows, 6)
        XCTAssertEqual(net.resolveAll().changed, [], "the classes are those of the current flows")
    }

    /// Random sequences of additions, removals (some deferred, some batched and flushed at once) and capacity
    /// changes, with weights, caps and links crossed twice: after every step the pruned network's rates equal those of
    /// an unpruned network given the same changes and an independent naive water-filling (1e-9 relative), satisfy the
    /// weighted max-min properties, and a full re-solve moves none of them (the components are a function of the
    /// current flows, not of the history); flows not reported kept their rate bit for bit. The run must see links
    /// that carry flows yet are slack, and links turning tight and slack, or it would not exercise the pruning.
    func testPrunedNetworkEqualsUnprunedAfterEveryChange() {
        var slackLinks = 0
        var flips = 0
        withEvery("seed", in: 0..<200) { seed in
            var rng = SeededGenerator(seed: UInt64(7_000 + seed))
            var capacities: [Double] = (0..<rng.int(2...8)).map { _ in
                rng.int(0...1) == 0 ? Double([5, 10, 20, 40][rng.int(0...3)]) : Double.random(in: 1...100, using: &rng)
            }
            var net = FlowNetwork(capacities: capacities)
            var plain = FlowNetwork(capacities: capacities, pruneSlackLinks: false)
            var live: [FlowID] = []  // slots are reused the same way in both networks, so IDs agree
            for step in 0..<30 {
                let before = net.rates
                let tightBefore = (0..<capacities.count).map { net.isTight(LinkID($0)) }
                var reported: [FlowID] = []
                var added: [FlowID] = []
                var removed: [FlowID] = []
                let batch = rng.int(0...3) == 0 ? rng.int(2...4) : 1
                for _ in 0..<batch {
                    let deferred = batch > 1 || rng.int(0...2) == 0
                    let op = rng.int(0...9)
                    if op < 5 || live.isEmpty {
                        let demands = (0..<rng.int(1...3)).map { _ in Self.demand(&rng, linkCount: capacities.count) }
                        let u = net.add(demands, deferResolve: deferred)
                        XCTAssertEqual(u.added, plain.add(demands).added, "seed \(seed)")
                        live += u.added
                        added += u.added
                        reported += u.changed
                    } else if op < 8 || batch > 1 {
                        live.shuffle(using: &rng)
                        let k = rng.int(1...min(3, live.count))
                        let gone = Array(live.prefix(k))
                        live.removeFirst(k)
                        removed += gone
                        added.removeAll { gone.contains($0) }
                        reported += net.remove(gone, deferResolve: deferred).changed
                        _ = plain.remove(gone)
                    } else {
                        XCTAssertFalse(net.hasPendingChanges)
                        let l = rng.int(0...(capacities.count - 1))
                        let c = rng.int(0...5) == 0 ? 0 : Double.random(in: 1...60, using: &rng)
                        capacities[l] = c
                        reported += net.setCapacity(c, of: LinkID(l)).changed
                        _ = plain.setCapacity(c, of: LinkID(l))
                    }
                    if deferred && batch == 1 { reported += net.resolvePending().changed }
                }
                if batch > 1 { reported = net.resolvePending().changed }
                XCTAssertFalse(net.hasPendingChanges)
                XCTAssertEqual(reported, reported.sorted(), "seed \(seed) step \(step)")
                for id in added { XCTAssertTrue(reported.contains(id), "seed \(seed) step \(step): new \(id) not reported") }
                for id in live where !reported.contains(id) {
                    XCTAssertEqual(net.rate(of: id), before[id.index], "seed \(seed) step \(step): \(id) changed silently")
                }
                let ordered = live.sorted()
                let demands = ordered.map {
                    FlowDemand(path: net.path(of: $0), weight: net.weights[$0.index], rateCap: net.caps[$0.index])
                }
                let naive = RandomFlows.naiveMaxMin(capacities: capacities, flows: demands)
                for (k, id) in ordered.enumerated() {
                    let r = plain.rate(of: id)
                    XCTAssertEqual(net.rate(of: id), r, accuracy: 1e-9 * max(1, r), "seed \(seed) step \(step): \(id) vs unpruned")
                    XCTAssertEqual(net.rate(of: id), naive[k], accuracy: 1e-9 * max(1, naive[k]), "seed \(seed) step \(step): \(id) vs naive")
                }
                RandomFlows.assertMaxMin(
                    rates: ordered.map { net.rate(of: $0) }, capacities: capacities, flows: demands, seed: seed)
                var copy = net
                XCTAssertEqual(copy.resolveAll().changed, [], "seed \(seed) step \(step): a full re-solve moved rates")
                for l in 0..<capacities.count {
                    if !net.flows(on: LinkID(l)).isEmpty && !net.isTight(LinkID(l)) { slackLinks += 1 }
                    if net.isTight(LinkID(l)) != tightBefore[l] { flips += 1 }
                }
            }
        }
        XCTAssertGreaterThan(slackLinks, 5_000)
        XCTAssertGreaterThan(flips, 2_000)
    }

    /// A random demand over 1–4 links, a quarter of them crossing one link twice, with a random weight and, for one
    /// in five, a cap.
    private static func demand(_ rng: inout SeededGenerator, linkCount: Int) -> FlowDemand {
        var links = Array(0..<linkCount)
        links.shuffle(using: &rng)
        var path = links.prefix(rng.int(1...min(4, linkCount))).map { LinkID($0) }
        if rng.int(0...3) == 0 { path.append(path[rng.int(0...(path.count - 1))]) }
        let weight = rng.int(0...1) == 0 ? 1 : Double.random(in: 0.3...3, using: &rng)
        let cap: Double? = rng.int(0...4) == 0 ? Double.random(in: 0.5...30, using: &rng) : nil
        return FlowDemand(path: path, weight: weight, rateCap: cap)
    }
}
