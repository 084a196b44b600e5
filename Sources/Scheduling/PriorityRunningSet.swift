import ClusterModel

/// The round of a preemptive priority policy (SRTF, Tiresias' LAS): given every running and waiting job in
/// priority order, build the desired running set greedily and turn it into decisions.
///
/// Greedy in order: a job joins the set when it fits in what the jobs before it left of the capacity, and is
/// skipped otherwise (a job that does not fit never blocks those behind it). Capacity is counted per GPU type:
/// the GPUs free now plus those held by running jobs (GPUs held by jobs in a timed transition, which cannot be
/// preempted, are not counted). A running job uses exactly the types of the GPUs it holds; a waiting job may use
/// any of its eligible types, and a set of waiting jobs "fits" when its GPUs can be assigned to eligible types
/// within capacity: Hall's condition (for every set T of types, the jobs allowed only types in T ask for at most
/// the capacity of T), checked exactly on clusters with up to 8 GPU types. Beyond 8 types, waiting jobs are
/// counted greedily against their eligible types in type-index order (sound, may skip a job that would fit).
///
/// Decisions: running jobs outside the set are preempted (their GPUs released in the planner, unless the run's
/// checkpoint takes time: then they stay held this round and the jobs meant for them start once it ends), in the order
/// of `order`, then waiting jobs in the set are started with the run's placement strategy, most constrained
/// first (fewest eligible types present, then priority order; on a one-type cluster that is priority order).
/// Running jobs in the set keep their GPUs: no migration, no churn. A waiting job in the set that the placement
/// strategy cannot place (possible only with overlapping, non-nested type constraints) is not started this round.
/// - Complexity: O(J × 2^k + J log J) per round for J jobs considered and k GPU types (k ≤ 8), plus placements.
struct PriorityRunningSet {
    /// One job of a round's priority order, with what the admission on a one-type cluster reads, so that it touches
    /// no job status (cache misses on long queues): whether it runs or waits, and its GPUs.
    struct Entry {
        /// What the job is doing.
        enum Kind: UInt8 {
            /// Running (in `s.running`).
            case running
            /// Waiting (in `s.queue`).
            case waiting
            /// Neither (e.g. checkpointing after a preemption): never admitted, never preempted.
            case other
        }

        var id: JobID
        var kind: Kind
        /// GPUs held when running; GPUs requested when waiting.
        var gpus: Int32
        /// Whether a waiting job may use type 0 (the only type of a one-type cluster).
        var usesTypeZero: Bool

        /// The entry of `id` as `s` describes it (reading its status).
        init(_ id: JobID, in s: borrowing ClusterSnapshot) {  // NOTE: borrowing: an initializer owns its arguments, and copying the snapshot per job retained all of it
            let state = s.jobs[id.index].state
            self.id = id
            if state == .running {
                kind = .running
                gpus = Int32(s.jobs[id.index].allocation.gpus.count)
            } else if state.isWaiting {
                kind = .waiting
                gpus = Int32(s.jobs[id.index].spec.gpuCount)
            } else {
                kind = .other
                gpus = 0
            }
            usesTypeZero = s.jobs[id.index].eligibleTypes.bits & 1 != 0
        }

        /// An entry from values the caller already has (they must be what `init(_:in:)` would read).
        init(id: JobID, kind: Kind, gpus: Int, usesTypeZero: Bool) {
            self.id = id
            self.kind = kind
            self.gpus = Int32(gpus)
            self.usesTypeZero = usesTypeZero
        }
    }

    /// Decisions that make the running set the greedy prefix of `order` (highest priority first), which must list
    /// every running job of `s` once. `preempted` receives the jobs preempted, in decision order.
    static func decisions(
        order: [Entry], _ s: ClusterSnapshot, planner: inout PlacementPlanner, preempted: inout [JobID]
    ) -> [SchedulingDecision] {
        #if SIM_INTERNAL_CHECKS
        for e in order { assert(e.kind == Entry(e.id, in: s).kind && e.gpus == Entry(e.id, in: s).gpus, "stale entry of \(e.id)") }
        assert(order.filter { $0.kind == .running }.map(\.id).sorted() == s.running.sorted(), "the order must list every running job")
        #endif
        let keep = s.topology.gpuTypes.count == 1
            ? admitOneType(order: order, planner: planner) : admit(order: order.map(\.id), s, planner: planner)
        return decisions(order: order, keep: keep, s, planner: &planner, preempted: &preempted)
    }

    /// The decisions for an admission already made: `keep[i]` says whether `order[i]` is in the running set. `keep` may
    /// cover only a prefix of `order` (past it, nothing runs and nothing fits), and `order` may leave out waiting jobs
    /// that are not kept (they decide nothing; a caller that admits as it goes need not list them): only the running
    /// jobs' entries and the relative order of the kept waiting ones matter.
    static func decisions(
        order: [Entry], keep: [Bool], _ s: ClusterSnapshot, planner: inout PlacementPlanner, preempted: inout [JobID]
    ) -> [SchedulingDecision] {
        var out: [SchedulingDecision] = []
        for (i, e) in order.prefix(keep.count).enumerated() where !keep[i] && e.kind == .running {
            // A job that checkpoints keeps its GPUs until the checkpoint ends; the jobs meant for them start at the
            // round its end triggers.
            if s.preemptionFreesGPUsAtOnce(e.id) { planner.releaseAllocation(s.jobs[e.id.index].allocation.gpus, of: e.id) }
            out.append(.preempt(e.id))
            preempted.append(e.id)
        }
        let k = s.topology.gpuTypes.count
        let present = k >= 64 ? UInt64.max : (UInt64(1) << UInt64(k)) - 1
        var starts: [(types: Int, rank: Int, id: JobID)] = []
        for (i, e) in order.prefix(keep.count).enumerated() where keep[i] && e.kind == .waiting {
            starts.append(((s.jobs[e.id.index].eligibleTypes.bits & present).nonzeroBitCount, i, e.id))
        }
        starts.sort { ($0.types, $0.rank) < ($1.types, $1.rank) }
        for st in starts {
            if let gpus = planner.place(st.id, count: s.jobs[st.id.index].spec.gpuCount, types: s.jobs[st.id.index].eligibleTypes) {
                out.append(.start(st.id, gpus: gpus))
            }
        }
        return out
    }

    /// The decisions on a cluster of one GPU type for an admission already made: preempt the running jobs in `refusing`
    /// and start the waiting jobs in `admitting`, each list in priority order. The same decisions as
    /// `decisions(order:keep:...)` with the order that admission was made on: there, on one type, every admitted job has
    /// the same number of eligible types present, so starts go in priority order.
    static func decisions(
        refusing: [JobID], admitting: [JobID], _ s: ClusterSnapshot, planner: inout PlacementPlanner, preempted: inout [JobID]
    ) -> [SchedulingDecision] {
        var out: [SchedulingDecision] = []
        out.reserveCapacity(refusing.count + admitting.count)
        for id in refusing {
            // As in `decisions(order:keep:...)`: a job that checkpoints keeps its GPUs until the checkpoint ends.
            if s.preemptionFreesGPUsAtOnce(id) { planner.releaseAllocation(s.jobs[id.index].allocation.gpus, of: id) }
            out.append(.preempt(id))
            preempted.append(id)
        }
        for id in admitting {
            if let gpus = planner.place(id, count: s.jobs[id.index].spec.gpuCount, types: s.jobs[id.index].eligibleTypes) {
                out.append(.start(id, gpus: gpus))
            }
        }
        return out
    }

    /// Which jobs of `order` the greedy admits, by position, on a cluster of several GPU types.
    private static func admit(order: [JobID], _ s: ClusterSnapshot, planner: PlacementPlanner) -> [Bool] {
        let topo = s.topology
        let k = topo.gpuTypes.count
        var capacity = planner.cluster.freeOfType.map(Int.init)
        for id in s.running {
            for g in s.jobs[id.index].allocation.gpus { capacity[Int(topo.gpuTypeIndex[g.index])] += 1 }
        }
        var ledger = TypeLedger(capacity: capacity)
        let present = k >= 64 ? UInt64.max : (UInt64(1) << UInt64(k)) - 1

        var keep: [Bool] = []  // by position in `order`
        keep.reserveCapacity(order.count)
        var pieces: [Int] = Array(repeating: 0, count: k)
        // NOTE: job fields are read one by one through `s.jobs`; a `let job = s[id]` would copy each status (and
        // retain its strings), which dominated these rounds on long queues.
        for id in order {
            let state = s.jobs[id.index].state
            if state == .running {
                let gpus = s.jobs[id.index].allocation.gpus
                let first = Int(topo.gpuTypeIndex[gpus[0].index])
                if gpus.allSatisfy({ Int(topo.gpuTypeIndex[$0.index]) == first }) {
                    // One type (the usual case): the same test as a waiting job allowed only that type.
                    keep.append(ledger.admit(mask: UInt64(1) << UInt64(first), count: gpus.count))
                } else {
                    for t in 0..<k { pieces[t] = 0 }
                    for g in gpus { pieces[Int(topo.gpuTypeIndex[g.index])] += 1 }
                    keep.append(ledger.admitHeld(pieces))
                }
            } else if state.isWaiting && !ledger.isFull {
                keep.append(ledger.admit(mask: s.jobs[id.index].eligibleTypes.bits & present, count: s.jobs[id.index].spec.gpuCount))
            } else {
                keep.append(false)
            }
        }
        return keep
    }

    /// `admit` on a cluster of one GPU type, where the ledger is a single count: the same answers from the entries
    /// alone. The result stops once every running job has been seen and no GPU is left (the rest of `order` would all
    /// be refused), which on a long queue behind a full cluster is most of it.
    static func admitOneType(order: [Entry], planner: PlacementPlanner) -> [Bool] {
        var left = Int(planner.cluster.freeOfType[0])
        var runningLeft = 0
        for e in order where e.kind == .running {
            left += Int(e.gpus)
            runningLeft += 1
        }
        var keep: [Bool] = []
        keep.reserveCapacity(order.count)
        var admission = OneTypeAdmission(left: left, runningLeft: runningLeft)
        for e in order {
            if admission.isDone { break }
            keep.append(admission.admit(e))
        }
        return keep
    }
}

/// GPUs promised so far per GPU type, and whether one more job still fits.
struct TypeLedger {
    /// Exact mode (≤ 8 types): capacity and demand of every subset of types, by bit mask.
    private var subsetCapacity: [Int] = []
    private var subsetDemand: [Int] = []
    /// Greedy mode (> 8 types): what is left per type.
    private var left: [Int]
    private let exact: Bool
    private var totalLeft: Int

    init(capacity: [Int]) {
        left = capacity
        totalLeft = capacity.reduce(0, +)
        exact = capacity.count <= 8
        if exact {
            let n = 1 << capacity.count
            subsetCapacity = Array(repeating: 0, count: n)
            for m in 1..<max(n, 1) {
                subsetCapacity[m] = subsetCapacity[m & (m - 1)] + capacity[m.trailingZeroBitCount]
            }
            subsetDemand = Array(repeating: 0, count: n)
        }
    }

    /// Whether nothing more can be admitted.
    var isFull: Bool { totalLeft == 0 }

    /// Admits a waiting job of `count` GPUs allowed on the types in `mask` if it fits with everything admitted.
    mutating func admit(mask: UInt64, count: Int) -> Bool {
        guard mask != 0, count <= totalLeft else { return false }
        if exact {
            let n = subsetDemand.count
            let m = Int(mask)
            var t = m
            while t < n {
                if subsetDemand[t] + count > subsetCapacity[t] { return false }
                t = (t + 1) | m
            }
            t = m
            while t < n {
                subsetDemand[t] += count
                t = (t + 1) | m
            }
        } else {
            var free = 0
            for i in 0..<left.count where mask & (UInt64(1) << UInt64(i)) != 0 { free += left[i] }
            guard free >= count else { return false }
            var need = count
            for i in 0..<left.count where need > 0 && mask & (UInt64(1) << UInt64(i)) != 0 {
                let take = min(need, left[i])
                left[i] -= take
                need -= take
            }
        }
        totalLeft -= count
        return true
    }

    /// Admits a running job holding `held[t]` GPUs of each type t if they still fit with everything admitted.
    mutating func admitHeld(_ held: [Int]) -> Bool {
        let count = held.reduce(0, +)
        guard count <= totalLeft else { return false }
        if exact {
            let n = subsetDemand.count
            var add = Array(repeating: 0, count: n)
            for m in 1..<n { add[m] = add[m & (m - 1)] + held[m.trailingZeroBitCount] }
            for m in 1..<n where subsetDemand[m] + add[m] > subsetCapacity[m] { return false }
            for m in 1..<n { subsetDemand[m] += add[m] }
        } else {
            for i in 0..<held.count where held[i] > left[i] { return false }
            for i in 0..<held.count { left[i] -= held[i] }
        }
        totalLeft -= count
        return true
    }
}

/// `PriorityRunningSet.admitOneType`'s rule, one entry at a time, for callers that build the order and admit in the
/// same pass (SRTF): on a cluster of one GPU type, a running job keeps its GPUs when they fit in what is left, a waiting
/// job starts when it may use the type and fits, and nothing is admitted once no GPU is left.
struct OneTypeAdmission {
    /// GPUs not yet given out: the free ones plus every running job's, less what was admitted.
    var left: Int
    /// Running jobs not yet seen.
    var runningLeft: Int

    /// Every running job seen and no GPU left: every later entry would be refused.
    var isDone: Bool { left == 0 && runningLeft == 0 }

    /// Whether `e` keeps its GPUs (running) or starts (waiting), taking its GPUs from what is left if so.
    mutating func admit(_ e: PriorityRunningSet.Entry) -> Bool {
        switch e.kind {
        case .running:
            runningLeft -= 1
            let fits = Int(e.gpus) <= left
            if fits { left -= Int(e.gpus) }
            return fits
        case .waiting where left > 0:
            // A job that may not use the cluster's only type never fits.
            let fits = e.usesTypeZero && Int(e.gpus) <= left
            if fits { left -= Int(e.gpus) }
            return fits
        default:
            return false
        }
    }
}
