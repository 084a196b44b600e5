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
}
