import Network
import SimTestSupport
import XCTest

/// Reserved slots (`FlowNetwork.reserve`, `release`, `addLone`): a network that keeps groups of lone flows out,
/// reserving their IDs, and adds them only when a flow is about to join one of their links, must hand out the same
/// IDs, give every flow it holds the same rate, report the same changes (but for the held-out flows' first report) and
/// carry the same loads as one that held every flow all along, bit for bit.
final class ReservedSlotTests: XCTestCase {
    /// A group of flows added together: its IDs and demands; while held out, whether a re-solve has run since.
    private struct Group {
        var ids: [FlowID]
        var demands: [FlowDemand]
        var heldOut: Bool
        var settled: Bool
    }

    func testHeldOutLoneFlowsChangeNothing() {
        var heldOutCount = 0, joinedSettled = 0, joinedPending = 0
        withEvery("seed", in: 0..<150) { seed in
            var rng = SeededGenerator(seed: UInt64(52_000 + seed))
            let capacities: [Double] = (0..<rng.int(8...20)).map { _ in
                rng.int(0...1) == 0 ? Double([5, 10, 20, 40][rng.int(0...3)]) : Double.random(in: 1...100, using: &rng)
            }
            var net = FlowNetwork(capacities: capacities)
            var reference = FlowNetwork(capacities: capacities)
            var groups: [Group] = []
            var linkGroup = [Int](repeating: -1, count: capacities.count)  // the held-out group on each link
            for step in 0..<40 {
                for _ in 0..<rng.int(1...3) {
                    let live = groups.indices.filter { !groups[$0].ids.isEmpty }
                    if live.isEmpty || rng.int(0...2) > 0 {
                        let demands = (0..<rng.int(1...3)).map { _ in Self.demand(&rng, linkCount: capacities.count) }
                        let links = demands.flatMap(\.path)
                        let lone = Set(links).count == links.count && links.allSatisfy { reference.flowCount(on: $0) == 0 }
                        let r = reference.add(demands, deferResolve: true)
                        if lone && rng.int(0...2) > 0 {
                            var ids: [FlowID] = []
                            net.reserve(demands.count, into: &ids)
                            XCTAssertEqual(ids, r.added, "seed \(seed) step \(step): reserved IDs")
                            for l in links { linkGroup[l.index] = groups.count }
                            groups.append(Group(ids: ids, demands: demands, heldOut: true, settled: false))
                            heldOutCount += 1
                        } else {
                            // Held-out groups on these links enter first, as they would be there.
                            for l in links where linkGroup[l.index] >= 0 {
                                let g = linkGroup[l.index]
                                if groups[g].settled { joinedSettled += 1 } else { joinedPending += 1 }
                                join(&groups[g], into: &net)
                                for m in groups[g].demands.flatMap(\.path) { linkGroup[m.index] = -1 }
                            }
                            let u = net.add(demands, deferResolve: true)
                            XCTAssertEqual(u.added, r.added, "seed \(seed) step \(step): IDs")
                            groups.append(Group(ids: u.added, demands: demands, heldOut: false, settled: false))
                        }
                    } else {
                        let g = live[rng.int(0...(live.count - 1))]
                        _ = reference.remove(groups[g].ids, deferResolve: true)
                        if groups[g].heldOut {
                            net.release(groups[g].ids)
                            for l in groups[g].demands.flatMap(\.path) { linkGroup[l.index] = -1 }
                        } else {
                            _ = net.remove(groups[g].ids, deferResolve: true)
                        }
                        groups[g].ids = []
                    }
                }
                let r = reference.resolvePending(), u = net.resolvePending()
                // The reference reports a held-out group's flows once, when new; nothing else differs.
                let heldOut = Set(groups.filter(\.heldOut).flatMap(\.ids))
                XCTAssertEqual(u.changed, r.changed.filter { !heldOut.contains($0) }, "seed \(seed) step \(step): reported")
                for g in groups.indices where groups[g].heldOut { groups[g].settled = true }
                for id in net.isActive.indices where net.isActive[id] {
                    XCTAssertEqual(net.rates[id].bitPattern, reference.rates[id].bitPattern, "seed \(seed) step \(step): flow\(id)")
                }
                var loads = net.loads()
                for g in groups where g.heldOut {
                    for (id, d) in zip(g.ids, g.demands) {
                        // Held out, each flow runs at its bound: the reference agrees.
                        let bound = d.path.reduce(d.rateCap) { min($0, capacities[$1.index]) }
                        XCTAssertEqual(reference.rate(of: id).bitPattern, bound.bitPattern, "seed \(seed) step \(step): \(id)")
                        for l in d.path { loads[l.index] += bound }
                    }
                }
                XCTAssertEqual(loads.map(\.bitPattern), reference.loads().map(\.bitPattern), "seed \(seed) step \(step): loads")
                for l in 0..<capacities.count {
                    XCTAssertEqual(net.isTight(LinkID(l)), reference.isTight(LinkID(l)), "seed \(seed) step \(step): link \(l)")
                }
            }
        }
        XCTAssertGreaterThan(heldOutCount, 200)
        XCTAssertGreaterThan(joinedSettled, 100)
        XCTAssertGreaterThan(joinedPending, 20)
    }

    /// Adds a held-out group into its reserved slots.
    private func join(_ group: inout Group, into net: inout FlowNetwork) {
        guard group.heldOut else { return }
        // One weight per call: groups of mixed weights go in one flow at a time (a slot each).
        for (i, d) in group.demands.enumerated() {
            net.addLone(into: [group.ids[i]], pathLinks: d.path, pathStart: [0, Int32(d.path.count)], weight: d.weight,
                        caps: [d.rateCap], settled: group.settled)
        }
        group.heldOut = false
    }

    // Reserving hands out the IDs an addition would, releasing frees them as a removal would, and a reserved slot is
    // neither active nor free: it cannot be removed or released twice.
    func testReserveAndReleaseFollowTheFreeList() {
        var net = FlowNetwork(capacities: [10, 10, 10])
        var reference = FlowNetwork(capacities: [10, 10, 10])
        let a = net.add([FlowDemand(path: [LinkID(0)]), FlowDemand(path: [LinkID(1)])]).added
        XCTAssertEqual(reference.add([FlowDemand(path: [LinkID(0)]), FlowDemand(path: [LinkID(1)])]).added, a)
        _ = net.remove([a[1], a[0]])
        _ = reference.remove([a[1], a[0]])
        var ids: [FlowID] = []
        net.reserve(3, into: &ids)
        let r = reference.add([FlowDemand(path: [LinkID(2)]), FlowDemand(path: [LinkID(1)]), FlowDemand(path: [LinkID(0)])]).added
        XCTAssertEqual(ids, r, "last freed first, then a new slot")
        XCTAssertEqual(net.activeFlowCount, 0)
        XCTAssertFalse(net.isActive[ids[0].index])
        net.release([ids[2], ids[0], ids[1]])
        _ = reference.remove([r[2], r[0], r[1]])
        XCTAssertEqual(net.add([FlowDemand(path: [LinkID(0)])]).added, reference.add([FlowDemand(path: [LinkID(0)])]).added)
        // Filled while lone and settled: the rate an addition and a re-solve give.
        var more: [FlowID] = []
        net.reserve(1, into: &more)
        let expected = reference.add([FlowDemand(path: [LinkID(1), LinkID(2)], weight: 0.5, rateCap: 7)]).added
        XCTAssertEqual(more, expected)
        net.addLone(into: more, pathLinks: [LinkID(1), LinkID(2)], pathStart: [0, 2], weight: 0.5, caps: [7], settled: true)
        XCTAssertEqual(net.rate(of: more[0]), 7)
        XCTAssertEqual(net.rates.map(\.bitPattern), reference.rates.map(\.bitPattern))
        XCTAssertEqual(net.activeFlowCount, reference.activeFlowCount)
    }

    /// A random flow of 1–3 distinct links, sometimes weighted or capped.
    private static func demand(_ rng: inout SeededGenerator, linkCount: Int) -> FlowDemand {
        var links = Array(0..<linkCount)
        links.shuffle(using: &rng)
        let path = links.prefix(rng.int(1...3)).map { LinkID($0) }
        let weight = rng.int(0...1) == 0 ? 1 : Double.random(in: 0.3...3, using: &rng)
        let cap: Double? = rng.int(0...4) == 0 ? Double.random(in: 0.5...30, using: &rng) : nil
        return FlowDemand(path: path, weight: weight, rateCap: cap)
    }
}
