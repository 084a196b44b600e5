import Scheduling
import SimTestSupport
import XCTest

/// `GittinsIndex` on hand-computed cases: G(a) = k / (σ − k·a + (m − k)·Δ) over the m samples above a, of which k
/// (summing to σ) lie in (a, a + Δ].
final class GittinsIndexTests: XCTestCase {
    // Samples 100, 200, 1000, 5000; Δ = 500.
    // a = 0: m = 4, in (0, 500]: 100, 200 (k = 2, σ = 300); E·m = 300 + 2·500 = 1300: G = 2/1300.
    // a = 150: m = 3, in (150, 650]: 200 (k = 1, σ = 200); E·m = 200 − 150 + 2·500 = 1050: G = 1/1050.
    // a = 600: m = 2, in (600, 1100]: 1000 (k = 1); E·m = 400 + 1·500 = 900: G = 1/900.
    // a = 1200: m = 1 (5000), none in (1200, 1700]: G = 0. a = 5000: no sample above: G = 0.
    func testHandComputedIndices() {
        let g = GittinsIndex(samples: [1000, 100, 5000, 200], quantum: 500)
        XCTAssertEqual(g.samples, [100, 200, 1000, 5000])
        XCTAssertEqual(g.index(atService: 0), 2.0 / 1300, accuracy: 1e-15)
        XCTAssertEqual(g.index(atService: 150), 1.0 / 1050, accuracy: 1e-15)
        XCTAssertEqual(g.index(atService: 600), 1.0 / 900, accuracy: 1e-15)
        XCTAssertEqual(g.index(atService: 1200), 0)
        XCTAssertEqual(g.index(atService: 5000), 0)
        XCTAssertEqual(g.index(atService: 1e12), 0)
    }

    // The quantum's end is inclusive, its start exclusive: at a = 100 the sample 100 is behind the job (not above it),
    // and 600 = a + Δ counts as inside. Samples 100, 600; Δ = 500: a = 100 → m = 1, k = 1, σ = 600: G = 1/500.
    func testQuantumBoundsAreExclusiveThenInclusive() {
        let g = GittinsIndex(samples: [100, 600], quantum: 500)
        XCTAssertEqual(g.index(atService: 100), 1.0 / 500, accuracy: 1e-15)
        // a = 99.5: both samples above; 100 and 599.5 < 600: only 100 inside. E·m = 0.5 + 500 = 500.5.
        XCTAssertEqual(g.index(atService: 99.5), 1.0 / 500.5, accuracy: 1e-15)
    }

    // A two-point distribution, short and long: a new job is likely short (high index); one that has outlived the short
    // mass is surely long and has no chance of finishing within a quantum shorter than what is left (index 0). This is
    // what lets 2D-Gittins preempt inside a queue where LAS keeps FIFO.
    func testOutlivingTheShortMassDropsTheIndexToZero() {
        let g = GittinsIndex(samples: [100, 100, 10_000, 10_000], quantum: 3250)
        XCTAssertEqual(g.index(atService: 0), 2.0 / (200 + 2 * 3250), accuracy: 1e-15)
        XCTAssertEqual(g.index(atService: 200), 0)
        // Within a quantum of the long mass the index rises again: a = 7000 → k = 2, σ = 20,000: G = 2 / 6000.
        XCTAssertEqual(g.index(atService: 7000), 2.0 / 6000, accuracy: 1e-15)
    }

    // Seeded: the closed form equals the definition (conditional probability over conditional expectation), evaluated
    // sample by sample, on random samples, quanta and services; and it is never negative or NaN.
    func testClosedFormMatchesTheDefinition() {
        var rng = SeededGenerator(seed: 20261203)
        for _ in 0..<300 {
            let n = rng.int(1...40)
            let samples = (0..<n).map { _ in Double(rng.int(0...5000)) }
            let quantum = Double(rng.int(1...3000))
            let g = GittinsIndex(samples: samples, quantum: quantum)
            for _ in 0..<10 {
                let a = Double(rng.int(0...5500))
                let alive = samples.filter { $0 > a }
                let index = g.index(atService: a)
                XCTAssertFalse(index.isNaN)
                XCTAssertGreaterThanOrEqual(index, 0)
                guard !alive.isEmpty else { XCTAssertEqual(index, 0); continue }
                let p = Double(alive.filter { $0 - a <= quantum }.count) / Double(alive.count)
                let e = alive.map { min($0 - a, quantum) }.reduce(0, +) / Double(alive.count)
                XCTAssertEqual(index, p / e, accuracy: 1e-12 * max(1, p / e), "samples \(samples), Δ \(quantum), a \(a)")
            }
        }
    }

    // Seeded: searching from a cursor (forward as a running job's service grows, backward after a promotion resets it,
    // by small and large steps) gives the plain search's index bit for bit.
    func testCursorSearchMatchesThePlainSearch() {
        var rng = SeededGenerator(seed: 31)
        for _ in 0..<200 {
            let n = rng.int(1...300)
            let samples = (0..<n).map { _ in Double(rng.int(0...2000)) }
            let g = GittinsIndex(samples: samples, quantum: Double(rng.int(1...500)))
            var cursor = GittinsIndex.Cursor()
            var a = 0.0
            for _ in 0..<50 {
                switch rng.below(4) {
                case 0: a += Double(rng.int(0...3))
                case 1: a += Double(rng.int(0...800))
                case 2: a = max(0, a - Double(rng.int(0...800)))
                default: a = Double(rng.int(0...2600))
                }
                XCTAssertEqual(g.index(atService: a, cursor: &cursor).bitPattern, g.index(atService: a).bitPattern,
                               "a \(a), samples \(samples.sorted())")
            }
        }
    }
}
