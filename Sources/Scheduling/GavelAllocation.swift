import Optimization

// Gavel's allocation problem and its LP (the policy's rounds, which turn an allocation into placements, are in
// Policies/GavelPolicy.swift): the problem's rows and columns, the max-min and finish-time objectives, the equal
// share they normalize by, and the classes of identical jobs that keep the max-min LP small.
extension GavelPolicy {
    /// One allocation problem: jobs (rows) × GPU types (columns).
    public struct Problem: Sendable {
        /// Work units per second of each job on each type at its GPU count; nil (or not finite and positive):
        /// it cannot run there.
        public var throughput: [[Double?]]
        /// GPUs each job needs at once.
        public var gpus: [Int]
        /// GPUs of each type.
        public var capacity: [Int]
        /// Seconds since each job's submission (finish-time only).
        public var elapsed: [Double]
        /// Work units each job has left (finish-time only).
        public var remaining: [Double]
        /// Each job's whole work in units (finish-time only).
        public var totalWork: [Double]

        /// Creates a problem; the finish-time fields default to zeros (enough for max-min).
        public init(
            throughput: [[Double?]], gpus: [Int], capacity: [Int], elapsed: [Double]? = nil, remaining: [Double]? = nil,
            totalWork: [Double]? = nil
        ) {
            self.throughput = throughput
            self.gpus = gpus
            self.capacity = capacity
            self.elapsed = elapsed ?? Array(repeating: 0, count: gpus.count)
            self.remaining = remaining ?? Array(repeating: 0, count: gpus.count)
            self.totalWork = totalWork ?? Array(repeating: 0, count: gpus.count)
        }

        /// Whether job j can run on type t.
        func usable(_ j: Int, _ t: Int) -> Bool { Self.usable(rate: throughput[j][t], gpus: gpus[j], capacity: capacity[t]) }

        /// Whether a job of `gpus` GPUs with `rate` on a type of `capacity` GPUs can run there.
        static func usable(rate: Double?, gpus: Int, capacity: Int) -> Bool {
            guard let r = rate, r.isFinite, r > 0 else { return false }
            return gpus >= 1 && gpus <= capacity
        }
    }

    /// The LP's answer.
    public struct Solution: Sendable, Equatable {
        /// Time fraction of each job on each type.
        public var x: [[Double]]
        /// Each job's equal-share throughput (0 for a job that can run nowhere).
        public var equalShareThroughput: [Double]
        /// max-min: the least normalized throughput; finish-time: the largest ρ (the bisection's feasible end).
        public var value: Double
        /// LPs solved.
        public var solves: Int
    }

    /// Solves the allocation problem for `objective`.
    public static func solve(
        _ p: Problem, objective: Objective, rhoTolerance: Double = 1e-4, rhoIterations: Int = 50
    ) throws(LPError) -> Solution {
        let (r, rowOf) = try solveByRows(p, objective: objective, rhoTolerance: rhoTolerance, rhoIterations: rhoIterations)
        return Solution(x: rowOf.map { r.x[$0] }, equalShareThroughput: r.equalShareThroughput, value: r.value, solves: r.solves)
    }

    /// `solve`, with X as distinct rows (one per class of identical jobs for max-min, one per job for finish-time)
    /// and each job's row: a policy round reads X from these rather than from a row per job (a retain and a release
    /// per job per solve showed in profiles). `equalShareThroughput` is per job.
    static func solveByRows(
        _ p: Problem, objective: Objective, rhoTolerance: Double, rhoIterations: Int, classes known: [Int32]? = nil
    ) throws(LPError) -> (solution: Solution, rowOf: [Int]) {
        let m = p.gpus.count
        let k = p.capacity.count
        guard p.throughput.count == m, p.throughput.allSatisfy({ $0.count == k }), p.elapsed.count == m,
              p.remaining.count == m, p.totalWork.count == m, known.map({ $0.count == m }) ?? true else {
            throw .invalidInput("allocation problem sizes disagree: \(m) jobs, \(k) types, \(p.throughput.count) throughput rows")
        }
        guard p.capacity.allSatisfy({ $0 >= 0 }), p.gpus.allSatisfy({ $0 >= 1 }) else {
            throw .invalidInput("GPU counts must be >= 1 per job and capacities >= 0")
        }
        // Only the equal-share throughputs are needed here: the matrix X_eq (a row per job) is not built.
        let eqThroughput = equalShareThroughput(p)
        guard objective == .maxMin else {
            let r = try solve(p, equalShare: eqThroughput, multiplicity: Array(repeating: 1, count: m), objective: objective,
                              rhoTolerance: rhoTolerance, rhoIterations: rhoIterations)
            return (r, Array(0..<m))
        }
        // Max-min over identical jobs (same GPU count, same speed on every type) has an optimum that gives them the
        // same row (the LP is convex and symmetric in them), so it is solved with one row per class of identical
        // jobs, weighted by the class size: exact, and small for traces of model-free jobs. A job joins the first
        // class with its key, so classes come in the order of their first job.
        let (representative, multiplicity, jobClass) = known.map { Self.classes(numbered: $0) } ?? Self.classes(of: p)
        let reduced = Problem(throughput: representative.map { p.throughput[$0] }, gpus: representative.map { p.gpus[$0] },
                              capacity: p.capacity)
        let r = try solveMaxMin(classes: reduced, multiplicity: multiplicity, rhoTolerance: rhoTolerance, rhoIterations: rhoIterations)
        return (Solution(x: r.x, equalShareThroughput: eqThroughput, value: r.value, solves: r.solves), jobClass)
    }

    /// Max-min over jobs already grouped into classes of identical jobs: `classes` has one row per class (its jobs'
    /// speeds and GPU count), `multiplicity` the jobs in each. The LP and the rows of X that `solveByRows` gives the
    /// jobs themselves (it calls this); the equal share counts every job (n = Σ multiplicity of the classes that can
    /// run somewhere), so it is the same number for each class's jobs. `equalShareThroughput` is per class.
    static func solveMaxMin(
        classes p: Problem, multiplicity: [Int], rhoTolerance: Double, rhoIterations: Int
    ) throws(LPError) -> Solution {
        let m = p.gpus.count
        let k = p.capacity.count
        guard p.throughput.count == m, p.throughput.allSatisfy({ $0.count == k }), multiplicity.count == m,
              multiplicity.allSatisfy({ $0 >= 1 }) else {
            throw .invalidInput("allocation classes disagree: \(m) classes, \(k) types, \(p.throughput.count) throughput rows, \(multiplicity.count) sizes")
        }
        guard p.capacity.allSatisfy({ $0 >= 0 }), p.gpus.allSatisfy({ $0 >= 1 }) else {
            throw .invalidInput("GPU counts must be >= 1 per job and capacities >= 0")
        }
        let eq = equalShare(p, multiplicity: multiplicity) { _, _, _ in }
        return try solve(p, equalShare: eq, multiplicity: multiplicity, objective: .maxMin, rhoTolerance: rhoTolerance,
                         rhoIterations: rhoIterations)
    }

    /// The classes of identical jobs of `p`: each class's first job, its size, and each job's class, classes in the
    /// order of their first job.
    private static func classes(of p: Problem) -> (representative: [Int], multiplicity: [Int], jobClass: [Int]) {
        // Classes are found by comparing keys while there are few of them (a trace's jobs fall into a handful: hashing
        // every job's key at every solve showed in profiles), by a dictionary once there are more than `scanned`.
        // Either way a job joins the first class with its key, so the classes and their order are the same.
        let scanned = 16
        var keys: [ClassKey] = []
        var classOf: [ClassKey: Int] = [:]  // looked up only, never iterated
        var representative: [Int] = []
        var multiplicity: [Int] = []
        var jobClass = [Int](repeating: 0, count: p.gpus.count)
        for j in 0..<p.gpus.count {
            let key = ClassKey(p, row: j)
            let found = keys.count <= scanned ? keys.firstIndex(of: key) : classOf[key]
            if let c = found {
                multiplicity[c] += 1
                jobClass[j] = c
            } else {
                let c = representative.count
                keys.append(key)
                if keys.count == scanned + 1 {
                    for (i, known) in keys.enumerated() { classOf[known] = i }
                } else if keys.count > scanned + 1 {
                    classOf[key] = c
                }
                jobClass[j] = c
                representative.append(j)
                multiplicity.append(1)
            }
        }
        return (representative, multiplicity, jobClass)
    }

    /// `classes(of:)` for jobs whose classes are already numbered (equal numbers exactly for equal `ClassKey`s, in any
    /// order): renumbered in the order of their first job, so the same classes in the same order.
    static func classes(numbered ids: [Int32]) -> (representative: [Int], multiplicity: [Int], jobClass: [Int]) {
        var local = [Int](repeating: -1, count: Int(ids.max() ?? -1) + 1)
        var representative: [Int] = []
        var multiplicity: [Int] = []
        var jobClass = [Int](repeating: 0, count: ids.count)
        for (j, id) in ids.enumerated() {
            let c = local[Int(id)]
            if c >= 0 {
                multiplicity[c] += 1
                jobClass[j] = c
            } else {
                local[Int(id)] = representative.count
                jobClass[j] = representative.count
                representative.append(j)
                multiplicity.append(1)
            }
        }
        return (representative, multiplicity, jobClass)
    }

    /// Identical jobs for max-min: GPU count and the bit patterns of their speeds (`.max` where unusable). The first
    /// four types' speeds are held inline, the others in `more`: an array per job per solve (allocated, then hashed
    /// through its buffer) was most of a max-min solve's own time on the ITP replay, where the LP itself is small.
    struct ClassKey: Hashable {
        var gpus: Int
        var speed0: UInt64 = .max
        var speed1: UInt64 = .max
        var speed2: UInt64 = .max
        var speed3: UInt64 = .max
        var more: [UInt64] = []

        /// A key with every one of `types` types unusable.
        init(gpus: Int, types: Int) {
            self.gpus = gpus
            if types > 4 { more = Array(repeating: .max, count: types - 4) }
        }

        /// The key of row `j` of `p`.
        init(_ p: Problem, row j: Int) { self.init(gpus: p.gpus[j], speeds: p.throughput[j], capacity: p.capacity) }

        /// The key of a job of `gpus` GPUs with `speeds` per type on types of `capacity` GPUs (a problem's row).
        init(gpus: Int, speeds: [Double?], capacity: [Int]) {
            self.init(gpus: gpus, types: capacity.count)
            for t in 0..<capacity.count where Problem.usable(rate: speeds[t], gpus: gpus, capacity: capacity[t]) {
                setSpeed(speeds[t]!.bitPattern, of: t)
            }
        }

        /// Sets the speed's bit pattern on type `t`.
        mutating func setSpeed(_ bits: UInt64, of t: Int) {
            switch t {
            case 0: speed0 = bits
            case 1: speed1 = bits
            case 2: speed2 = bits
            case 3: speed3 = bits
            default: more[t - 4] = bits
            }
        }
    }

    /// The LPs for `objective`, where row j stands for `multiplicity[j]` identical jobs with equal-share
    /// throughput `eqThroughput[j]`.
    private static func solve(
        _ p: Problem, equalShare eqThroughput: [Double], multiplicity: [Int], objective: Objective, rhoTolerance: Double,
        rhoIterations: Int
    ) throws(LPError) -> Solution {
        let m = p.gpus.count
        let k = p.capacity.count
        let eq = (x: [[Double]](), throughput: eqThroughput)
        var lp = LinearProgram(.maximize)
        // Variables x[j][t] (−1 where j cannot use t), in job-major order.
        var v = Array(repeating: Array(repeating: -1, count: k), count: m)
        for j in 0..<m { for t in 0..<k where p.usable(j, t) { v[j][t] = lp.addVariable(upper: 1) } }
        let rows = (0..<m).filter { j in v[j].contains { $0 >= 0 } }
        /// Σ_t x[j,t]·tput[j,t]·scale as LP terms.
        func throughputTerms(_ j: Int, scale: Double) -> [(Int, Double)] {
            (0..<k).compactMap { t in v[j][t] >= 0 ? (v[j][t], p.throughput[j][t]! * scale) : nil }
        }
        for t in 0..<k {
            let terms = (0..<m).compactMap { j in v[j][t] >= 0 ? (v[j][t], Double(p.gpus[j] * multiplicity[j])) : nil }
            if !terms.isEmpty { lp.addConstraint(terms, atMost: Double(p.capacity[t])) }
        }
        for j in rows { lp.addConstraint(v[j].filter { $0 >= 0 }.map { ($0, 1.0) }, atMost: 1) }
        // The efficiency objective used by the second max-min phase and every finish-time LP.
        for j in rows { for (i, c) in throughputTerms(j, scale: Double(multiplicity[j]) / eq.throughput[j]) { lp.setObjective(i, c) } }

        func matrix(_ s: LPSolution) -> [[Double]] {
            v.map { row in row.map { $0 >= 0 ? min(1, max(0, s.values[$0])) : 0 } }
        }
        guard !rows.isEmpty else {
            return Solution(x: Array(repeating: Array(repeating: 0, count: k), count: m),
                            equalShareThroughput: eq.throughput, value: 0, solves: 0)
        }

        switch objective {
        case .maxMin:
            // Phase 1: max z s.t. normalized throughput_j ≥ z.
            var phase1 = lp
            for i in 0..<phase1.variableCount { phase1.setObjective(i, 0) }
            let z = phase1.addVariable(lower: 0, upper: .infinity, objective: 1)
            for j in rows { phase1.addConstraint(throughputTerms(j, scale: 1 / eq.throughput[j]) + [(z, -1)], atLeast: 0) }
            let first = try phase1.solve()
            let best = first.values[z]
            // Phase 2: keep everyone at the minimum, use what is left.
            var phase2 = lp
            for j in rows { phase2.addConstraint(throughputTerms(j, scale: 1 / eq.throughput[j]), atLeast: best * (1 - 1e-9)) }
            let x: [[Double]]
            let solves: Int
            if let second = try? phase2.solve() {
                x = matrix(second)
                solves = 2
            } else {
                x = matrix(first)
                solves = 2
            }
            return Solution(x: x, equalShareThroughput: eq.throughput, value: best, solves: solves)

        case .finishTime:
            var solves = 0
            let constrained = rows.filter { p.remaining[$0] > 0 && p.totalWork[$0] > 0 }
            let isolated = constrained.map { p.totalWork[$0] / eq.throughput[$0] }
            /// The LP for "ρ ≤ r", or nil when some job cannot meet it at all.
            func attempt(_ r: Double) throws(LPError) -> LPSolution? {
                var f = lp
                for (c, j) in constrained.enumerated() {
                    let slack = r * isolated[c] - p.elapsed[j]
                    guard slack > 0 else { return nil }
                    f.addConstraint(throughputTerms(j, scale: 1), atLeast: p.remaining[j] / slack)
                }
                solves += 1
                do {
                    return try f.solve()
                } catch {
                    if error == .infeasible { return nil }
                    throw error
                }
            }
            var lo = 0.0
            for (c, j) in constrained.enumerated() {
                let fastest = (0..<k).compactMap { v[j][$0] >= 0 ? p.throughput[j][$0] : nil }.max()!
                lo = max(lo, (p.elapsed[j] + p.remaining[j] / fastest) / isolated[c])
            }
            guard !constrained.isEmpty else {
                let s = try lp.solve()
                return Solution(x: matrix(s), equalShareThroughput: eq.throughput, value: 0, solves: 1)
            }
            var hi = lo
            var feasible = try attempt(hi)
            var doublings = 0
            while feasible == nil {
                guard doublings < 64 else {
                    throw .numericalFailure("no feasible finish-time ratio found up to \(hi)")
                }
                lo = hi
                hi *= 2
                doublings += 1
                feasible = try attempt(hi)
            }
            var steps = 0
            while steps < rhoIterations && hi - lo > rhoTolerance * hi {
                let mid = (lo + hi) / 2
                if let s = try attempt(mid) {
                    hi = mid
                    feasible = s
                } else {
                    lo = mid
                }
                steps += 1
            }
            return Solution(x: matrix(feasible!), equalShareThroughput: eq.throughput, value: hi, solves: solves)
        }
    }

    /// Gavel's equal-share allocation X_eq and the throughput each job gets under it.
    public static func equalShare(_ p: Problem) -> (x: [[Double]], throughput: [Double]) {
        let m = p.gpus.count
        var x = Array(repeating: Array(repeating: 0.0, count: p.capacity.count), count: m)
        let tput = equalShare(p) { j, t, xt in x[j][t] = xt }
        return (x, tput)
    }

    /// The throughput each job gets under Gavel's equal share, without the matrix (what a solve needs: a row per job
    /// per solve showed in profiles of the ITP replay). The same arithmetic as `equalShare(_:)`, so the same values.
    static func equalShareThroughput(_ p: Problem) -> [Double] { equalShare(p) { _, _, _ in } }

    /// The equal share: each job's throughput under it; `entry(j, t, X_eq[j,t])` for every usable pair, in order.
    /// With `multiplicity`, row j stands for that many identical jobs (n counts them all).
    private static func equalShare(_ p: Problem, multiplicity: [Int]? = nil, _ entry: (Int, Int, Double) -> Void) -> [Double] {
        let m = p.gpus.count
        let k = p.capacity.count
        var n = 0
        for j in 0..<m where (0..<k).contains(where: { p.usable(j, $0) }) { n += multiplicity?[j] ?? 1 }
        var tput = Array(repeating: 0.0, count: m)
        for j in 0..<m {
            var c = 0
            for t in 0..<k where p.usable(j, t) { c += p.capacity[t] }
            guard c > 0 else { continue }
            let share = min(1, Double(c) / (Double(n) * Double(p.gpus[j])))
            for t in 0..<k where p.usable(j, t) {
                let xt = share * Double(p.capacity[t]) / Double(c)
                entry(j, t, xt)
                tput[j] += xt * p.throughput[j][t]!
            }
        }
        return tput
    }
}
