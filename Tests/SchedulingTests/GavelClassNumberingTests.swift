import SimTestSupport
import XCTest

@testable import Scheduling

/// Gavel's max-min solve with the classes of identical jobs numbered by the policy (once per job for the whole run)
/// against the solve that finds them itself (once per solve): the same classes in the same order, so the same LP rows
/// and the same answer, bit for bit; and the policy's solve over the classes' rows alone (`solveMaxMin`) the same.
final class GavelClassNumberingTests: XCTestCase {
    func testPrenumberedClassesGiveTheSameSolution() throws {
        for seed in 1...80 {
            var rng = SeededGenerator(seed: UInt64(seed))
            let types = rng.int(1...6)
            let jobs = rng.int(1...60)
            // Few distinct speeds and sizes, so that classes repeat; nil and 0 make a type unusable.
            let speeds: [Double?] = [nil, 0, 1, 1.5, 2, 4]
            let throughput = (0..<jobs).map { _ in (0..<types).map { _ in rng.pick(speeds) } }
            let gpus = (0..<jobs).map { _ in rng.pick([1, 1, 2, 4, 8]) }
            let capacity = (0..<types).map { _ in rng.int(0...16) }
            let p = GavelPolicy.Problem(throughput: throughput, gpus: gpus, capacity: capacity)
            // Number the classes as the policy does (by first meeting, in an order of its own: here a shuffled one),
            // comparing the solve's notion of identical: GPU count and the speeds on usable types.
            func key(_ j: Int) -> [Double] {
                [Double(gpus[j])] + (0..<types).map { t in p.usable(j, t) ? throughput[j][t]! : -1 }
            }
            var numbers: [[Double]] = []
            for j in (0..<jobs).shuffled(using: &rng) where !numbers.contains(key(j)) { numbers.append(key(j)) }
            let known = (0..<jobs).map { Int32(numbers.firstIndex(of: key($0))!) }

            let found = try GavelPolicy.solveByRows(p, objective: .maxMin, rhoTolerance: 1e-4, rhoIterations: 50)
            let given = try GavelPolicy.solveByRows(p, objective: .maxMin, rhoTolerance: 1e-4, rhoIterations: 50, classes: known)
            XCTAssertEqual(given.rowOf, found.rowOf, "seed \(seed): each job's row")
            XCTAssertEqual(given.solution.x.map { $0.map(\.bitPattern) }, found.solution.x.map { $0.map(\.bitPattern) },
                           "seed \(seed): the allocation")
            XCTAssertEqual(given.solution.value.bitPattern, found.solution.value.bitPattern, "seed \(seed): the minimum")

            // The policy's own path: only the classes' rows, each weighted by its size (`solveMaxMin`). Its equal
            // share counts every job, so each class gets its jobs' equal-share throughput, bit for bit, and the LP
            // the same rows of X.
            let (representative, multiplicity, _) = GavelPolicy.classes(numbered: known)
            let classes = GavelPolicy.Problem(
                throughput: representative.map { throughput[$0] }, gpus: representative.map { gpus[$0] }, capacity: capacity)
            let byClass = try GavelPolicy.solveMaxMin(classes: classes, multiplicity: multiplicity, rhoTolerance: 1e-4, rhoIterations: 50)
            let perJob = GavelPolicy.equalShare(p).throughput
            XCTAssertEqual(byClass.equalShareThroughput.map(\.bitPattern), representative.map { perJob[$0].bitPattern },
                           "seed \(seed): equal share per class")
            XCTAssertEqual(byClass.x.map { $0.map(\.bitPattern) }, given.solution.x.map { $0.map(\.bitPattern) },
                           "seed \(seed): the classes' rows")
        }
    }

    func testClassNumbersOfTheWrongLengthAreATypedError() {
        let p = GavelPolicy.Problem(throughput: [[1], [1]], gpus: [1, 1], capacity: [2])
        XCTAssertThrowsError(try GavelPolicy.solveByRows(p, objective: .maxMin, rhoTolerance: 1e-4, rhoIterations: 50, classes: [0]))
    }
}
