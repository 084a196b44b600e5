import Network
import SimTestSupport
import XCTest

final class MaxMinSolverTests: XCTestCase {
    private func ids(_ xs: [Int]) -> [LinkID] { xs.map { LinkID($0) } }

    /// Textbook case: link 0 (10) carries f0, f1; link 1 (4) carries f1, f2 → f1, f2 get 2 on link 1, f0 gets the 8 left.
    func testTwoLinksByHand() {
        let rates = MaxMinSolver.rates(
            capacities: [10, 4], flows: [FlowDemand(path: ids([0])), FlowDemand(path: ids([0, 1])), FlowDemand(path: ids([1]))])
        XCTAssertEqual(rates, [8, 2, 2])
    }

    /// A parking lot: links 0..2 of capacity 6; f0 crosses all three, f1/f2/f3 one each → 3 for everyone.
    /// With link 2 at 2: f0 and f3 get 1 there, f1 and f2 get 5.
    func testParkingLot() {
        let flows = [FlowDemand(path: ids([0, 1, 2])), FlowDemand(path: ids([0])), FlowDemand(path: ids([1])), FlowDemand(path: ids([2]))]
        XCTAssertEqual(MaxMinSolver.rates(capacities: [6, 6, 6], flows: flows), [3, 3, 3, 3])
        XCTAssertEqual(MaxMinSolver.rates(capacities: [6, 6, 2], flows: flows), [1, 5, 5, 1])
    }

    /// Weights split a bottleneck proportionally: 12 shared 1:2 → 4 and 8.
    func testWeights() {
        let rates = MaxMinSolver.rates(
            capacities: [12], flows: [FlowDemand(path: ids([0]), weight: 1), FlowDemand(path: ids([0]), weight: 2)])
        XCTAssertEqual(rates, [4, 8])
    }

    /// A capped flow takes its cap; the others share what it leaves: 10 with one flow capped at 1 → 1, 4.5, 4.5.
    func testRateCap() {
        let rates = MaxMinSolver.rates(
            capacities: [10],
            flows: [FlowDemand(path: ids([0])), FlowDemand(path: ids([0]), rateCap: 1), FlowDemand(path: ids([0]))])
        XCTAssertEqual(rates, [4.5, 1, 4.5])
    }

    /// A zero-capacity link gives its flows 0; a flow with no links gets its cap, or infinity uncapped.
    func testDegenerateFlows() {
        let rates = MaxMinSolver.rates(
            capacities: [0, 5],
            flows: [FlowDemand(path: ids([0, 1])), FlowDemand(path: ids([1])), FlowDemand(path: [], rateCap: 7), FlowDemand(path: [])])
        XCTAssertEqual(rates, [0, 5, 7, .infinity])
    }

    // MARK: - Acceptance 3: seeded property test on random small graphs

    /// Random graphs: no link over capacity; each flow at its cap or crossing a saturated link where its rate is
    /// the largest; rates equal an independent naive progressive filling.
    func testMaxMinPropertiesOnRandomGraphs() {
        withEvery("seed", in: 0..<300) { seed in
            var rng = SeededGenerator(seed: UInt64(seed))
            let (capacities, flows) = RandomFlows.instance(&rng)
            let rates = MaxMinSolver.rates(capacities: capacities, flows: flows)
            RandomFlows.assertMaxMin(rates: rates, capacities: capacities, flows: flows, seed: seed)
            let reference = RandomFlows.naiveMaxMin(capacities: capacities, flows: flows)
            for (f, (a, b)) in zip(rates, reference).enumerated() {
                XCTAssertEqual(a, b, accuracy: 1e-9 * max(1, abs(b)), "seed \(seed) flow \(f)")
            }
        }
    }
}

/// Random instances and checks shared by the solver and network property tests.
enum RandomFlows {
    /// 2–10 links with capacities from a small set (to force ties) or uniform in [1, 100]; 1–15 flows over 1–4
    /// distinct links each; a fifth of them capped.
    static func instance(_ rng: inout SeededGenerator) -> ([Double], [FlowDemand]) {
        let linkCount = rng.int(2...10)
        let capacities: [Double] = (0..<linkCount).map { _ in
            rng.int(0...1) == 0 ? Double([5, 10, 20][rng.int(0...2)]) : Double.random(in: 1...100, using: &rng)
        }
        let flowCount = rng.int(1...15)
        let flows = (0..<flowCount).map { _ in demand(&rng, linkCount: linkCount) }
        return (capacities, flows)
    }

    static func demand(_ rng: inout SeededGenerator, linkCount: Int) -> FlowDemand {
        let length = rng.int(1...min(4, linkCount))
        var links = Array(0..<linkCount)
        links.shuffle(using: &rng)
        let path = links.prefix(length).map { LinkID($0) }
        let cap: Double? = rng.int(0...4) == 0 ? Double.random(in: 0.5...30, using: &rng) : nil
        return FlowDemand(path: path, rateCap: cap)
    }

    /// Feasibility (a link's load counts a flow once per appearance in its path) and the weighted max-min bottleneck
    /// property (on rate/weight), relative tolerance 1e-9.
    static func assertMaxMin(
        rates: [Double], capacities: [Double], flows: [FlowDemand], seed: Int, file: StaticString = #filePath, line: UInt = #line
    ) {
        var load = [Double](repeating: 0, count: capacities.count)
        var maxShare = [Double](repeating: 0, count: capacities.count)
        for (f, d) in flows.enumerated() {
            XCTAssertGreaterThanOrEqual(rates[f], 0, "seed \(seed)", file: file, line: line)
            XCTAssertLessThanOrEqual(rates[f], d.rateCap * (1 + 1e-9), "seed \(seed)", file: file, line: line)
            for l in d.path {
                load[l.index] += rates[f]
                maxShare[l.index] = max(maxShare[l.index], rates[f] / d.weight)
            }
        }
        for (l, c) in capacities.enumerated() {
            XCTAssertLessThanOrEqual(load[l], c * (1 + 1e-9), "seed \(seed): link \(l) over capacity", file: file, line: line)
        }
        for (f, d) in flows.enumerated() {
            let atCap = rates[f] >= d.rateCap * (1 - 1e-9)
            let bottlenecked = d.path.contains { l in
                load[l.index] >= capacities[l.index] * (1 - 1e-9) && rates[f] / d.weight >= maxShare[l.index] * (1 - 1e-9)
            }
            XCTAssertTrue(atCap || bottlenecked, "seed \(seed): flow \(f) has no bottleneck", file: file, line: line)
        }
    }

    /// Independent reference: global water-filling, recomputing every residual from scratch each round. A flow
    /// counts once per appearance of a link in its path.
    static func naiveMaxMin(capacities: [Double], flows: [FlowDemand]) -> [Double] {
        var rate = [Double](repeating: 0, count: flows.count)
        var frozen = [Bool](repeating: false, count: flows.count)
        func times(_ d: FlowDemand, _ l: Int) -> Double { Double(d.path.filter { $0 == LinkID(l) }.count) }
        while frozen.contains(false) {
            var inc = Double.infinity
            for l in capacities.indices {
                var used = 0.0
                var weight = 0.0
                for (f, d) in flows.enumerated() where d.path.contains(LinkID(l)) {
                    used += rate[f] * times(d, l)
                    if !frozen[f] { weight += d.weight * times(d, l) }
                }
                if weight > 0 { inc = min(inc, (capacities[l] - used) / weight) }
            }
            for (f, d) in flows.enumerated() where !frozen[f] { inc = min(inc, (d.rateCap - rate[f]) / d.weight) }
            inc = max(inc, 0)
            for f in flows.indices where !frozen[f] { rate[f] += flows[f].weight * inc }
            for l in capacities.indices {
                let used = flows.indices.reduce(0.0) { $0 + rate[$1] * times(flows[$1], l) }
                guard used >= capacities[l] * (1 - 1e-12) else { continue }
                for (f, d) in flows.enumerated() where d.path.contains(LinkID(l)) { frozen[f] = true }
            }
            for (f, d) in flows.enumerated() where rate[f] >= d.rateCap * (1 - 1e-12) { frozen[f] = true }
        }
        return rate
    }
}
