import Network
import SimTestSupport
import XCTest

/// Lone flows (`FlowNetwork.tracksLoneFlows`) skip the kept bound sums and the re-classification of their links: a
/// network that tracks them must give every flow the same rate, bit for bit, report the same changes and classify
/// every link the same as one that does not, after every change, including the changes that turn a lone flow into
/// an ordinary one (a flow joining one of its links, its link's capacity changing).
final class LoneFlowTests: XCTestCase {
    func testLoneFlowsChangeNoRate() {
        var lone = 0
        var joined = 0
        withEvery("seed", in: 0..<200) { seed in
            var rng = SeededGenerator(seed: UInt64(41_000 + seed))
            // Many links, so that new flows often find all theirs empty (lone), with whole and fractional capacities.
            var capacities: [Double] = (0..<rng.int(6...16)).map { _ in
                rng.int(0...1) == 0 ? Double([5, 10, 20, 40][rng.int(0...3)]) : Double.random(in: 1...100, using: &rng)
            }
            var net = FlowNetwork(capacities: capacities)
            var reference = FlowNetwork(capacities: capacities, trackLoneFlows: false)
            XCTAssertTrue(net.tracksLoneFlows)
            XCTAssertFalse(reference.tracksLoneFlows)
            var live: [FlowID] = []
            for step in 0..<40 {
                let batch = rng.int(0...3) == 0 ? rng.int(2...4) : 1
                var reported: [FlowID] = []
                var expected: [FlowID] = []
                for _ in 0..<batch {
                    let deferred = batch > 1 || rng.int(0...2) == 0
                    let op = rng.int(0...9)
                    if op < 5 || live.isEmpty {
                        let demands = (0..<rng.int(1...3)).map { _ in Self.demand(&rng, linkCount: capacities.count) }
                        // Count what the batch exercises: flows alone on every link, and flows joining such a flow.
                        for d in demands where Set(d.path).count == d.path.count {
                            let counts = d.path.map { net.flows(on: $0).count }
                            if counts.allSatisfy({ $0 == 0 }) { lone += 1 }
                            if counts.contains(1) { joined += 1 }
                        }
                        let u = net.add(demands, deferResolve: deferred)
                        let r = reference.add(demands, deferResolve: deferred)
                        XCTAssertEqual(u.added, r.added, "seed \(seed) step \(step)")
                        live += u.added
                        reported += u.changed
                        expected += r.changed
                    } else if op < 8 || batch > 1 {
                        live.shuffle(using: &rng)
                        let k = rng.int(1...min(3, live.count))
                        let gone = Array(live.prefix(k))
                        live.removeFirst(k)
                        reported += net.remove(gone, deferResolve: deferred).changed
                        expected += reference.remove(gone, deferResolve: deferred).changed
                    } else {
                        let l = rng.int(0...(capacities.count - 1))
                        let c = rng.int(0...5) == 0 ? 0 : Double.random(in: 1...60, using: &rng)
                        capacities[l] = c
                        reported += net.setCapacity(c, of: LinkID(l)).changed
                        expected += reference.setCapacity(c, of: LinkID(l)).changed
                    }
                    if deferred && batch == 1 {
                        reported += net.resolvePending().changed
                        expected += reference.resolvePending().changed
                    }
                }
                if batch > 1 {
                    reported += net.resolvePending().changed
                    expected += reference.resolvePending().changed
                }
                XCTAssertEqual(reported, expected, "seed \(seed) step \(step): reported changes")
                // Bit for bit: the same doubles, free slots included (0).
                XCTAssertEqual(net.rates.map(\.bitPattern), reference.rates.map(\.bitPattern), "seed \(seed) step \(step)")
                for l in 0..<capacities.count {
                    XCTAssertEqual(net.isTight(LinkID(l)), reference.isTight(LinkID(l)), "seed \(seed) step \(step): link \(l)")
                    XCTAssertEqual(net.load(on: LinkID(l)).bitPattern, reference.load(on: LinkID(l)).bitPattern)
                }
                for id in live { XCTAssertEqual(net.bottleneck(of: id), reference.bottleneck(of: id), "seed \(seed) step \(step)") }
            }
        }
        // The runs must have exercised both paths.
        XCTAssertGreaterThan(lone, 500)
        XCTAssertGreaterThan(joined, 100)
    }

    /// A random flow of 1–3 links, sometimes crossing one twice, sometimes weighted or capped.
    private static func demand(_ rng: inout SeededGenerator, linkCount: Int) -> FlowDemand {
        var links = Array(0..<linkCount)
        links.shuffle(using: &rng)
        var path = links.prefix(rng.int(1...3)).map { LinkID($0) }
        if rng.int(0...5) == 0 { path.append(path[rng.int(0...(path.count - 1))]) }
        let weight = rng.int(0...1) == 0 ? 1 : Double.random(in: 0.3...3, using: &rng)
        let cap: Double? = rng.int(0...4) == 0 ? Double.random(in: 0.5...30, using: &rng) : nil
        return FlowDemand(path: path, weight: weight, rateCap: cap)
    }
}
