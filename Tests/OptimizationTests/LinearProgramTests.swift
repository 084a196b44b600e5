import Optimization
import XCTest

/// GLPK through `LinearProgram`: optima of hand-solved programs, and a typed error (never a crash or hang) for
/// every other outcome.
final class LinearProgramTests: XCTestCase {

    // max 3x + 2y  s.t.  x + y ≤ 4,  x + 3y ≤ 6,  0 ≤ x ≤ 3,  y ≥ 0.
    // Vertices: (0,0) 0, (3,0) 9, (3,1) 11, (0,2) 4; (3,1) is on x + y = 4 and x ≤ 3 → optimum 11 at (3, 1).
    func testSmallMaximizationOptimum() throws {
        var lp = LinearProgram(.maximize)
        let x = lp.addVariable(upper: 3, objective: 3)
        let y = lp.addVariable(objective: 2)
        lp.addConstraint([(x, 1), (y, 1)], atMost: 4)
        lp.addConstraint([(x, 1), (y, 3)], atMost: 6)
        let s = try lp.solve()
        XCTAssertEqual(s.objective, 11, accuracy: 1e-9)
        XCTAssertEqual(s.values[x], 3, accuracy: 1e-9)
        XCTAssertEqual(s.values[y], 1, accuracy: 1e-9)
    }

    // min x − y  s.t.  x + y = 2,  x free,  y ≤ 1.5  →  y = 1.5, x = 0.5, objective −1.
    func testMinimizationWithEqualityAndFreeVariable() throws {
        var lp = LinearProgram(.minimize)
        let x = lp.addVariable(lower: -.infinity, objective: 1)
        let y = lp.addVariable(upper: 1.5, objective: -1)
        lp.addConstraint([(x, 1), (y, 1)], equalTo: 2)
        let s = try lp.solve()
        XCTAssertEqual(s.objective, -1, accuracy: 1e-9)
        XCTAssertEqual(s.values, [0.5, 1.5])
    }

    // Repeated terms of one variable are summed: x + x ≤ 2 is x ≤ 1; zero terms are dropped.
    func testRepeatedTermsAreSummed() throws {
        var lp = LinearProgram(.maximize)
        let x = lp.addVariable(objective: 1)
        let y = lp.addVariable(upper: 5, objective: 0)
        lp.addConstraint([(x, 1), (y, 0), (x, 1)], atMost: 2)
        XCTAssertEqual(try lp.solve().values[x], 1, accuracy: 1e-12)
    }

    // x + y ≤ 1 with x ≥ 2: infeasible (found by the presolver).
    func testInfeasibleByBounds() {
        var lp = LinearProgram(.maximize)
        let x = lp.addVariable(lower: 2, objective: 1)
        let y = lp.addVariable(objective: 1)
        lp.addConstraint([(x, 1), (y, 1)], atMost: 1)
        XCTAssertThrowsError(try lp.solve()) { XCTAssertEqual($0 as? LPError, .infeasible) }
    }

    // x + y ≤ 1 and x + 2y ≥ 3 with x, y ≥ 0: x + 2y ≤ 2(x + y) ≤ 2 < 3 → infeasible.
    func testInfeasibleByConstraints() {
        var lp = LinearProgram(.minimize)
        let x = lp.addVariable(objective: 1)
        let y = lp.addVariable(objective: 1)
        lp.addConstraint([(x, 1), (y, 1)], atMost: 1)
        lp.addConstraint([(x, 1), (y, 2)], atLeast: 3)
        XCTAssertThrowsError(try lp.solve()) { error in
            XCTAssertEqual(error as? LPError, .infeasible)
            XCTAssertTrue("\(error)".contains("infeasible"))
        }
    }

    // max x + y  s.t.  x − y ≤ 1, x, y ≥ 0: y (and x = y + 1) grow without limit.
    func testUnbounded() {
        var lp = LinearProgram(.maximize)
        let x = lp.addVariable(objective: 1)
        let y = lp.addVariable(objective: 1)
        lp.addConstraint([(x, 1), (y, -1)], atMost: 1)
        XCTAssertThrowsError(try lp.solve()) { error in
            XCTAssertEqual(error as? LPError, .unbounded)
            XCTAssertTrue("\(error)".contains("unbounded"))
        }
    }

    // Both primal and dual infeasible (y ≥ 1 and y ≤ 0, x free to grow): reported as infeasible, not unbounded.
    func testInfeasibleAndDualInfeasibleIsInfeasible() {
        var lp = LinearProgram(.maximize)
        _ = lp.addVariable(objective: 1)
        let y = lp.addVariable(objective: 0)
        lp.addConstraint([(y, 1)], atLeast: 1)
        lp.addConstraint([(y, 1)], atMost: 0)
        XCTAssertThrowsError(try lp.solve()) { XCTAssertEqual($0 as? LPError, .infeasible) }
    }

    // Numbers GLPK would abort on, or that make no sense, are rejected before GLPK is called.
    func testInvalidInputIsATypedError() {
        func assertInvalid(_ lp: LinearProgram, _ phrase: String, line: UInt = #line) {
            XCTAssertThrowsError(try lp.solve(), line: line) { error in
                guard case .invalidInput(let why)? = error as? LPError else {
                    return XCTFail("expected invalidInput, got \(error)", line: line)
                }
                XCTAssertTrue(why.contains(phrase), "\(why)", line: line)
            }
        }
        var nan = LinearProgram(.maximize)
        let a = nan.addVariable(objective: 1)
        nan.addConstraint([(a, .nan)], atMost: 1)
        assertInvalid(nan, "coefficient nan")

        var inf = LinearProgram(.maximize)
        let b = inf.addVariable(objective: .infinity)
        inf.addConstraint([(b, 1)], atMost: 1)
        assertInvalid(inf, "objective coefficient")

        var crossed = LinearProgram(.maximize)
        _ = crossed.addVariable(lower: 2, upper: 1, objective: 1)
        assertInvalid(crossed, "above its upper bound")

        var crossedRow = LinearProgram(.maximize)
        let c = crossedRow.addVariable(objective: 1)
        crossedRow.addConstraint([(c, 1)], lower: 3, upper: 2)
        assertInvalid(crossedRow, "constraint 0 has lower bound 3.0 above")

        var unknown = LinearProgram(.maximize)
        let d = unknown.addVariable(upper: 1, objective: 1)
        unknown.addConstraint([(d, 1), (7, 1)], atMost: 1)
        assertInvalid(unknown, "names x7")

        var nanBound = LinearProgram(.minimize)
        _ = nanBound.addVariable(lower: .nan)
        assertInvalid(nanBound, "NaN bound")

        var wrongInfinity = LinearProgram(.minimize)
        let e = wrongInfinity.addVariable()
        wrongInfinity.addConstraint([(e, 1)], atLeast: .infinity)
        assertInvalid(wrongInfinity, "lower bound +inf")

        var overflow = LinearProgram(.minimize)
        let f = overflow.addVariable(upper: 1)
        overflow.addConstraint([(f, .greatestFiniteMagnitude), (f, .greatestFiniteMagnitude)], atMost: 1)
        assertInvalid(overflow, "sum to inf")
    }

    // A program without variables: feasible iff 0 satisfies every constraint.
    func testEmptyProgram() throws {
        var lp = LinearProgram(.maximize)
        XCTAssertEqual(try lp.solve().values, [])
        lp.addConstraint([], atLeast: 1)
        XCTAssertThrowsError(try lp.solve()) { XCTAssertEqual($0 as? LPError, .infeasible) }
    }

    // A degenerate program with many optimal vertices (max Σx s.t. Σx ≤ 1 over 20 variables) gives the same
    // vertex on every solve.
    func testSameProgramSameSolution() throws {
        var lp = LinearProgram(.maximize)
        let xs = (0..<20).map { _ in lp.addVariable(objective: 1) }
        lp.addConstraint(xs.map { ($0, 1.0) }, atMost: 1)
        lp.addConstraint(xs.prefix(10).map { ($0, 2.0) }, atMost: 1.5)
        let first = try lp.solve()
        XCTAssertEqual(first.objective, 1, accuracy: 1e-12)
        for _ in 0..<5 { XCTAssertEqual(try lp.solve(), first) }
    }
}
