import CGLPK

/// A linear program: minimize or maximize `c·x` subject to `lower_i ≤ a_i·x ≤ upper_i` and bounds on each `x_j`,
/// solved with GLPK's primal simplex (presolver on, messages off).
///
/// Bounds use `±Double.infinity` for "none". Everything is checked before GLPK sees it (GLPK aborts the process
/// on misuse): every coefficient and bound must be finite or the matching infinity, a lower bound may not exceed
/// its upper bound, and terms must name existing variables. Repeated terms of one variable in a constraint are
/// summed; zero coefficients are dropped.
///
/// Deterministic: the same program (same variables and constraints in the same order) gives the same solution,
/// because GLPK's simplex involves no randomness and no time limit is set (only a deterministic iteration cap).
public struct LinearProgram: Sendable {
    /// Whether the objective is minimized or maximized.
    public enum Direction: Sendable { case minimize, maximize }

    /// One constraint: `lower ≤ Σ coefficient·x[variable] ≤ upper`.
    public struct Constraint: Sendable {
        /// (variable index, coefficient) pairs.
        public var terms: [(variable: Int, coefficient: Double)]
        /// Lower bound (−∞: none).
        public var lower: Double
        /// Upper bound (+∞: none).
        public var upper: Double
    }

    /// Whether to minimize or maximize.
    public var direction: Direction
    /// Objective coefficient of each variable.
    public private(set) var objective: [Double] = []
    /// Lower bound of each variable (−∞: none).
    public private(set) var lowerBounds: [Double] = []
    /// Upper bound of each variable (+∞: none).
    public private(set) var upperBounds: [Double] = []
    /// The constraints, in the order added.
    public private(set) var constraints: [Constraint] = []

    /// An empty program.
    public init(_ direction: Direction) { self.direction = direction }

    /// Number of variables.
    public var variableCount: Int { objective.count }

    /// Adds a variable and returns its index (default: x ≥ 0, objective coefficient 0).
    @discardableResult
    public mutating func addVariable(lower: Double = 0, upper: Double = .infinity, objective c: Double = 0) -> Int {
        objective.append(c)
        lowerBounds.append(lower)
        upperBounds.append(upper)
        return objective.count - 1
    }

    /// Sets the objective coefficient of `variable`.
    public mutating func setObjective(_ variable: Int, _ c: Double) {
        precondition(variable >= 0 && variable < objective.count, "no variable \(variable)")
        objective[variable] = c
    }

    /// Adds `lower ≤ Σ terms ≤ upper`.
    public mutating func addConstraint(_ terms: [(Int, Double)], lower: Double = -.infinity, upper: Double = .infinity) {
        constraints.append(Constraint(terms: terms.map { (variable: $0.0, coefficient: $0.1) }, lower: lower, upper: upper))
    }

    /// Adds `Σ terms ≤ bound`.
    public mutating func addConstraint(_ terms: [(Int, Double)], atMost bound: Double) {
        addConstraint(terms, lower: -.infinity, upper: bound)
    }

    /// Adds `Σ terms ≥ bound`.
    public mutating func addConstraint(_ terms: [(Int, Double)], atLeast bound: Double) {
        addConstraint(terms, lower: bound, upper: .infinity)
    }

    /// Adds `Σ terms = value`.
    public mutating func addConstraint(_ terms: [(Int, Double)], equalTo value: Double) {
        addConstraint(terms, lower: value, upper: value)
    }

    // MARK: - Validation

    /// The first problem with the program's numbers or indices, or nil when GLPK may be called.
    public func validationProblem() -> String? {
        func bounds(_ lo: Double, _ hi: Double, _ what: String) -> String? {
            if lo.isNaN || hi.isNaN { return "\(what) has a NaN bound" }
            if lo == .infinity { return "\(what) has lower bound +inf" }
            if hi == -.infinity { return "\(what) has upper bound -inf" }
            if lo > hi { return "\(what) has lower bound \(lo) above its upper bound \(hi)" }
            return nil
        }
        for j in 0..<variableCount {
            guard objective[j].isFinite else { return "objective coefficient of x\(j) is \(objective[j]); expected a finite number" }
            if let p = bounds(lowerBounds[j], upperBounds[j], "x\(j)") { return p }
        }
        for (i, row) in constraints.enumerated() {
            if let p = bounds(row.lower, row.upper, "constraint \(i)") { return p }
            for t in row.terms {
                guard t.variable >= 0 && t.variable < variableCount else {
                    return "constraint \(i) names x\(t.variable), but the program has \(variableCount) variables"
                }
                guard t.coefficient.isFinite else {
                    return "constraint \(i) has coefficient \(t.coefficient) on x\(t.variable); expected a finite number"
                }
            }
        }
        return nil
    }

    // MARK: - Solving

    /// Solves the program; throws `LPError` for invalid input and for every outcome other than an optimum.
    public func solve() throws(LPError) -> LPSolution {
        if let p = validationProblem() { throw .invalidInput(p) }
        let n = variableCount
        let m = constraints.count
        if n == 0 {
            // GLPK needs no help here, but an empty program is answered without it: feasible iff 0 fits every row.
            for row in constraints where !(row.lower <= 0 && 0 <= row.upper) { throw .infeasible }
            return LPSolution(objective: 0, values: [], iterations: 0)
        }
        // Merge repeated terms (GLPK rejects duplicate indices) and drop zeros, keeping first-appearance order.
        var ia: [Int32] = [0], ja: [Int32] = [0], ar: [Double] = [0]
        var slot = [Int](repeating: -1, count: n)
        for (i, row) in constraints.enumerated() {
            var touched: [Int] = []
            var values: [Double] = []
            for t in row.terms {
                if slot[t.variable] < 0 {
                    slot[t.variable] = values.count
                    touched.append(t.variable)
                    values.append(t.coefficient)
                } else {
                    values[slot[t.variable]] += t.coefficient
                }
            }
            for (k, v) in touched.enumerated() {
                slot[v] = -1
                guard values[k] != 0 else { continue }
                guard values[k].isFinite else {
                    throw .invalidInput("constraint \(i): the coefficients of x\(v) sum to \(values[k])")
                }
                ia.append(Int32(i + 1))
                ja.append(Int32(v + 1))
                ar.append(values[k])
            }
        }
        guard n < Int(Int32.max) / 2, m < Int(Int32.max) / 2, ar.count < Int(Int32.max) else {
            throw .invalidInput("program too large for GLPK (\(n) variables, \(m) constraints, \(ar.count - 1) nonzeros)")
        }

        let prob = glp_create_prob()!
        defer { glp_delete_prob(prob) }
        glp_set_obj_dir(prob, direction == .minimize ? GLP_MIN : GLP_MAX)
        if m > 0 { glp_add_rows(prob, Int32(m)) }
        glp_add_cols(prob, Int32(n))
        for (i, row) in constraints.enumerated() {
            let (type, lo, hi) = Self.glpkBounds(row.lower, row.upper)
            glp_set_row_bnds(prob, Int32(i + 1), type, lo, hi)
        }
        for j in 0..<n {
            let (type, lo, hi) = Self.glpkBounds(lowerBounds[j], upperBounds[j])
            glp_set_col_bnds(prob, Int32(j + 1), type, lo, hi)
            glp_set_obj_coef(prob, Int32(j + 1), objective[j])
        }
        if ar.count > 1 { glp_load_matrix(prob, Int32(ar.count - 1), &ia, &ja, &ar) }

        let limit = Self.iterationLimit(rows: m, columns: n)
        var code = Self.simplex(prob, presolve: true, iterationLimit: limit)
        // GLPK's presolver works to looser tolerances than the simplex (it accepted a row violated by 6e-4 in
        // testing) and reports "no primal/dual feasible solution" without telling infeasible from unbounded. So
        // those answers, and an optimum that does not satisfy the program to `feasibilityTolerance`, are checked
        // by the plain simplex (no presolver) on the same problem.
        if code == GLP_ENODFS || code == GLP_ENOPFS
            || (code == 0 && glp_get_status(prob) == GLP_OPT && violation(prob) > Self.feasibilityTolerance) {
            // From the standard basis: the one the presolver left may carry its infeasibility over.
            glp_std_basis(prob)
            code = Self.simplex(prob, presolve: false, iterationLimit: limit)
        }
        switch code {
        case 0: break
        case GLP_ENOPFS: throw .infeasible
        case GLP_EITLIM: throw .iterationLimit(Int(limit))
        case GLP_ESING, GLP_ECOND:
            throw .numericalFailure("the simplex basis became singular or ill-conditioned (glp_simplex code \(code))")
        default:
            throw .numericalFailure("glp_simplex failed with code \(code)")
        }
        switch glp_get_status(prob) {
        case GLP_OPT: break
        case GLP_NOFEAS, GLP_INFEAS: throw .infeasible
        case GLP_UNBND: throw .unbounded
        case let s: throw .numericalFailure("the simplex ended without an optimal solution (glp_get_status \(s))")
        }
        let worst = violation(prob)
        guard worst <= Self.feasibilityTolerance else {
            throw .numericalFailure("the optimum violates a constraint or bound by \(worst) (relative)")
        }
        var values = [Double](repeating: 0, count: n)
        for j in 0..<n { values[j] = glp_get_col_prim(prob, Int32(j + 1)) }
        let objectiveValue = glp_get_obj_val(prob)
        guard objectiveValue.isFinite && values.allSatisfy(\.isFinite) else {
            throw .numericalFailure("the simplex returned non-finite values")
        }
        return LPSolution(objective: objectiveValue, values: values, iterations: Int(glp_get_it_cnt(prob)))
    }

    /// Largest violation of a bound or constraint by the current primal values, relative to 1 + |bound|.
    private func violation(_ prob: OpaquePointer) -> Double {
        var x = [Double](repeating: 0, count: variableCount)
        for j in 0..<variableCount { x[j] = glp_get_col_prim(prob, Int32(j + 1)) }
        func excess(_ v: Double, _ lo: Double, _ hi: Double) -> Double {
            var e = 0.0
            if lo.isFinite { e = max(e, (lo - v) / (1 + abs(lo))) }
            if hi.isFinite { e = max(e, (v - hi) / (1 + abs(hi))) }
            return e.isNaN ? .infinity : e
        }
        var worst = 0.0
        for j in 0..<variableCount { worst = max(worst, excess(x[j], lowerBounds[j], upperBounds[j])) }
        for row in constraints {
            var activity = 0.0
            for t in row.terms { activity += t.coefficient * x[t.variable] }
            worst = max(worst, excess(activity, row.lower, row.upper))
        }
        return worst
    }

    /// How far (relative to 1 + |bound|) a returned optimum may violate a constraint or bound: GLPK's simplex
    /// works to 1e-7.
    public static let feasibilityTolerance = 1e-6

    /// GLPK's bound type and values for `lower ≤ · ≤ upper` (already validated).
    private static func glpkBounds(_ lower: Double, _ upper: Double) -> (Int32, Double, Double) {
        switch (lower.isFinite, upper.isFinite) {
        case (false, false): return (GLP_FR, 0, 0)
        case (true, false): return (GLP_LO, lower, 0)
        case (false, true): return (GLP_UP, 0, upper)
        case (true, true): return lower == upper ? (GLP_FX, lower, upper) : (GLP_DB, lower, upper)
        }
    }

    /// A deterministic simplex iteration cap, far above what a well-posed program of this size needs, so that a
    /// cycling or stalling solve ends with an error instead of hanging.
    static func iterationLimit(rows: Int, columns: Int) -> Int32 {
        Int32(min(Int(Int32.max), 100_000 + 100 * (rows + columns)))
    }

    private static func simplex(_ prob: OpaquePointer, presolve: Bool, iterationLimit: Int32) -> Int32 {
        var parm = glp_smcp()
        glp_init_smcp(&parm)
        parm.msg_lev = GLP_MSG_OFF
        parm.presolve = presolve ? GLP_ON : GLP_OFF
        parm.it_lim = iterationLimit
        return glp_simplex(prob, &parm)
    }
}

/// An optimal solution.
public struct LPSolution: Sendable, Equatable {
    /// The objective's value.
    public var objective: Double
    /// Each variable's value, by index.
    public var values: [Double]
    /// Simplex iterations GLPK took.
    public var iterations: Int

    /// Creates a solution.
    public init(objective: Double, values: [Double], iterations: Int) {
        self.objective = objective
        self.values = values
        self.iterations = iterations
    }
}

/// Why a linear program has no optimal solution, or could not be solved.
public enum LPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The program's numbers or indices are unusable (NaN, a wrong infinity, crossed bounds, an unknown variable).
    case invalidInput(String)
    /// No point satisfies every constraint and bound.
    case infeasible
    /// The objective improves without limit over the feasible set.
    case unbounded
    /// GLPK's simplex failed numerically (singular or ill-conditioned basis, or another solver failure).
    case numericalFailure(String)
    /// The simplex reached the iteration cap without an answer.
    case iterationLimit(Int)

    public var description: String {
        switch self {
        case .invalidInput(let why): return "invalid linear program: \(why)"
        case .infeasible: return "the linear program is infeasible: no point satisfies every constraint"
        case .unbounded: return "the linear program is unbounded: the objective improves without limit"
        case .numericalFailure(let why): return "the LP solver failed numerically: \(why)"
        case .iterationLimit(let n): return "the LP solver stopped at its limit of \(n) simplex iterations"
        }
    }
}
