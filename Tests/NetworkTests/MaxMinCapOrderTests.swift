@testable import Network
import SimTestSupport
import XCTest

/// `MaxMinSolver` takes its capped flows from a heap by (cap level, flow ID) instead of sorting them first: the same
/// total order, so the same rates bit for bit. Checked against a reference that sorts the caps and picks each link
/// by a linear scan over the same lazily kept levels, on seeded random components full of ties (equal capacities,
/// weights and caps), which are where a different order would show.
final class MaxMinCapOrderTests: XCTestCase {
    func testCapHeapGivesTheSortedOrderRatesBitForBit() {
        var solver = MaxMinSolver()  // one solver for every instance: its scratch space is reused, as in a run
        withEvery("seed", in: 0..<3000) { seed in
            var rng = SeededGenerator(seed: UInt64(seed) &+ 0x5eed)
            let component = Self.randomComponent(&rng)
            var rates: [Double] = []
            solver.solve(component, rates: &rates)
            let reference = Self.sortedCapsReference(component)
            XCTAssertEqual(rates.count, reference.count, "seed \(seed)")
            for (p, (a, b)) in zip(rates, reference).enumerated() {
                XCTAssertEqual(a.bitPattern, b.bitPattern, "seed \(seed) flow \(p): \(a) vs \(b)")
            }
        }
    }

    /// A component of 1–60 flows over 1–25 links, with IDs shuffled (so local order is not ID order), paths that may
    /// repeat a link, weights, capacities and caps drawn from small sets (ties), and a few flows on no link.
    static func randomComponent(_ rng: inout SeededGenerator) -> MaxMinComponent {
        let linkCount = Int.random(in: 1...25, using: &rng)
        let flowCount = Int.random(in: 1...60, using: &rng)
        var c = MaxMinComponent()
        let linkIDs = Array(0..<Int32(linkCount * 3)).shuffled(using: &rng).prefix(linkCount)
        let flowIDs = Array(0..<Int32(flowCount * 3)).shuffled(using: &rng).prefix(flowCount)
        // Caps and weights with equal levels from different caps (0.1 / 1 = 0.2 / 2 = 0.4 / 4), and values whose sums
        // round (0.1, 0.3, 0.7, 1.1): the order two equal levels freeze in then changes a link's frozen load in its
        // last bits, and with it the rates computed from it.
        let capacityChoices: [Double] = [0, 1, 1.1, 2.3, 0.7, 3, 8, 24e9]
        let capChoices: [Double] = [.infinity, .infinity, 0.1, 0.2, 0.4, 0.3, 0.6, 1.2, 0.7, 1.4, 2.8, 24e9 / 3]
        let weightChoices: [Double] = [1, 1, 2, 4, 0.5, 1.0 / 3]
        for id in linkIDs {
            c.linkIDs.append(id)
            c.capacities.append(capacityChoices.randomElement(using: &rng)!)
        }
        var paths: [[Int32]] = []
        for id in flowIDs {
            let length = Int.random(in: 0...5, using: &rng) == 0 ? 0 : Int.random(in: 1...4, using: &rng)
            paths.append((0..<length).map { _ in Int32.random(in: 0..<Int32(linkCount), using: &rng) })
            c.flowIDs.append(id)
            c.weights.append(weightChoices.randomElement(using: &rng)!)
            c.caps.append(capChoices.randomElement(using: &rng)!)
            c.flowLinks += paths.last!
            c.flowStart.append(Int32(c.flowLinks.count))
        }
        // Each link's flows in ascending global flow ID, once per appearance, as `FlowNetwork` lists them.
        let byID = (0..<flowCount).sorted { flowIDs[flowIDs.startIndex + $0] < flowIDs[flowIDs.startIndex + $1] }
        for l in 0..<Int32(linkCount) {
            for p in byID { for m in paths[p] where m == l { c.linkFlows.append(Int32(p)) } }
            c.linkStart.append(Int32(c.linkFlows.count))
        }
        return c
    }

    /// Progressive filling as `MaxMinSolver` did before the cap heap: the capped flows sorted up front by (cap level,
    /// flow ID); each link's level kept lazily (a stored level, recomputed only when it is the lowest, and re-stored
    /// if it rose), the lowest (stored level, link ID) found by scanning every link.
    static func sortedCapsReference(_ c: MaxMinComponent) -> [Double] {
        let linkCount = c.linkCount, flowCount = c.flowCount
        var rates = [Double](repeating: 0, count: flowCount)
        var frozen = [Bool](repeating: false, count: flowCount)
        var frozenLoad = [Double](repeating: 0, count: linkCount)
        var weightSum = [Double](repeating: 0, count: linkCount)
        var activeCount = [Int32](repeating: 0, count: linkCount)
        var stored = [Double?](repeating: nil, count: linkCount)  // nil: not (or no longer) in the heap
        var capped: [(level: Double, key: Int32, local: Int)] = []
        for p in 0..<flowCount where c.flowStart[p] < c.flowStart[p + 1] && c.caps[p].isFinite {
            capped.append((c.caps[p] / c.weights[p], c.flowIDs[p], p))
        }
        capped.sort { $0.level != $1.level ? $0.level < $1.level : $0.key < $1.key }
        for i in 0..<linkCount {
            var w = 0.0
            for k in Int(c.linkStart[i])..<Int(c.linkStart[i + 1]) { w += c.weights[Int(c.linkFlows[k])] }
            weightSum[i] = w
            activeCount[i] = c.linkStart[i + 1] - c.linkStart[i]
            if activeCount[i] > 0 { stored[i] = c.capacities[i] / w }
        }
        var unfrozen = 0
        for p in 0..<flowCount {
            if c.flowStart[p] == c.flowStart[p + 1] {
                rates[p] = c.caps[p]
                frozen[p] = true
            } else {
                unfrozen += 1
            }
        }
        func freeze(_ p: Int, _ rate: Double) {
            frozen[p] = true
            rates[p] = rate
            for k in Int(c.flowStart[p])..<Int(c.flowStart[p + 1]) {
                let i = Int(c.flowLinks[k])
                frozenLoad[i] += rate
                weightSum[i] -= c.weights[p]
                activeCount[i] -= 1
            }
            unfrozen -= 1
        }
        func lowest() -> Int? {
            var best: Int?
            for i in 0..<linkCount {
                guard let s = stored[i] else { continue }
                if let b = best, !(s < stored[b]! || (s == stored[b]! && c.linkIDs[i] < c.linkIDs[b])) { continue }
                best = i
            }
            return best
        }
        var nextCap = 0
        var level = 0.0
        while unfrozen > 0 {
            var top = lowest()
            while let i = top {
                if activeCount[i] == 0 {
                    stored[i] = nil
                } else {
                    let now = max(0, c.capacities[i] - frozenLoad[i]) / weightSum[i]
                    if now <= stored[i]! { break }
                    stored[i] = now
                }
                top = lowest()
            }
            while nextCap < capped.count && frozen[capped[nextCap].local] { nextCap += 1 }
            let linkLevel = top.map { stored[$0]! } ?? .infinity
            let capLevel = nextCap < capped.count ? capped[nextCap].level : .infinity
            if capLevel <= linkLevel {
                guard capLevel.isFinite else { break }
                let p = capped[nextCap].local
                nextCap += 1
                level = max(level, capLevel)
                freeze(p, c.caps[p])
            } else {
                let i = top!
                stored[i] = nil
                level = max(level, linkLevel)
                for k in Int(c.linkStart[i])..<Int(c.linkStart[i + 1]) {
                    let p = Int(c.linkFlows[k])
                    if !frozen[p] { freeze(p, c.weights[p] * level) }
                }
            }
        }
        return rates
    }
}
