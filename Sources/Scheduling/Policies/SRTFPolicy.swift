import ClusterModel
import SimKernel
import Workload

/// Preemptive shortest remaining time first (SRTF; Schrage, "A proof of the optimality of the shortest
/// remaining processing time discipline", Operations Research 16(3), 1968), the clairvoyant preemptive baseline
/// of GPU-cluster scheduling studies (e.g. Gu et al., Tiresias, NSDI 2019, which compare against it).
///
/// Variant implemented, and the choices Schrage's single-server discipline leaves open on a GPU cluster:
/// - **Key**: a job's remaining run time, `ClusterSnapshot.estimatedRemainingTime`: at its current speed while it
///   runs (so placement matters), at its reference speed (requested size, packed) while it waits (slowed by its
///   last placement after a preemption, below), plus what is left of a timed transition. With `gpu_weighted: true`
///   the key is remaining GPU-time: that time × the GPUs the job requests, i.e. shortest remaining *service* first
///   (SRSF, the clairvoyant two-dimensional ordering Tiresias contrasts its 2D-LAS with), favouring small jobs.
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
/// - **A preempted job keeps its placement's slowdown.** A running job is keyed at its current speed, a waiting one
///   at its reference speed (requested size, packed, on its reference template), except that a job this policy
///   preempted waits keyed at its reference speed times the factor by which its placement slowed it when preempted:
///   its work rate ÷ its rate alone on as many GPUs of the type it ran on, packed (the throughput oracle; at most 1).
///   Why: keyed at its plain reference speed once waiting, a job slowed by its placement (spread over nodes on a
///   fragmented cluster) ranked ahead of the very jobs that had just displaced it, took their GPUs back at the next
///   arrival or completion, ran slowly again, and was displaced again. On the ITP trace at twice its arrival rate
///   (`Scenarios/itp-full-2x.yaml`, one GPU type) that cycle made 258,008 of 370,862 preemptions (112,854 now; mean
///   JCT 23,528 s before, 24,554 s now: the cycle had favoured the slowed jobs). The GPU type's own speed is left out
///   of the factor: where a job runs next may be a faster or a slower type, while a fragmented cluster stays
///   fragmented (keyed at the speed it ran at, type included, a job preempted from a slow type waited behind jobs it
///   would beat on a fast one: `policy-zoo` mean JCT +1–17% over seeds 1–5, against +0–4.5% with the placement factor
///   alone). A job that has not been preempted since its last start by this policy (a new arrival, one put back by a
///   failure) waits at its reference speed.
/// - Rigid: jobs run on exactly their requested GPU count (elastic ranges are not used).
/// - **Incremental order**: a waiting job's key does not change while it waits, so the waiting jobs are kept sorted
///   across rounds (inserted when they arrive or are preempted, removed when started); new arrivals are found at the
///   queue's end, and the whole queue is read only when a job may have come back in its middle. Running jobs are in
///   `ClusterSnapshot.running`, whose expected-end order is their remaining-time order (keyed here by expected end −
///   now, exact to the nanosecond). A round merges the two, instead of sorting every job (which dominated long
///   queues); the running jobs that go before each waiting one are found by galloping search on their keys, so a
///   round reads the keys of O(Q log R) running jobs, not all of them. A round with nobody waiting decides nothing
///   and returns at once.
/// - **One GPU type**: the admission (`PriorityRunningSet.admitOneType`'s answers) runs during the merge through
///   `RunningSuffixAdmission`, which keeps runs of running jobs without reading them and reads only the running jobs
///   at the end of the order whose GPUs the round's admissions can reach (see its comment for the proof); the merge
///   stops where the admission is done (every running job placed, no GPU left), so waiting jobs behind a full cluster
///   are not visited, and only the jobs it preempts or starts reach the decisions. Debug builds check the kept order
///   against a fresh sort, the merge against a one-by-one merge and the admission against `admitOneType` on the whole
///   order, after every round.
/// - Complexity: on one GPU type, O(W log R + T + placements) per round for the W waiting jobs met and the T running
///   jobs whose suffix of the order holds fewer GPUs than the round admits or turns down (plus R log R with
///   `gpu_weighted`, whose running order is sorted); on k > 1 types, O(Q + R × 2^k) plus placements.
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
    /// GPUs each job in `waiting` requests, by index, or −1 when it may not use GPU type 0 (on a cluster of one type
    /// it never fits): what the one-type admission reads of a waiting job, without reading its status.
    private var waitRequest: [Int32] = []
    /// GPUs of the last start of each job, by index (0 when not started by this policy): a running job's entry
    /// without reading its status. 32-bit: it is read for every running job of most rounds, at random job indices,
    /// and a denser array misses the cache less.
    private var startedOn: [Int32] = []
    /// Listed jobs preempted under a checkpoint cost that were still checkpointing at the last round. They are the only
    /// listed jobs outside the queue, and the only ones whose key can change while listed: a failure during the
    /// checkpoint kills the job, which loses its work since its last periodic checkpoint (`refreshCheckpointed`).
    private var checkpointing: [JobID] = []
    /// Whether a listed job may be outside the queue. When not, every listed job waits, which lets `listNewWaiting`
    /// skip reading the whole queue and the one-type round skip reading waiting jobs' status.
    private var listedMayNotWait: Bool { !checkpointing.isEmpty }
    /// Storage of `RunningSuffixAdmission`'s suffix sums, kept across rounds so that a round allocates none.
    private var suffixBuffer: [Int] = []
    /// The rate each job waits keyed at since this policy last preempted it (`rateAtPreemption`), by index (0: not
    /// preempted since its last start by this policy): its remaining work ÷ this rate (see the type's notes).
    private var preemptedRate: [Double] = []

    /// The ordering key of `id` now: remaining time, or remaining GPU-time with `gpu_weighted`.
    public func key(of id: JobID, in s: ClusterSnapshot) -> Double {
        Self.key(of: id, in: s, gpuWeighted: parameters.gpuWeighted, preemptedRate: preemptedRate)
    }

    // NOTE: the helpers below are static and take what they read: instance methods called from the mutating round
    // made Swift copy the whole policy per call.

    /// `key(of:in:)` given the `gpu_weighted` parameter and the rates at preemption (`preemptedRate`).
    @inline(__always) static func key(of id: JobID, in s: ClusterSnapshot, gpuWeighted: Bool, preemptedRate: [Double]) -> Double {
        let i = id.index
        let t: Double
        if s.jobs[i].state == .running {
            t = (s.jobs[i].expectedEnd! - s.now).seconds
        } else {
            let preempted = i < preemptedRate.count && preemptedRate[i] > 0 ? preemptedRate[i] : nil
            t = s.estimatedRemainingTime(of: id, waitingRate: preempted)
        }
        return gpuWeighted ? t * Double(s.jobs[i].spec.gpuCount) : t
    }

    /// The rate `preemptedRate` records for the running `id` as it is preempted: its reference rate times the factor
    /// by which its placement slowed it, its work rate ÷ its rate alone on as many GPUs of the type it ran on, packed
    /// (the throughput oracle), at most 1. The GPU type's own speed is left out: where the job runs next may be another
    /// type, but a fragmented cluster stays fragmented. The reference rate itself when the factor is unknown (no
    /// oracle; no progress at this instant, never for a job the round may preempt: those in a timed transition keep
    /// their GPUs).
    static func rateAtPreemption(of id: JobID, in s: ClusterSnapshot) -> Double {
        let i = id.index
        let reference = s.progress.entries[i].referenceRate
        let rate = s.progress.entries[i].workRate
        guard rate > 0, let oracle = s.oracle, let first = s.jobs[i].gpus.first else { return reference }
        let type = Int(s.topology.gpuTypeIndex[first.index])
        guard let packed = oracle.rate(of: s.jobs[i].spec, gpuType: type, count: s.jobs[i].gpus.count), packed > 0 else {
            return reference
        }
        return reference * min(1, rate / packed)
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

    private mutating func insert(_ id: JobID, key k: Double, in s: ClusterSnapshot) {
        waitKey[id.index] = k
        listed[id.index] = true
        waitRequest[id.index] = s.jobs[id.index].eligibleTypes.bits & 1 != 0 ? Int32(s.jobs[id.index].spec.gpuCount) : -1
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
            waitRequest += Array(repeating: 0, count: s.jobs.count - waitRequest.count)
            startedOn += Array(repeating: 0, count: s.jobs.count - startedOn.count)
            preemptedRate += Array(repeating: 0, count: s.jobs.count - preemptedRate.count)
        }
        let gpuWeighted = parameters.gpuWeighted
        // Nobody waits: every running job fits on the GPUs it holds, so the running set is all of them and the round
        // decides nothing (most rounds of a run that is not overloaded; the merge below would still visit every
        // running job). Listed jobs that do not wait (checkpointing) neither start nor stop.
        if s.queue.isEmpty { return [] }
        refreshCheckpointed(s)
        listNewWaiting(s)
        // Running jobs in key order: the engine's expected-end order, or sorted when weighted by GPUs. Their keys are
        // computed only as the merge below needs them (once the waiting jobs are all placed, no more comparisons).
        var running: RunningKeys
        if gpuWeighted {
            let unsorted = s.running
            let keys = unsorted.map { Self.key(of: $0, in: s, gpuWeighted: true, preemptedRate: preemptedRate) }
            let order = unsorted.indices.sorted { Self.before(keys[$0], unsorted[$0], keys[$1], unsorted[$1]) }
            running = RunningKeys(ids: order.map { unsorted[$0] }, keys: order.map { keys[$0] })
        } else {
            running = RunningKeys(ids: s.running, keys: [])
        }
        // No GPU free and every running job ahead of every waiting one: the running set is all running jobs, which
        // leave nothing for the waiting ones, so the round decides nothing (a long job's arrival at a full cluster).
        // The test is strict on keys, so that JobID ties cannot matter; one key is computed instead of a merge and a
        // walk over every running job. Debug builds run the full round instead and check that it decides nothing.
        var decidesNothing = false
        if let first = waiting.first, !running.ids.isEmpty, planner.cluster.freeOfType.allSatisfy({ $0 == 0 }) {
            decidesNothing = running.key(running.ids.count - 1, in: s) < waitKey[first.index]
        }
        #if !SIM_INTERNAL_CHECKS
        if decidesNothing { return [] }
        #endif
        var preempted: [JobID] = []
        let decisions = s.topology.gpuTypes.count == 1
            ? oneTypeRound(s, running: &running, planner: &planner, preempted: &preempted)
            : fullRound(s, running: &running, planner: &planner, preempted: &preempted)
        for d in decisions {
            if case .start(let id, let gpus) = d {
                remove(id)
                startedOn[id.index] = Int32(gpus.count)
                preemptedRate[id.index] = 0
            }
        }
        // A preempted job waits with its work left at its reference speed slowed by its placement (see the type's notes).
        for id in preempted {
            let rate = Self.rateAtPreemption(of: id, in: s)
            preemptedRate[id.index] = rate
            let left = s.progress.remaining(id.index, at: s.now) / rate
            insert(id, key: parameters.gpuWeighted ? left * Double(s.jobs[id.index].spec.gpuCount) : left, in: s)
            // Preempted under a checkpoint cost: it stays listed while it checkpoints, outside the queue.
            if !s.preemptionFreesGPUsAtOnce(id) { checkpointing.append(id) }
        }
        #if SIM_INTERNAL_CHECKS
        assert(!decidesNothing || decisions.isEmpty, "SRTF's full-cluster shortcut would have skipped \(decisions)")
        // The kept order is the order a fresh sort of the waiting jobs gives.
        let fresh = s.queue.filter { id in !decisions.contains { if case .start(id, _) = $0 { return true } else { return false } } }
            .sorted { Self.before(key(of: $0, in: s), $0, key(of: $1, in: s), $1) }
        assert(fresh == waiting.filter { s.jobs[$0.index].state.isWaiting }, "SRTF's kept waiting order is stale at \(s.now)")
        #endif
        return decisions
    }

    /// Re-keys the listed jobs whose checkpoint has ended since the last round: one killed by a failure while it
    /// checkpointed lost work, and waits with more left than when it was preempted (its kept key would be stale).
    private mutating func refreshCheckpointed(_ s: ClusterSnapshot) {
        if checkpointing.isEmpty { return }
        let gpuWeighted = parameters.gpuWeighted
        var still: [JobID] = []
        for id in checkpointing {
            let state = s.jobs[id.index].state
            if state == .checkpointing {
                still.append(id)
            } else if state.isWaiting && listed[id.index] {
                let k = Self.key(of: id, in: s, gpuWeighted: gpuWeighted, preemptedRate: preemptedRate)
                if k != waitKey[id.index] {
                    remove(id)
                    insert(id, key: k, in: s)
                }
            }
        }
        checkpointing = still
    }

    /// Lists the jobs that began waiting since the last round: arrivals, and any the engine put back in the queue
    /// (killed by a failure). Arrivals are the newest submissions, at the end of the queue (kept in submission order),
    /// so it reads the queue backwards up to the first listed job; then, when every listed job is known to wait (none
    /// still checkpointing), the listed jobs are a subset of the queue, and equal counts mean the
    /// queue holds no other unlisted job. Otherwise (a job put back in the middle, or listed jobs checkpointing) the
    /// whole queue is read, as every round did before.
    private mutating func listNewWaiting(_ s: ClusterSnapshot) {
        let gpuWeighted = parameters.gpuWeighted
        var i = s.queue.count
        while i > 0 && !listed[s.queue[i - 1].index] {
            i -= 1
            insert(s.queue[i], key: Self.key(of: s.queue[i], in: s, gpuWeighted: gpuWeighted, preemptedRate: preemptedRate), in: s)
        }
        if !listedMayNotWait && waiting.count == s.queue.count { return }
        for id in s.queue where !listed[id.index] {
            insert(id, key: Self.key(of: id, in: s, gpuWeighted: gpuWeighted, preemptedRate: preemptedRate), in: s)
        }
    }

    /// The round on a cluster of one GPU type: `PriorityRunningSet.admitOneType`'s answers over the merge of the running
    /// and waiting jobs, found with `RunningSuffixAdmission`, which skips runs of running jobs it keeps unread, so that
    /// only the waiting jobs met, the running jobs ranked right before them (found by galloping search on keys) and
    /// the running jobs at the end of the order whose GPUs the admitted jobs may take are read. The merge ends where the
    /// admission is done (every running job placed, no GPU left): every later waiting job would be refused, and
    /// reading each of a long queue's jobs at every round was wasted. Debug builds compare the answers with
    /// `admitOneType` over the whole merged order.
    private mutating func oneTypeRound(
        _ s: ClusterSnapshot, running: inout RunningKeys, planner: inout PlacementPlanner, preempted: inout [JobID]
    ) -> [SchedulingDecision] {
        let ids = running.ids
        let startedOn = self.startedOn
        // g_j of the admission: the GPUs the j-th running job holds, from its last start by this policy (no read of its
        // status), or from its allocation if this policy never started it.
        func gpus(_ j: Int) -> Int {
            let held = startedOn[ids[j].index]
            return held > 0 ? Int(held) : s.jobs[ids[j].index].allocation.gpus.count
        }
        var admission = RunningSuffixAdmission(free: Int(planner.cluster.freeOfType[0]), runningCount: ids.count, buffer: &suffixBuffer)
        var refused: [JobID] = []
        var admitted: [JobID] = []
        for wid in waiting {
            if admission.isDone { break }
            let wk = waitKey[wid.index]
            let lo = running.end(before: wk, wid, from: admission.next, in: s)
            admission.decideRunning(upTo: lo, gpus: gpus) { refused.append(ids[$0]) }
            // Checked again: the running jobs just decided may have used the last GPU.
            if admission.isDone { break }
            // Listed jobs that do not wait (checkpointing after a preemption) are neither admitted nor refused; until
            // one may exist, every listed job waits and its status is not read.
            if listedMayNotWait && !s.jobs[wid.index].state.isWaiting { continue }
            let request = Int(waitRequest[wid.index])
            if admission.admitWaiting(gpus: max(0, request), usesType: request >= 0, runningGPUs: gpus) {
                admitted.append(wid)
            }
        }
        admission.decideRunning(upTo: ids.count, gpus: gpus) { refused.append(ids[$0]) }
        suffixBuffer = admission.buffer
        #if SIM_INTERNAL_CHECKS
        // The same answers as `admitOneType` over the whole merged order, and the g_j used are the GPUs held.
        let plain = Self.plainMerge(s, running: &running, waiting: waiting, keys: waitKey)
        let full = plain.map { PriorityRunningSet.Entry($0, in: s) }
        let keep = PriorityRunningSet.admitOneType(order: full, planner: planner)
        let refusedPlain = full.indices.filter { $0 < keep.count && !keep[$0] && full[$0].kind == .running }.map { full[$0].id }
        let admittedPlain = full.indices.filter { $0 < keep.count && keep[$0] && full[$0].kind == .waiting }.map { full[$0].id }
        assert(refused == refusedPlain, "SRTF's suffix admission refuses \(refused), admitOneType \(refusedPlain)")
        assert(admitted == admittedPlain, "SRTF's suffix admission admits \(admitted), admitOneType \(admittedPlain)")
        for j in ids.indices { assert(gpus(j) == s.jobs[ids[j].index].allocation.gpus.count, "stale GPU count of \(ids[j])") }
        for wid in waiting {
            let e = PriorityRunningSet.Entry(wid, in: s)
            assert(listedMayNotWait || e.kind == .waiting, "listed \(wid) does not wait")
            assert(e.kind != .waiting || Int(waitRequest[wid.index]) == (e.usesTypeZero ? Int(e.gpus) : -1), "stale request of \(wid)")
        }
        #endif
        return PriorityRunningSet.decisions(refusing: refused, admitting: admitted, s, planner: &planner, preempted: &preempted)
    }

    /// The round on a cluster of several GPU types: the whole merged order to `PriorityRunningSet.decisions`.
    private func fullRound(
        _ s: ClusterSnapshot, running: inout RunningKeys, planner: inout PlacementPlanner, preempted: inout [JobID]
    ) -> [SchedulingDecision] {
        let ids = running.ids
        var order: [PriorityRunningSet.Entry] = []
        order.reserveCapacity(ids.count + waiting.count)
        var r = 0
        for wid in waiting {
            let lo = running.end(before: waitKey[wid.index], wid, from: r, in: s)
            while r < lo {
                order.append(runningEntry(ids[r], s))
                r += 1
            }
            order.append(PriorityRunningSet.Entry(wid, in: s))
        }
        while r < ids.count {
            order.append(runningEntry(ids[r], s))
            r += 1
        }
        #if SIM_INTERNAL_CHECKS
        assert(Self.plainMerge(s, running: &running, waiting: waiting, keys: waitKey) == order.map(\.id), "SRTF's galloping merge differs")
        #endif
        return PriorityRunningSet.decisions(order: order, s, planner: &planner, preempted: &preempted)
    }

    /// A running job's entry, from its last start by this policy when there is one (no read of its status).
    private func runningEntry(_ id: JobID, _ s: ClusterSnapshot) -> PriorityRunningSet.Entry {
        let held = startedOn[id.index]
        guard held > 0 else { return PriorityRunningSet.Entry(id, in: s) }
        return PriorityRunningSet.Entry(id: id, kind: .running, gpus: Int(held), usesTypeZero: true)
    }

    #if SIM_INTERNAL_CHECKS
    /// The one-by-one merge of the running and waiting jobs (the reference for the galloping one).
    private static func plainMerge(_ s: ClusterSnapshot, running: inout RunningKeys, waiting: [JobID], keys waitKey: [Double]) -> [JobID] {
        var plain: [JobID] = []
        var pr = 0
        for wid in waiting {
            while pr < running.ids.count && Self.before(running.key(pr, in: s), running.ids[pr], waitKey[wid.index], wid) {
                plain.append(running.ids[pr])
                pr += 1
            }
            plain.append(wid)
        }
        return plain + running.ids[pr...]
    }
    #endif
}

/// The running jobs of an SRTF round in key order, with their keys computed as the merge asks for them.
private struct RunningKeys {
    /// Running jobs in key order.
    let ids: [JobID]
    /// Their keys, when computed up front (GPU-weighted keys, which had to be sorted); empty otherwise.
    let keys: [Double]
    /// The last key computed, remembered: the search for the next waiting job usually starts where the last ended.
    private var memoIndex = -1
    private var memoKey = 0.0

    init(ids: [JobID], keys: [Double]) {
        self.ids = ids
        self.keys = keys
    }

    /// The key of ids[i]. Keys never decrease along `ids`: unweighted, a running job's key is its expected end − now in
    /// seconds, and the list is sorted by expected end (Int64 → Double and ÷ 1e9 are monotone).
    mutating func key(_ i: Int, in s: ClusterSnapshot) -> Double {
        if !keys.isEmpty { return keys[i] }
        if i != memoIndex {
            memoIndex = i
            memoKey = (s.jobs[ids[i].index].expectedEnd! - s.now).seconds
        }
        return memoKey
    }

    /// The end of the running jobs, from position `r` on, that rank before the waiting job `wid` of key `wk`: every
    /// one with a smaller key, then, among equal keys, those `SRTFPolicy.before` puts first, up to the first that it
    /// does not (what a one-by-one merge takes, found with O(log) keys instead of one per running job). Galloping from
    /// r, so that short gaps cost few keys.
    mutating func end(before wk: Double, _ wid: JobID, from r: Int, in s: ClusterSnapshot) -> Int {
        var lo = r, step = 1, hi = r
        while hi < ids.count && key(hi, in: s) < wk {
            lo = hi + 1
            hi = r + step
            step *= 2
        }
        hi = min(hi, ids.count)
        while lo < hi {
            let mid = (lo + hi) / 2
            if key(mid, in: s) < wk { lo = mid + 1 } else { hi = mid }
        }
        while lo < ids.count && (key(lo, in: s) != wk ? key(lo, in: s) < wk : ids[lo] < wid) { lo += 1 }
        return lo
    }
}
