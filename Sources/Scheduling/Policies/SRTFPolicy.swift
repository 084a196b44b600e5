import ClusterModel
import SimKernel
import Workload

/// Preemptive shortest remaining time first (SRTF; Schrage, "A proof of the optimality of the shortest
/// remaining processing time discipline", Operations Research 16(3), 1968), the clairvoyant preemptive baseline
/// of GPU-cluster scheduling studies (e.g. Gu et al., Tiresias, NSDI 2019, which compare against it).
///
/// Variant implemented, and the choices Schrage's single-server discipline leaves open on a GPU cluster:
/// - **Key**: a job's remaining run time, `ClusterSnapshot.estimatedRemainingTime`: at its current speed while it
///   runs (so placement matters), at its reference speed (requested size, packed) while it waits, plus what is
///   left of a timed transition. With `gpu_weighted: true` the key is remaining GPU-time: that time × the GPUs
///   the job requests, i.e. shortest remaining *service* first (SRSF, the clairvoyant two-dimensional ordering
///   Tiresias contrasts its 2D-LAS with), favouring small jobs.
///   Estimates are clairvoyant: duration jobs are exact; iteration jobs use the throughput model.
/// - **Order**: ascending key, ties by submission time, then JobID.
/// - **Multi-server packing**: every round (after every arrival and completion; there is no timer, since keys
///   of running jobs only decrease and those of waiting jobs stay put, so the order cannot turn against a running
///   job between events) the desired running set is built greedily in that order over all running and waiting
///   jobs: a job that does not fit in the capacity left (GPUs counted per eligible type, see `PriorityRunningSet`)
///   is skipped, not blocking shorter-ranked jobs behind it. Running jobs outside the set are preempted, waiting
///   ones inside it are started on the run's placement strategy.
/// - **No churn**: a running job that stays in the set keeps its GPUs (never migrated or restarted), so with
///   free transitions preemption costs nothing and with timed ones only jobs that must stop pay.
/// - Jobs in a timed transition (restoring, checkpointing, resizing) cannot be preempted: they keep their GPUs
///   and are left out of the ordering until the transition ends (which runs a round). A job preempted under a
///   checkpoint cost keeps its GPUs until the checkpoint ends, and nobody is planned onto them before.
/// - A running job is keyed at its current speed, a waiting one at its reference speed, so a job on a slow
///   placement may be displaced and then rank ahead again once waiting; that can only happen at rounds (arrivals
///   and completions), never in a loop.
/// - Rigid: jobs run on exactly their requested GPU count (elastic ranges are not used).
/// - **Incremental order**: a waiting job's key does not change while it waits, so the waiting jobs are kept sorted
///   across rounds (inserted when they arrive or are preempted, removed when started); running jobs are in
///   `ClusterSnapshot.running`, whose expected-end order is their remaining-time order (keyed here by expected end −
///   now, exact to the nanosecond). A round merges the two, instead of sorting every job (which dominated long
///   queues); the running jobs that go before each waiting one are found by galloping search on their keys, so a
///   round reads the status of O(Q log R) running jobs, not all of them. A round with nobody waiting decides nothing
///   and returns at once. On a cluster of one GPU type the admission runs during the merge and the merge stops where
///   it would (every running job placed, no GPU left), so waiting jobs behind a full cluster are not visited. Debug
///   builds check the kept order against a fresh sort, the merge against a one-by-one merge and the admission against
///   `PriorityRunningSet.admitOneType` on the whole order, after every round.
/// - Complexity: O(Q + R × 2^k + insertions) per round for Q waiting and R running jobs and k GPU types (R log R with
///   `gpu_weighted`, whose running order is sorted), plus placements.
public struct SRTFPolicy: SchedulingPolicy {
    public static let name = "srtf"

    /// Scenario parameters of `srtf`.
    public struct Parameters: Decodable, Sendable, Equatable {
        /// Order by remaining GPU-time (remaining time × requested GPUs) instead of remaining time.
        public var gpuWeighted: Bool = false

        static let documentation = [
            "gpu_weighted: order by remaining GPU-time (remaining time × requested GPUs) instead of remaining time (false)",
        ]

        /// Default parameters.
        public init(gpuWeighted: Bool = false) { self.gpuWeighted = gpuWeighted }

        private enum CodingKeys: String, CodingKey { case gpuWeighted = "gpu_weighted" }
        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: ["gpu_weighted"])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            gpuWeighted = try c.decodeIfPresent(Bool.self, forKey: .gpuWeighted) ?? false
        }
    }

    /// The parameters in force.
    public let parameters: Parameters

    /// Creates the policy.
    public init(_ parameters: Parameters = Parameters()) { self.parameters = parameters }

    /// Waiting jobs in key order (key, then JobID), kept across rounds.
    private var waiting: [JobID] = []
    /// Each job's key while in `waiting`, by index.
    private var waitKey: [Double] = []
    /// Whether each job is in `waiting`, by index.
    private var listed: [Bool] = []
    /// GPUs of the last start of each job, by index (0 when not started by this policy): a running job's entry
    /// without reading its status. 32-bit: it is read for every running job of most rounds, at random job indices,
    /// and a denser array misses the cache less.
    private var startedOn: [Int32] = []

    /// The ordering key of `id` now: remaining time, or remaining GPU-time with `gpu_weighted`.
    public func key(of id: JobID, in s: ClusterSnapshot) -> Double { Self.key(of: id, in: s, gpuWeighted: parameters.gpuWeighted) }

    // NOTE: the helpers below are static and take what they read: instance methods called from the mutating round
    // made Swift copy the whole policy per call.

    /// `key(of:in:)` given the `gpu_weighted` parameter.
    @inline(__always) private static func key(of id: JobID, in s: ClusterSnapshot, gpuWeighted: Bool) -> Double {
        let t = s.jobs[id.index].state == .running
            ? (s.jobs[id.index].expectedEnd! - s.now).seconds : s.estimatedRemainingTime(of: id)
        return gpuWeighted ? t * Double(s.jobs[id.index].spec.gpuCount) : t
    }

    /// Whether (ka, a) ranks before (kb, b): smaller key, then earlier submission (lower JobID).
    @inline(__always) private static func before(_ ka: Double, _ a: JobID, _ kb: Double, _ b: JobID) -> Bool {
        ka != kb ? ka < kb : a < b
    }

    /// Where a job with key `k` and ID `id` belongs in `waiting` (keyed by `waitKey`).
    private static func position(_ k: Double, _ id: JobID, in waiting: [JobID], keys waitKey: [Double]) -> Int {
        var lo = 0, hi = waiting.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Self.before(waitKey[waiting[mid].index], waiting[mid], k, id) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private mutating func insert(_ id: JobID, key k: Double) {
        waitKey[id.index] = k
        listed[id.index] = true
        let at = Self.position(k, id, in: waiting, keys: waitKey)
        waiting.insert(id, at: at)
    }

    private mutating func remove(_ id: JobID) {
        let p = Self.position(waitKey[id.index], id, in: waiting, keys: waitKey)
        precondition(p < waiting.count && waiting[p] == id, "\(id) is not where its key says")
        waiting.remove(at: p)
        listed[id.index] = false
    }

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        if listed.count < s.jobs.count {
            listed += Array(repeating: false, count: s.jobs.count - listed.count)
            waitKey += Array(repeating: 0, count: s.jobs.count - waitKey.count)
            startedOn += Array(repeating: 0, count: s.jobs.count - startedOn.count)
        }
        let gpuWeighted = parameters.gpuWeighted
        // Nobody waits: every running job fits on the GPUs it holds, so the running set is all of them and the round
        // decides nothing (most rounds of a run that is not overloaded; the merge below would still visit every
        // running job). Listed jobs that do not wait (checkpointing) neither start nor stop.
        if s.queue.isEmpty { return [] }
        // Jobs that began waiting since the last round (arrivals, and any the engine put back in the queue).
        for id in s.queue where !listed[id.index] { insert(id, key: Self.key(of: id, in: s, gpuWeighted: gpuWeighted)) }
        // Running jobs in key order: the engine's expected-end order, or sorted when weighted by GPUs. Their keys are
        // computed only as the merge below needs them (once the waiting jobs are all placed, no more comparisons).
        let running: [JobID]
        let runningKey: [Double]
        if gpuWeighted {
            let unsorted = s.running
            let keys = unsorted.map { Self.key(of: $0, in: s, gpuWeighted: true) }
            let order = unsorted.indices.sorted { Self.before(keys[$0], unsorted[$0], keys[$1], unsorted[$1]) }
            running = order.map { unsorted[$0] }
            runningKey = order.map { keys[$0] }
        } else {
            running = s.running
            runningKey = []
        }
        // No GPU free and every running job ahead of every waiting one: the running set is all running jobs, which
        // leave nothing for the waiting ones, so the round decides nothing (a long job's arrival at a full cluster).
        // The test is strict on keys, so that JobID ties cannot matter; one key is computed instead of a merge and a
        // walk over every running job. Debug builds run the full round instead and check that it decides nothing.
        var decidesNothing = false
        if let first = waiting.first, let last = running.last, planner.cluster.freeOfType.allSatisfy({ $0 == 0 }) {
            let lastKey = gpuWeighted ? runningKey[runningKey.count - 1] : Self.key(of: last, in: s, gpuWeighted: false)
            decidesNothing = lastKey < waitKey[first.index]
        }
        #if !SIM_INTERNAL_CHECKS
        if decidesNothing { return [] }
        #endif
        // Merge the two sorted sequences. Listed jobs that do not wait (checkpointing after a preemption) are
        // passed along: the running-set builder skips jobs that neither run nor wait.
        var order: [PriorityRunningSet.Entry] = []
        order.reserveCapacity(running.count + waiting.count)
        var r = 0
        func runningEntry(_ id: JobID) -> PriorityRunningSet.Entry {
            let held = startedOn[id.index]
            guard held > 0 else { return PriorityRunningSet.Entry(id, in: s) }
            return PriorityRunningSet.Entry(id: id, kind: .running, gpus: Int(held), usesTypeZero: true)
        }
        // On a cluster of one GPU type the admission (`PriorityRunningSet.admitOneType`, the same steps) runs as the
        // merge emits entries, so that the merge ends where that admission would: once every running job is placed
        // and no GPU is left, every waiting job behind is refused, and building its entry (a read of its status)
        // for each of a long queue's jobs at every round was wasted.
        let oneType = s.topology.gpuTypes.count == 1
        // Every running job's entry, once (a read per job of arrays indexed by JobID: cache misses on large runs).
        let runEntries = running.map(runningEntry)
        var keep: [Bool] = []
        var admission = OneTypeAdmission(left: 0, runningLeft: running.count)
        if oneType {
            keep.reserveCapacity(running.count + waiting.count)
            admission.left = Int(planner.cluster.freeOfType[0])
            for e in runEntries { admission.left += Int(e.gpus) }
        }
        func emit(_ e: PriorityRunningSet.Entry) {
            order.append(e)
            if oneType { keep.append(admission.admit(e)) }
        }
        // The key of running[i]. Keys never decrease along `running`: unweighted, a running job's key is its expected
        // end − now in seconds, and the list is sorted by expected end (Int64 → Double and ÷ 1e9 are monotone).
        // The last key computed is remembered: the search for the next waiting job usually starts where the last ended.
        var memoIndex = -1
        var memoKey = 0.0
        func runningKeyAt(_ i: Int) -> Double {
            if gpuWeighted { return runningKey[i] }
            if i != memoIndex {
                memoIndex = i
                memoKey = Self.key(of: running[i], in: s, gpuWeighted: false)
            }
            return memoKey
        }
        for w in 0..<waiting.count {
            // Every running job placed and no GPU left: the admission refuses the rest (`admitOneType` stops here too).
            if oneType && admission.isDone { break }
            let wid = waiting[w]
            let wk = waitKey[wid.index]
            // The running jobs that rank before waiting[w]: every one with a smaller key, then, among equal keys, those
            // `before` puts first, up to the first that it does not (what a one-by-one merge takes, found with
            // O(log) keys instead of one per running job: long waiting jobs behind a full cluster made every round
            // read every running job's status). Galloping from r, so that short gaps cost few keys.
            var lo = r, step = 1, hi = r
            while hi < running.count && runningKeyAt(hi) < wk {
                lo = hi + 1
                hi = r + step
                step *= 2
            }
            hi = min(hi, running.count)
            while lo < hi {
                let mid = (lo + hi) / 2
                if runningKeyAt(mid) < wk { lo = mid + 1 } else { hi = mid }
            }
            while lo < running.count && Self.before(runningKeyAt(lo), running[lo], wk, wid) { lo += 1 }
            while r < lo {
                emit(runEntries[r])
                r += 1
            }
            // Checked again: the running jobs just placed may have used the last GPU.
            if oneType && admission.isDone { break }
            emit(PriorityRunningSet.Entry(wid, in: s))
        }
        while r < running.count {
            emit(runEntries[r])
            r += 1
        }
        #if SIM_INTERNAL_CHECKS
        // The galloping merge gives the order a one-by-one merge of the two sequences gives (up to where the fused
        // admission stopped), and that admission is `admitOneType`'s over the whole order.
        var plain: [JobID] = []
        var pr = 0
        for wid in waiting {
            while pr < running.count
                && Self.before(gpuWeighted ? runningKey[pr] : key(of: running[pr], in: s), running[pr], waitKey[wid.index], wid) {
                plain.append(running[pr])
                pr += 1
            }
            plain.append(wid)
        }
        plain += running[pr...]
        assert(Array(plain.prefix(order.count)) == order.map(\.id), "SRTF's galloping merge differs from a one-by-one merge")
        if oneType {
            assert(order.count == plain.count || admission.isDone, "SRTF's merge stopped early with GPUs left")
            let full = plain.map { PriorityRunningSet.Entry($0, in: s) }
            assert(PriorityRunningSet.admitOneType(order: full, planner: planner) == keep, "SRTF's fused admission differs")
        } else {
            assert(plain == order.map(\.id), "SRTF's merge left jobs out on a cluster of several types")
        }
        #endif
        var preempted: [JobID] = []
        let decisions = oneType
            ? PriorityRunningSet.decisions(order: order, keep: keep, s, planner: &planner, preempted: &preempted)
            : PriorityRunningSet.decisions(order: order, s, planner: &planner, preempted: &preempted)
        for d in decisions {
            if case .start(let id, let gpus) = d {
                remove(id)
                startedOn[id.index] = Int32(gpus.count)
            }
        }
        // A preempted job waits with its work left at its reference speed, the key a fresh look would give it.
        for id in preempted {
            let left = s.progress.remaining(id.index, at: s.now) / s.progress.entries[id.index].referenceRate
            insert(id, key: parameters.gpuWeighted ? left * Double(s.jobs[id.index].spec.gpuCount) : left)
        }
        #if SIM_INTERNAL_CHECKS
        assert(!decidesNothing || decisions.isEmpty, "SRTF's full-cluster shortcut would have skipped \(decisions)")
        // The kept order is the order a fresh sort of the waiting jobs gives.
        let fresh = s.queue.filter { id in !decisions.contains { if case .start(id, _) = $0 { return true } else { return false } } }
            .sorted { Self.before(key(of: $0, in: s), $0, key(of: $1, in: s), $1) }
        assert(fresh == waiting.filter { s.jobs[$0.index].state.isWaiting }, "SRTF's kept waiting order is stale")
        #endif
        return decisions
    }
}
