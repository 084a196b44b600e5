import ClusterModel
import Optimization
import Performance
import SimKernel
import Workload

/// Gavel: heterogeneity-aware allocation (Narayanan et al., "Heterogeneity-Aware Cluster Scheduling Policies for
/// Deep Learning Workloads", OSDI 2020), with the allocation LP solved by GLPK.
///
/// **Allocation.** An allocation X gives each active job j a fraction of time X[j,t] on each GPU type t, subject to
/// Σ_j X[j,t]·gpus_j ≤ (GPUs of type t), Σ_t X[j,t] ≤ 1, 0 ≤ X[j,t] ≤ 1, and X[j,t] = 0 where j cannot run on t
/// (not an eligible type, fewer GPUs of t than it needs, or no speed there). tput[j,t] is the job's isolated work
/// rate on `gpus_j` packed GPUs of type t (the throughput oracle; the reference rate when a snapshot has none).
/// Its *equal-share* throughput is tput_eq[j] = Σ_t X_eq[j,t]·tput[j,t] with
/// X_eq[j,t] = min(1, C_j / (n·gpus_j)) · N_t / C_j, where n is the number of jobs in the LP, N_t the GPUs of type t
/// and C_j the GPUs of the types j can use: the job's 1/n share of those GPUs' time, spread over its types in
/// proportion to their size and capped at the whole time (Gavel's normalisation, X^equal; for one GPU type and
/// 1-GPU jobs it is a 1/n time share of the cluster).
/// - `max-min` (default): maximize min_j Σ_t X[j,t]·tput[j,t] / tput_eq[j] (an LP with one extra variable z); then,
///   with every job kept at that minimum (to a relative 1e-9), maximize Σ_j of the same normalized throughputs, so
///   that jobs the minimum does not bind get the capacity left (a deterministic choice among the optimal X).
///   On one GPU type this is equal (GPU-)time sharing. Identical jobs (same GPU count and speeds) are solved as one
///   row weighted by their number, which is exact (the LP is convex and symmetric in them) and keeps the LP small
///   for traces of model-free jobs.
/// - `finish-time`: minimize max_j ρ_j, ρ_j = (elapsed_j + remaining_j / Σ_t X[j,t]·tput[j,t]) / T_iso_j, where
///   T_iso_j = total work_j / tput_eq[j] is its finish time under the equal share from submission (Themis' finish-time
///   fairness, as Gavel formulates it). Not linear in X, so ρ is bisected: ρ ≤ R is the LP feasibility question
///   Σ_t X[j,t]·tput[j,t] ≥ remaining_j / (R·T_iso_j − elapsed_j) for every job (infeasible when R·T_iso_j ≤ elapsed_j),
///   from the lower bound max_j (elapsed_j + remaining_j / max_t tput[j,t]) / T_iso_j, doubling up to 64 times to a
///   feasible R, then halving the bracket until it is within `rho_tolerance` of its upper end or after
///   `rho_iterations` steps. X is the solution at the feasible end, maximizing Σ_j normalized throughput.
///
/// **Rounds.** Every `round_s` (360 s, Gavel's round length) from the first call, the policy re-solves the LP if the
/// set of active jobs (waiting or holding GPUs) changed since its last solve, else it keeps X (a cheap round), and
/// turns X into placements with Gavel's priorities: priority[j,t] = X[j,t] / (f[j,t] + `priority_epsilon`), where
/// f[j,t] is the fraction of its time since submission that j has received on type t (tracked by the policy, in whole
/// nanoseconds: from each call that starts or moves j to the last call that sees it holding those GPUs). Pairs (j,t)
/// are taken in decreasing priority (then JobID, then type index); a job is assigned to the first pair whose type still
/// has enough GPUs. Pairs with X[j,t] = 0 follow, jobs with the least
/// received time first, so GPUs are not left idle when a job could use them. A running job assigned its current
/// type keeps its GPUs; one assigned another type migrates; one not assigned is preempted. A free preemption's GPUs
/// are reused in the same call; a preemption that checkpoints keeps them held until it ends
/// (`ClusterSnapshot.preemptionFreesGPUsAtOnce`), and the starts that need them follow 1 ns later, in a follow-up
/// call the policy asks for. The policy asks to be woken at the next
/// boundary unless that round could change nothing (nobody waits and every job runs on a type holding all of its
/// allocation, X = 1): the next arrival or completion then starts a round if a boundary has passed. Between boundaries (arrivals, completions) it never preempts; with `fill_idle` it
/// starts waiting jobs on free GPUs (least received time first, on their highest-X, then fastest, type).
///
/// **Allocation resets** (`allocation_reset_s` > 0, off by default). Gavel's own simulator (stanford-futuredata/gavel
/// `scheduler/scheduler.py`, `_update_priorities` and `_reset_time_run_so_far`; `minimum_time_between_allocation_resets`
/// is 1920 s there) recomputes the allocation only when the active set changed *and* that long has passed since the
/// last recomputation, and then starts every job's received time afresh. With it set: a changed active set waits for
/// that; a job that arrived since the last solve has no X (as Gavel's priority 0) and runs only on GPUs the allocated
/// jobs leave; f[j,t] counts from the last solve (or the job's submission, if later); at each solve every active job's
/// deficit on each type grows by what its old X promised since the solve before (X × elapsed) less what it received;
/// and pairs of equal priority go by deficit, then X, largest first, then as above, while pairs with X = 0 all have
/// priority 0 (not ranked by received time). Not modeled: the simulator's half-round initial credit (each job starts a
/// reset with half a round received, so no fraction is 0) and its fractions' denominator (all jobs' time on the type,
/// not the time elapsed: on one type this orders jobs the same way).
///
/// A job larger than every single type it may use (it can only run across types) has no LP row; it takes part in
/// the round with priority min(1, C_j/(n·gpus_j)) / (f_j + ε) on the total fraction f_j it received, and is placed
/// on any of its types. If an LP ever fails (it should not: the max-min LP is always feasible and bounded), the
/// round uses the equal-share allocation X_eq instead.
/// - Complexity: per boundary that re-solves, one or two LPs of (jobs × types) variables (finish-time: about
///   log2(range / tolerance) of them); every boundary O(active jobs × types) plus placement; a call between
///   boundaries O(job shapes + waiting jobs whose shape fits the free GPUs + jobs in transition) plus placement
///   (received time is kept per allocation, not per call).
public struct GavelPolicy: SchedulingPolicy {
    public static let name = "gavel"

    /// What the allocation LP optimizes.
    public enum Objective: String, Sendable, CaseIterable {
        /// Maximize the minimum normalized throughput (Gavel's heterogeneity-aware LAS / max-min fairness).
        case maxMin = "max-min"
        /// Minimize the maximum finish-time fairness ratio ρ (Gavel's finish-time fairness).
        case finishTime = "finish-time"
    }

    /// Scenario parameters of `gavel`.
    public struct Parameters: Decodable, Sendable, Equatable {
        /// The allocation objective.
        public var objective: Objective = .maxMin
        /// Round length in seconds.
        public var roundSeconds: Double = 360
        /// ε in priority = X / (received fraction + ε).
        public var priorityEpsilon: Double = 1e-3
        /// Start waiting jobs on idle GPUs between round boundaries.
        public var fillIdle: Bool = true
        /// Relative tolerance of the finish-time bisection.
        public var rhoTolerance: Double = 1e-4
        /// Most bisection steps of the finish-time objective.
        public var rhoIterations: Int = 50
        /// Least seconds between two solves of the allocation, with priorities counted from the last solve (Gavel's
        /// simulator: `minimum_time_between_allocation_resets`); 0: a solve at every boundary whose active set changed,
        /// priorities counted from each job's submission.
        public var allocationResetSeconds: Double = 0

        static let documentation = [
            "objective: max-min (maximize the least throughput relative to an equal share) or finish-time (minimize the largest finish-time fairness ratio rho) (max-min)",
            "round_s: round length in seconds, 1 to 1e9; the allocation is re-solved at a boundary only when the set of active jobs changed (360)",
            "priority_epsilon: epsilon in priority = X / (fraction of time received + epsilon), in (0, 1] (0.001)",
            "fill_idle: between round boundaries, start waiting jobs on idle GPUs (never preempting) (true)",
            "rho_tolerance: finish-time bisection stops when the bracket is within this fraction of its upper end, in (0, 0.5] (0.0001)",
            "rho_iterations: at most this many finish-time bisection steps, 1 to 200 (50)",
            "allocation_reset_s: 0, or seconds in 1...1e9: the allocation is re-solved at most this often, jobs that arrived since wait for GPUs no allocated job uses, and received time counts from the last solve, as in Gavel's simulator (minimum_time_between_allocation_resets, 1920 there) (0: every boundary whose active set changed; received time since submission)",
        ]

        /// Parameters (defaults: Gavel's max-min policy with 6-minute rounds).
        public init(
            objective: Objective = .maxMin, roundSeconds: Double = 360, priorityEpsilon: Double = 1e-3,
            fillIdle: Bool = true, rhoTolerance: Double = 1e-4, rhoIterations: Int = 50,
            allocationResetSeconds: Double = 0
        ) {
            self.objective = objective
            self.roundSeconds = roundSeconds
            self.priorityEpsilon = priorityEpsilon
            self.fillIdle = fillIdle
            self.rhoTolerance = rhoTolerance
            self.rhoIterations = rhoIterations
            self.allocationResetSeconds = allocationResetSeconds
        }

        private enum CodingKeys: String, CodingKey {
            case objective, roundSeconds = "round_s", priorityEpsilon = "priority_epsilon", fillIdle = "fill_idle"
            case rhoTolerance = "rho_tolerance", rhoIterations = "rho_iterations"
            case allocationResetSeconds = "allocation_reset_s"
        }

        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: ["objective", "round_s", "priority_epsilon", "fill_idle", "rho_tolerance", "rho_iterations", "allocation_reset_s"])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let name = try c.decodeIfPresent(String.self, forKey: .objective) {
                guard let o = Objective(rawValue: name) else {
                    throw c.invalid(.objective, "unknown objective '\(name)'; expected one of: \(Objective.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                objective = o
            }
            roundSeconds = try PolicyPeriod.decode(c, .roundSeconds, default: 360)
            priorityEpsilon = try c.decodeIfPresent(Double.self, forKey: .priorityEpsilon) ?? 1e-3
            guard priorityEpsilon > 0 && priorityEpsilon <= 1 else {
                throw c.invalid(.priorityEpsilon, "expected a number in (0, 1], got \(priorityEpsilon)")
            }
            fillIdle = try c.decodeIfPresent(Bool.self, forKey: .fillIdle) ?? true
            rhoTolerance = try c.decodeIfPresent(Double.self, forKey: .rhoTolerance) ?? 1e-4
            guard rhoTolerance > 0 && rhoTolerance <= 0.5 else {
                throw c.invalid(.rhoTolerance, "expected a number in (0, 0.5], got \(rhoTolerance)")
            }
            rhoIterations = try c.decodeIfPresent(Int.self, forKey: .rhoIterations) ?? 50
            guard (1...200).contains(rhoIterations) else {
                throw c.invalid(.rhoIterations, "expected an integer from 1 to 200, got \(rhoIterations)")
            }
            let reset = try c.decodeIfPresent(Double.self, forKey: .allocationResetSeconds) ?? 0
            guard reset == 0 || (reset.isFinite && (PolicyPeriod.minimumSeconds...1e9).contains(reset)) else {
                throw c.invalid(.allocationResetSeconds, "expected 0 or seconds in \(PolicyPeriod.range()), got \(reset)")
            }
            allocationResetSeconds = reset == 0 ? 0 : reset
        }
    }

    // MARK: - The policy

    /// The parameters in force.
    public let parameters: Parameters
    /// GPUs per type (filled on the first call).
    private var capacity: [Int] = []
    /// Active jobs of the last solve, ascending, and their allocation: distinct rows, and each job's row (by its index
    /// in `solvedJobs`).
    private var solvedJobs: [JobID] = []
    private var allocationRows: [[Double]] = []
    private var allocationRowOf: [Int] = []
    private var hasSolved = false
    /// When the allocation was last solved (with `allocation_reset_s`, the time received is counted from then).
    private var lastSolve: SimTime?
    /// With `allocation_reset_s`: each job's deficit on each type, job-major (`index × types + type`): at every solve,
    /// the time its last allocation promised it since the solve before (X × elapsed) less the time it received, summed
    /// over solves (Gavel's simulator, `_reset_time_run_so_far`); it orders pairs of equal priority, largest first.
    private var deficits: [Double] = []
    /// Time each job has held GPUs of each type (typed once the cluster is known, at the first call); read by tests.
    private(set) var received = GavelReceivedTime(types: 0)
    /// Each job's submission time, by JobID index (the priorities read it for every active job at every boundary, and
    /// reading it from each job's status missed the cache).
    private var submitTimes: [SimTime] = []
    /// Each job's speed on each type, asked of the oracle once per job.
    private var speeds = SpeedTable(types: 0)
    /// Each job's class of identical jobs for max-min (`ClassKey`), numbered in the order first met, by JobID index
    /// (−1: not yet met), and the numbers by key: a job's key never changes, so it is made once per job, not per solve.
    private var classNumber: [Int32] = []
    private var classNumbers: [ClassKey: Int32] = [:]  // looked up only, never iterated
    /// Jobs that may be in a timed transition (restoring, checkpointing, resizing), which hold GPUs but which the
    /// snapshot lists nowhere: only this policy's starts, moves and preemptions put a job in one, so these are the
    /// last call's such jobs and the jobs it decided about.
    private var mayTransition: [JobID] = []
    /// Calls so far (wrapping), and the call that last listed each job in transition among the holders, by index.
    private var calls: UInt32 = 0
    private var listedIn: [UInt32] = []
    private var lastCall: SimTime?
    private var nextBoundary: SimTime = .zero
    /// Starts of the last boundary round that wait for GPUs its preemptions release: (job, type, or −1 for any
    /// of its types).
    private var deferred: [(JobID, Int)] = []

    /// Creates the policy.
    public init(_ parameters: Parameters = Parameters()) { self.parameters = parameters }

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        let topo = s.topology
        let k = topo.gpuTypes.count
        if capacity.isEmpty {
            capacity = Array(repeating: 0, count: k)
            speeds = SpeedTable(types: k)
            for t in topo.gpuTypeIndex { capacity[Int(t)] += 1 }
        }
        if received.types != k { received = GavelReceivedTime(types: k) }
        received.reserve(jobs: s.jobs.count)
        if submitTimes.count < s.jobs.count {
            submitTimes.append(contentsOf: s.jobs[submitTimes.count...].lazy.map(\.spec.submitTime))
        }
        // A stint ends without a decision of this policy only when the job stops holding GPUs (a preemption takes
        // effect, its checkpoint ends, a failure kills it), and it then waits in the queue (or has finished, and is
        // never read again): the first call after finds it there. It was last seen holding GPUs by the previous call.
        if let last = lastCall {
            for j in s.queue where received.isOpen(j) { received.close(j, at: last) }
        }
        // Jobs in a timed transition: among the previous call's and those it decided about (`mayTransition`).
        calls &+= 1
        if calls == 0 {  // wrapped: clear the marks so an old call cannot look current
            for i in listedIn.indices { listedIn[i] = 0 }
            calls = 1
        }
        var transitioning: [JobID] = []
        for j in mayTransition where s.states[j.index].isTransition && firstListing(of: j) { transitioning.append(j) }
        #if SIM_INTERNAL_CHECKS
        let holders = s.running + transitioning
        assert(s.jobs.filter { $0.state.holdsGPUs }.map(\.id).sorted() == holders.sorted(), "Gavel lost a job holding GPUs")
        for j in holders {
            let first = s.jobs[j.index].allocation.gpus.first.map { Int(topo.gpuTypeIndex[$0.index]) }
            assert(received.openType(of: j) == first, "Gavel's stint of \(j) is not on its GPUs' type")
        }
        #endif
        lastCall = s.now
        guard !s.running.isEmpty || !transitioning.isEmpty || !s.queue.isEmpty else {
            mayTransition = []
            return []
        }
        var decisions: [SchedulingDecision]
        if s.now >= nextBoundary {
            // Active jobs (waiting or holding GPUs), ascending, as the allocation's rows. Sorting them is needed only
            // here; between boundaries the rounds never look at them all.
            var active: [JobID] = []
            active.reserveCapacity(s.queue.count + s.running.count + transitioning.count)
            active += s.queue
            active += s.running
            active += transitioning
            // The queue and the holders may both list a job: each once.
            active.sortAndRemoveDuplicates()
            decisions = boundaryRound(s, active: active, planner: &planner)
        } else {
            decisions = []
            if !deferred.isEmpty { decisions = startDeferred(s, planner: &planner) }
            var startedNow: [JobID] = []
            for case .start(let j, _) in decisions { startedNow.append(j) }
            if parameters.fillIdle {
                let filled = fill(s, skipping: startedNow, planner: &planner)
                for case .start(let j, _) in filled { startedNow.append(j) }
                decisions += filled
            }
            // A job still waiting needs the next boundary even if the last one found nothing to change (and asked for
            // no wake-up); asking again for the same time changes nothing otherwise.
            // Every job started here was waiting (in `s.queue`) and none twice, so some job still waits exactly when the
            // queue is longer than the starts (a search of the queue for each call was O(queue × starts)).
            if s.queue.count > startedNow.count { decisions.append(.wakeUp(at: nextBoundary)) }
        }
        // Starts and moves open a stint on the new GPUs' type (closing the one open, if any, at the same time: a job
        // preempted and started again, or moved, by this call held its old GPUs up to now).
        // The next call's transitions can only be among this call's and the jobs it starts, moves or preempts.
        mayTransition = transitioning
        for d in decisions {
            switch d {
            case .start(let j, let gpus), .migrate(let j, let gpus), .resize(let j, let gpus):
                let first = Int(topo.gpuTypeIndex[gpus[0].index])
                received.open(j, type: first, spansTypes: Self.typeOf(gpus, topo) == nil, at: s.now)
                mayTransition.append(j)
            case .preempt(let j):
                mayTransition.append(j)
            default: break
            }
        }
        return decisions
    }

    /// Whether this call lists `j` among the holders for the first time (`mayTransition` may list a job twice).
    private mutating func firstListing(of j: JobID) -> Bool {
        if listedIn.count <= j.index { listedIn.append(contentsOf: repeatElement(0, count: j.index + 1 - listedIn.count)) }
        guard listedIn[j.index] != calls else { return false }
        listedIn[j.index] = calls
        return true
    }

    // NOTE: the helpers below are static and take what they read: called from the mutating rounds, instance methods
    // made Swift copy the whole policy (every array of it) per call, which dominated Gavel's rounds.

    /// Each type's throughput for `job` (nil where it cannot run alone on that type), on clusters with `capacity`
    /// GPUs per type.
    private static func throughputs(_ s: ClusterSnapshot, _ job: JobID, capacity: [Int]) -> [Double?] {
        let count = Int(s.shapes[job.index].gpuCount)
        return (0..<capacity.count).map { t -> Double? in
            guard s.shapes[job.index].eligibleTypes.contains(t), count <= capacity[t] else { return nil }
            let r: Double?
            if let o = s.oracle { r = o.rate(of: s.jobs[job.index].spec, gpuType: t, count: count) } else {
                r = s.progress.entries[job.index].referenceRate
            }
            guard let r, r.isFinite, r > 0 else { return nil }
            return r
        }
    }

    /// GPUs of `job`'s eligible types.
    private static func eligibleCapacity(_ s: ClusterSnapshot, _ job: JobID, capacity: [Int]) -> Int {
        (0..<capacity.count).reduce(0) { $0 + (s.shapes[job.index].eligibleTypes.contains($1) ? capacity[$1] : 0) }
    }

    /// The single type of `gpus`, or nil when they span types.
    private static func typeOf(_ gpus: [GPUID], _ topo: Topology) -> Int? {
        guard let first = gpus.first else { return nil }
        let t = topo.gpuTypeIndex[first.index]
        return gpus.allSatisfy { topo.gpuTypeIndex[$0.index] == t } ? Int(t) : nil
    }

    private static func mask(_ t: Int) -> GPUTypeMask { GPUTypeMask(bits: UInt64(1) << UInt64(t)) }

    /// Fraction of `job`'s time since submission (`submitTimes`, by JobID index) spent on `t` (all types when nil);
    /// with `since`, of its time since then or since its submission, whichever is later (`allocation_reset_s`).
    private static func receivedFraction(
        _ s: ClusterSnapshot, _ job: JobID, type t: Int?, received: GavelReceivedTime, submitTimes: [SimTime],
        since: SimTime?
    ) -> Double {
        guard let since else {
            let elapsed = (s.now - submitTimes[job.index]).seconds
            guard elapsed > 0 else { return 0 }
            return received.seconds(job, type: t, now: s.now) / elapsed
        }
        let elapsed = (s.now - max(since, submitTimes[job.index])).seconds
        guard elapsed > 0 else { return 0 }
        return received.secondsSinceRebase(job, type: t, now: s.now) / elapsed
    }

    /// The allocation row of each of `active` (ascending) in a solve over `solved` (ascending, with `rowOf` its rows),
    /// −1 for a job the solve did not have.
    private static func rows(of active: [JobID], in solved: [JobID], rowOf: [Int]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(active.count)
        var k = 0
        for j in active {
            while k < solved.count && solved[k] < j { k += 1 }
            out.append(k < solved.count && solved[k] == j ? rowOf[k] : -1)
        }
        return out
    }

    /// A round boundary: re-solve if the active set changed, assign jobs to types by priority, realize it.
    private mutating func boundaryRound(
        _ s: ClusterSnapshot, active: [JobID], planner: inout PlacementPlanner
    ) -> [SchedulingDecision] {
        let topo = s.topology
        let k = capacity.count
        nextBoundary = s.now + .seconds(parameters.roundSeconds)
        // A job's speeds depend only on the job (its model and size) and the types: asked of the oracle once per job.
        for j in active { speeds.fill(j) { Self.throughputs(s, j, capacity: capacity) } }
        // GPUs per row, read once in JobID order: the assignment below visits rows in priority order, and reading each
        // job's status there missed the cache.
        let gpuCounts = active.map { Int(s.shapes[$0.index].gpuCount) }
        // With `allocation_reset_s`, a changed active set waits for the next solve until that long after the last one,
        // as in Gavel's simulator (`_update_priorities`: `minimum_time_between_allocation_resets`).
        let resetSeconds = parameters.allocationResetSeconds
        let solveDue = resetSeconds == 0 || lastSolve.map { (s.now - $0).seconds >= resetSeconds } ?? true
        if (!hasSolved || active != solvedJobs) && solveDue {
            if resetSeconds > 0, let last = lastSolve {
                // Deficits accrue over the allocation about to be replaced, before received time starts afresh.
                if deficits.count < s.jobs.count * k {
                    deficits.append(contentsOf: repeatElement(0, count: s.jobs.count * k - deficits.count))
                }
                let elapsed = (s.now - last).seconds
                let oldRow = Self.rows(of: active, in: solvedJobs, rowOf: allocationRowOf)
                for (row, j) in active.enumerated() {
                    for t in 0..<k {
                        let promised = oldRow[row] >= 0 ? allocationRows[oldRow[row]][t] * elapsed : 0
                        deficits[j.index * k + t] += promised - received.secondsSinceRebase(j, type: t, now: s.now)
                    }
                }
            }
            // Elapsed, remaining and total work enter only the finish-time objective: max-min leaves them zero
            // (reading every active job's progress at every solve showed in profiles).
            let timed = parameters.objective == .finishTime
            if timed {
                let problem = Problem(
                    throughput: active.map { speeds.row($0) }, gpus: gpuCounts, capacity: capacity,
                    elapsed: active.map { max(0, (s.now - s.jobs[$0.index].spec.submitTime).seconds) },
                    remaining: active.map { s.remainingWork(of: $0) },
                    totalWork: active.map { WorkRate.units(of: s.jobs[$0.index].spec) })
                if let solution = try? Self.solveByRows(
                    problem, objective: .finishTime, rhoTolerance: parameters.rhoTolerance,
                    rhoIterations: parameters.rhoIterations) {
                    (allocationRows, allocationRowOf) = (solution.solution.x, solution.rowOf)
                } else {
                    (allocationRows, allocationRowOf) = (Self.equalShare(problem).x, Array(active.indices))
                }
            } else {
                // Max-min is solved over classes of identical jobs (`solveMaxMin`), built here from each job's class
                // number without a problem row per job: only the classes' rows are made.
                if classNumber.count < s.jobs.count {
                    classNumber.append(contentsOf: repeatElement(-1, count: s.jobs.count - classNumber.count))
                }
                var ids: [Int32] = []
                ids.reserveCapacity(active.count)
                for (row, j) in active.enumerated() {
                    if classNumber[j.index] < 0 {
                        let key = ClassKey(gpus: gpuCounts[row], speeds: speeds.row(j), capacity: capacity)
                        if let c = classNumbers[key] {
                            classNumber[j.index] = c
                        } else {
                            classNumber[j.index] = Int32(classNumbers.count)
                            classNumbers[key] = Int32(classNumbers.count)
                        }
                    }
                    ids.append(classNumber[j.index])
                }
                let (representative, multiplicity, jobClass) = Self.classes(numbered: ids)
                let classes = Problem(
                    throughput: representative.map { speeds.row(active[$0]) }, gpus: representative.map { gpuCounts[$0] },
                    capacity: capacity)
                if let solution = try? Self.solveMaxMin(
                    classes: classes, multiplicity: multiplicity, rhoTolerance: parameters.rhoTolerance,
                    rhoIterations: parameters.rhoIterations) {
                    (allocationRows, allocationRowOf) = (solution.x, jobClass)
                } else {
                    let problem = Problem(throughput: active.map { speeds.row($0) }, gpus: gpuCounts, capacity: capacity)
                    (allocationRows, allocationRowOf) = (Self.equalShare(problem).x, Array(active.indices))
                }
            }
            solvedJobs = active
            hasSolved = true
            lastSolve = s.now
            // Gavel's simulator counts received time afresh with each new allocation (`_reset_time_run_so_far`).
            if resetSeconds > 0 { for j in active { received.rebase(j, at: s.now) } }
        }
        let n = active.count
        // Each active job's allocation row; −1 for a job that arrived after the last solve (with `allocation_reset_s`):
        // it has no time share until the next one, as in Gavel's simulator (priority 0), and runs only on GPUs left.
        let xRow = active == solvedJobs ? allocationRowOf : Self.rows(of: active, in: solvedJobs, rowOf: allocationRowOf)
        let since = resetSeconds > 0 ? lastSolve : nil

        // Candidate (job row, type) pairs; type −1 means "across its eligible types" (a job no single type fits).
        // Kept small (24 bytes): sorting them moves every one several times, and the sort showed in profiles.
        struct Pair {
            var key: Double
            var speed: Double
            var row: Int32
            var type: Int16
            var tier: Int16
            init(row: Int, type: Int, tier: Int16, key: Double, speed: Double) {
                (self.row, self.type, self.tier, self.key, self.speed) = (Int32(row), Int16(type), tier, key, speed)
            }
        }
        var pairs: [Pair] = []
        pairs.reserveCapacity(active.count)
        var remaining = capacity
        var assigned = [Int?](repeating: nil, count: n)
        var spanning = [Bool](repeating: false, count: n)
        for (row, j) in active.enumerated() {
            if s.states[j.index].isTransition {
                // Mid-transition: its GPUs stay where they are this round.
                for g in s.jobs[j.index].allocation.gpus { remaining[Int(topo.gpuTypeIndex[g.index])] -= 1 }
                continue
            }
            // The usable types are those with a speed, visited in type order (no array of them per job per round).
            if !speeds.runsOnOneType(j) {
                guard Self.eligibleCapacity(s, j, capacity: capacity) >= Int(s.shapes[j.index].gpuCount) else { continue }
                spanning[row] = true
                let share = min(1, Double(Self.eligibleCapacity(s, j, capacity: capacity)) / (Double(n) * Double(s.shapes[j.index].gpuCount)))
                let p = share / (Self.receivedFraction(s, j, type: nil, received: received, submitTimes: submitTimes, since: since) + parameters.priorityEpsilon)
                pairs.append(Pair(row: row, type: -1, tier: 0, key: -p, speed: 0))
                continue
            }
            for t in 0..<k {
                guard let speed = speeds.rate(of: j, on: t) else { continue }
                let x = xRow[row] >= 0 ? allocationRows[xRow[row]][t] : 0
                if x > 1e-9 {
                    let p = x / (Self.receivedFraction(s, j, type: t, received: received, submitTimes: submitTimes, since: since) + parameters.priorityEpsilon)
                    pairs.append(Pair(row: row, type: t, tier: 0, key: -p, speed: speed))
                } else {
                    // With `allocation_reset_s`, as Gavel's simulator: priority 0, so by deficit and then job, the same
                    // order at every boundary (ranking them by time received rotated them round after round).
                    let key = resetSeconds > 0 ? 0 : Self.receivedFraction(s, j, type: nil, received: received, submitTimes: submitTimes, since: nil)
                    pairs.append(Pair(row: row, type: t, tier: 1, key: key, speed: speed))
                }
            }
        }
        // NOTE: two sorts rather than one comparator with a switch: the default one runs at every boundary and its cost
        // showed in profiles, so it stays as lean as it was; the reset one adds two keys between priority and job.
        if resetSeconds > 0 {
            // Gavel's simulator breaks ties of priority by deficit, then by allocation, largest first.
            let deficits = self.deficits, rows = allocationRows
            func deficit(_ p: Pair) -> Double {
                guard p.type >= 0 else { return 0 }  // a job across types has no per-type deficit
                let i = active[Int(p.row)].index * k + Int(p.type)
                return i < deficits.count ? deficits[i] : 0
            }
            func share(_ p: Pair) -> Double {
                p.type >= 0 && xRow[Int(p.row)] >= 0 ? rows[xRow[Int(p.row)]][Int(p.type)] : 0
            }
            pairs.sort { a, b in
                if a.tier != b.tier { return a.tier < b.tier }
                if a.key != b.key { return a.key < b.key }
                let (da, db) = (deficit(a), deficit(b))
                if da != db { return da > db }
                let (xa, xb) = (share(a), share(b))
                if xa != xb { return xa > xb }
                if a.row != b.row { return a.row < b.row }
                if a.speed != b.speed { return a.speed > b.speed }
                return a.type < b.type
            }
        } else {
            pairs.sort { a, b in
                if a.tier != b.tier { return a.tier < b.tier }
                if a.key != b.key { return a.key < b.key }
                if a.row != b.row { return a.row < b.row }
                if a.speed != b.speed { return a.speed > b.speed }
                return a.type < b.type
            }
        }
        for pair in pairs where assigned[Int(pair.row)] == nil {
            let row = Int(pair.row), type = Int(pair.type)
            let j = active[row]
            if type >= 0 {
                guard remaining[type] >= gpuCounts[row] else { continue }
                remaining[type] -= gpuCounts[row]
                assigned[row] = type
            } else {
                let types = (0..<k).filter { s.shapes[j.index].eligibleTypes.contains($0) }
                guard types.reduce(0, { $0 + remaining[$1] }) >= Int(s.shapes[j.index].gpuCount) else { continue }
                if s.states[j.index] == .running {
                    for g in s.jobs[j.index].allocation.gpus { remaining[Int(topo.gpuTypeIndex[g.index])] -= 1 }
                } else {
                    // Take from the types with the most GPUs left (then by index); placement may split differently,
                    // which only ever leaves single-type jobs placed later without GPUs, never an invalid decision.
                    var need = Int(s.shapes[j.index].gpuCount)
                    for t in types.sorted(by: { (remaining[$0], -$0) > (remaining[$1], -$1) }) where need > 0 {
                        let take = min(need, remaining[t])
                        remaining[t] -= take
                        need -= take
                    }
                }
                assigned[row] = -1
            }
        }

        // Realize: preemptions first, then migrations (each onto GPUs already free when it is applied), then starts.
        // A free preemption releases its GPUs for this call's migrations and starts; one that checkpoints keeps them
        // until the checkpoint ends (the snapshot says which), and the starts that need them are deferred to a
        // follow-up call 1 ns later.
        var decisions: [SchedulingDecision] = []
        var migrants: [(JobID, Int)] = []
        var starts: [(JobID, Int)] = []
        var preempted = false
        for (row, j) in active.enumerated() {
            if s.states[j.index] == .running {
                let current = received.singleType(of: j)
                if let a = assigned[row] {
                    let stays = spanning[row] || a == current
                    if !stays { migrants.append((j, a)) }
                } else {
                    decisions.append(.preempt(j))
                    if s.preemptionFreesGPUsAtOnce(j) { planner.release(s.jobs[j.index].allocation.gpus, of: j) } else { preempted = true }
                }
            } else if s.states[j.index].isWaiting, let a = assigned[row] {
                starts.append((j, a))
            }
        }
        var pending = migrants
        while !pending.isEmpty {
            var rest: [(JobID, Int)] = []
            for (j, t) in pending {
                if let gpus = planner.place(j, count: Int(s.shapes[j.index].gpuCount), types: Self.mask(t)) {
                    decisions.append(.migrate(j, gpus: gpus))
                    planner.release(s.jobs[j.index].allocation.gpus, of: j)
                } else {
                    rest.append((j, t))
                }
            }
            if rest.count == pending.count {
                // A cycle (jobs swapping types): one is preempted and started on its new type in the follow-up.
                let (j, t) = rest.removeFirst()
                decisions.append(.preempt(j))
                if s.preemptionFreesGPUsAtOnce(j) { planner.release(s.jobs[j.index].allocation.gpus, of: j) } else { preempted = true }
                starts.append((j, t))
            }
            pending = rest
        }
        deferred = []
        // Single-type starts first, in priority order; jobs across types last (their GPU count is guaranteed then).
        for (j, t) in starts where t >= 0 {
            if let gpus = planner.place(j, count: Int(s.shapes[j.index].gpuCount), types: Self.mask(t)) {
                decisions.append(.start(j, gpus: gpus))
            } else {
                deferred.append((j, t))
            }
        }
        for (j, t) in starts where t < 0 {
            if let gpus = planner.place(j, count: Int(s.shapes[j.index].gpuCount), types: s.shapes[j.index].eligibleTypes) {
                decisions.append(.start(j, gpus: gpus))
            } else {
                deferred.append((j, t))
            }
        }
        if preempted && !deferred.isEmpty {
            decisions.append(.wakeUp(at: s.now + SimTime(nanoseconds: 1)))
        } else {
            deferred = []
            // No wake-up when the next boundary could not change anything before an arrival or completion (which
            // call the policy anyway, starting a round then if a boundary has passed): nobody waits, and every job
            // keeps its GPUs on a type that has all of its allocation (X = 1), or it runs across types. Nor when
            // nothing holds GPUs and nothing starts. On one type with fewer jobs than GPUs, no rounds at all.
            var startedNow: [JobID] = []
            for case .start(let j, _) in decisions { startedNow.append(j) }
            var stable = true
            for (row, j) in active.enumerated() {
                    guard s.states[j.index].holdsGPUs || s.states[j.index].isWaiting else { continue }  // pending, finished
                let waits = s.states[j.index].isWaiting && !startedNow.contains(j)
                if waits || s.states[j.index].isTransition || assigned[row] == nil { stable = false; break }
                if let t = assigned[row], t >= 0, xRow[row] < 0 || allocationRows[xRow[row]][t] < 1 - 1e-9 { stable = false; break }
            }
            if !stable { decisions.append(.wakeUp(at: nextBoundary)) }
        }
        return decisions
    }

    /// The follow-up of a round that preempted: start the round's deferred jobs where GPUs are free now, and ask
    /// for the next boundary again (the follow-up's wake-up replaced it).
    private mutating func startDeferred(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        var decisions: [SchedulingDecision] = []
        for (j, t) in deferred where s.states[j.index].isWaiting {
            let types = t >= 0 ? Self.mask(t) : s.shapes[j.index].eligibleTypes
            if let gpus = planner.place(j, count: Int(s.shapes[j.index].gpuCount), types: types) {
                decisions.append(.start(j, gpus: gpus))
            }
        }
        deferred = []
        decisions.append(.wakeUp(at: nextBoundary))
        return decisions
    }

    /// Between boundaries: start waiting jobs on free GPUs, least received time first, never preempting.
    ///
    /// Nothing is released here, so free GPUs only decrease: a job needing more than its types have free now can
    /// never start in this call, and only the others are ranked (sorting the whole queue at every arrival and
    /// completion dominated), gathered shape by shape.
    private mutating func fill(_ s: ClusterSnapshot, skipping started: [JobID], planner: inout PlacementPlanner) -> [SchedulingDecision] {
        guard planner.cluster.freeGPUs > 0, !s.queue.isEmpty else { return [] }
        let since = parameters.allocationResetSeconds > 0 ? lastSolve : nil
        var order: [(JobID, Double)] = []
        // Only the waiting jobs of the shapes that fit the free GPUs now (the engine lists them by shape,
        // `ClusterSnapshot.queuedShapes`): the order below is by received time, then JobID, whatever order they are
        // gathered in, and a pass over the whole queue at every arrival and completion showed in profiles.
        let queued = s.queuedShapes
        for k in queued.table.indices where !queued.members[k].isEmpty
            && Int(queued.table[k].gpuCount) <= planner.freeGPUs(in: queued.table[k].eligibleTypes) {
            for j in queued.members[k] where !started.contains(j) {
                order.append((j, Self.receivedFraction(s, j, type: nil, received: received, submitTimes: submitTimes, since: since)))
            }
        }
        order.sort { ($0.1, $0.0) < ($1.1, $1.0) }
        var decisions: [SchedulingDecision] = []
        for (j, _) in order {
            if planner.cluster.freeGPUs == 0 { break }
            let count = Int(s.shapes[j.index].gpuCount)
            // Speeds depend only on the job and the types: asked of the oracle once per job, here or at a boundary
            // (one oracle question per type per start showed in profiles).
            speeds.fill(j) { Self.throughputs(s, j, capacity: capacity) }
            guard speeds.runsOnOneType(j) else {
                if let gpus = planner.place(j, count: count, types: s.shapes[j.index].eligibleTypes) { decisions.append(.start(j, gpus: gpus)) }
                continue
            }
            // Its usable types by preference (highest X, then fastest, then index), the best untried one at a time:
            // a sorted array of them per start showed in profiles, and the first type with room usually places it.
            let row = solvedJobs.binarySearch(j).map { allocationRowOf[$0] }
            var tried: UInt64 = 0
            while true {
                var best = -1
                for t in 0..<speeds.types {
                    guard let rate = speeds.rate(of: j, on: t), tried & (1 << UInt64(t)) == 0 else { continue }
                    if best < 0 { best = t; continue }
                    let xt = row.map { allocationRows[$0][t] } ?? 0, xb = row.map { allocationRows[$0][best] } ?? 0
                    if xt > xb || (xt == xb && rate > speeds.rate(of: j, on: best)!) { best = t }
                }
                if best < 0 { break }
                tried |= 1 << UInt64(best)
                if planner.freeGPUs(in: Self.mask(best)) >= count, let gpus = planner.place(j, count: count, types: Self.mask(best)) {
                    decisions.append(.start(j, gpus: gpus))
                    break
                }
            }
        }
        return decisions
    }
}

/// Each job's isolated speed on each GPU type, by JobID index, job-major and flat (NaN where it cannot run there),
/// filled once per job: a boundary used to gather a heap-allocated row per active job (a retain and a release each)
/// from a cache of optional arrays, which showed in profiles of the ITP replay.
private struct SpeedTable {
    let types: Int
    private var rates: [Double] = []
    private var filled: [Bool] = []

    init(types: Int) { self.types = types }

    /// Fills `job`'s speeds from `row` (nil where it cannot run) the first time it is asked; checked builds compare
    /// every later call with `row` again.
    mutating func fill(_ job: JobID, _ row: () -> [Double?]) {
        if filled.count <= job.index {
            let jobs = job.index + 1
            filled.append(contentsOf: repeatElement(false, count: jobs - filled.count))
            rates.append(contentsOf: repeatElement(.nan, count: jobs * types - rates.count))
        }
        guard !filled[job.index] else {
            #if SIM_INTERNAL_CHECKS
            assert(self.row(job) == row(), "stale speeds of \(job)")
            #endif
            return
        }
        for (t, r) in row().enumerated() { rates[job.index * types + t] = r ?? .nan }
        filled[job.index] = true
    }

    /// `job`'s speed on type `t`, nil where it cannot run there.
    func rate(of job: JobID, on t: Int) -> Double? {
        let r = rates[job.index * types + t]
        return r.isNaN ? nil : r
    }

    /// Whether `job` can run on some single type.
    func runsOnOneType(_ job: JobID) -> Bool { (0..<types).contains { !rates[job.index * types + $0].isNaN } }

    /// `job`'s speeds as an allocation problem's row.
    func row(_ job: JobID) -> [Double?] { (0..<types).map { rate(of: job, on: $0) } }
}

extension Array where Element == JobID {
    /// The index of `id` in this ascending array, or nil.
    fileprivate func binarySearch(_ id: JobID) -> Int? {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < count && self[lo] == id ? lo : nil
    }
}
