import ClusterModel
import Performance
import SimKernel
import Workload

/// SchedLab's own policy: topology-aware elastic scheduling. Data-parallel jobs that can be resized (`gpuRange`,
/// sharding a global batch) grow into idle GPUs and shrink to admit waiting jobs, keep their rings on the fastest
/// links, and are reallocated only when the time it saves repays the reallocation's modeled cost.
///
/// Every round (arrivals, completions, transition ends):
/// 1. **Admission**, waiting jobs in submission order (a job that cannot be admitted is skipped, not blocking):
///    an elastic job starts on min(requested, free) GPUs if that is at least its minimum; a rigid job on exactly
///    its request. If too few GPUs of its types are free, running elastic jobs shrink to make room (see 3), but
///    only when their spare GPUs (above their minimums) cover what is missing; otherwise nobody shrinks.
/// 2. **Placement** of a start: the run's placement strategy and SchedLab's topology-aware strategy (one node,
///    else one rack with equal GPUs per node, else fewest racks) each propose GPUs; the throughput oracle, which
///    prices a placement on the cluster's link graph, picks the faster (ties: the topology-aware one). The oracle
///    answers for the job alone: other jobs' current traffic is not weighed.
/// 3. **Shrinking**: the victim that loses the least of its own speed per GPU freed shrinks first (relative
///    loss, from the oracle), each at most once per round, never below its minimum; it keeps the GPUs on the
///    nodes where it has most (`ElasticGPUChoice.keep`). The shrink is priced before it is made: the victims'
///    reshard seconds (the run's transition cost) against the wait the admitted job is spared, estimated as the
///    time until the first running job on GPUs of its types finishes; it is made only when that wait is at least
///    `payback` × the cost (free reshards always qualify). With slow reallocation, jobs wait instead.
/// 4. **Growth** into GPUs still free: for each running elastic job below its maximum, up to three growths are
///    priced: filling the free GPUs on its own nodes, doubling, and taking every free GPU (capped at its
///    maximum), each on GPUs chosen island-first (`ElasticGPUChoice.extra`). A growth from rate r to r′ over
///    remaining work W saves W/r − W/r′ seconds and costs c, the run's transition cost of that resize (live
///    resharding over the links, or checkpoint-restart, or free). It qualifies when the saving is at least
///    `payback` × c; the best saving net of c per GPU added wins, ties to the lower JobID and the smaller growth;
///    repeated while GPUs are free, at most `max_grows_per_round` times.
///    A job started this round is a candidate too, at no reallocation cost: growing it starts it bigger.
/// 5. A job resized (or grown at its start) this round is not touched again until the next; jobs in a timed
///    transition are left alone.
/// No preemption and no timer: GPUs only free up at events, and a growth that did not pay then cannot start
/// paying later (the remaining work only shrinks).
/// Complexity per round: O(Q) admissions with placements, plus O(E × `max_grows_per_round`) oracle queries for
/// E elastic running jobs.
public struct FabricPolicy: SchedulingPolicy {
    public static let name = "fabric"

    /// Scenario parameters of `fabric`.
    public struct Parameters: Decodable, Sendable, Equatable {
        /// Time a growth must save, as a multiple of its reallocation cost.
        public var payback = 2.0
        /// Most growths per round.
        public var maxGrowsPerRound = 16
        /// Shrink running elastic jobs to admit waiting ones.
        public var shrinkToAdmit = true

        static let documentation = [
            "payback: seconds a growth must save, as a multiple of its reallocation cost, 0 to 1000 (2)",
            "max_grows_per_round: most growths in one round, 0 to 10000 (16)",
            "shrink_to_admit: shrink running elastic jobs (not below their minimum) to admit waiting jobs (true)",
        ]

        /// Default parameters.
        public init(payback: Double = 2, maxGrowsPerRound: Int = 16, shrinkToAdmit: Bool = true) {
            self.payback = payback
            self.maxGrowsPerRound = maxGrowsPerRound
            self.shrinkToAdmit = shrinkToAdmit
        }

        private enum CodingKeys: String, CodingKey { case payback, max_grows_per_round, shrink_to_admit }
        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: ["payback", "max_grows_per_round", "shrink_to_admit"])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            payback = try c.decodeIfPresent(Double.self, forKey: .payback) ?? 2
            guard payback.isFinite && (0...1000).contains(payback) else {
                throw c.invalid(.payback, "expected a multiple in 0...1000, got \(payback)")
            }
            maxGrowsPerRound = try c.decodeIfPresent(Int.self, forKey: .max_grows_per_round) ?? 16
            guard (0...10_000).contains(maxGrowsPerRound) else {
                throw c.invalid(.max_grows_per_round, "expected an integer in 0...10000, got \(maxGrowsPerRound)")
            }
            shrinkToAdmit = try c.decodeIfPresent(Bool.self, forKey: .shrink_to_admit) ?? true
        }
    }

    /// The parameters in force.
    public let parameters: Parameters

    /// Creates the policy.
    public init(_ parameters: Parameters = Parameters()) { self.parameters = parameters }

    /// One round's working state: the GPUs of the running elastic jobs after this round's decisions so far, and
    /// where this round's starts of elastic jobs are in the decision list (growing one of those just starts it
    /// bigger, at no reallocation cost).
    private struct Round {
        var elastic: [JobID]
        var gpus: [JobID: [GPUID]]
        var touched: Set<JobID> = []
        var startAt: [JobID: Int] = [:]
        /// Per set of GPU types (mask bits), the smallest shortfall that shrinking could not cover this round: a
        /// later job of those types short of as many GPUs cannot be admitted either (spare only shrinks).
        var uncoverable: [UInt64: Int] = [:]
        /// Per set of GPU types, the smallest shortfall whose shrinking did not repay its reshards this round; a larger
        /// one is not tried again this round (a choice: it needs as many GPUs or more moved, and the wait it would
        /// spare is estimated the same).
        var unpaid: [UInt64: Int] = [:]
        /// Per set of GPU types, `soonestRelease` this round.
        var soonest: [UInt64: Double] = [:]
    }

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        var decisions: [SchedulingDecision] = []
        let elastic = s.running.filter { s.jobs[$0.index].spec.gpuRange != nil }.sorted()
        var round = Round(elastic: elastic, gpus: Dictionary(uniqueKeysWithValues: elastic.map { ($0, s.jobs[$0.index].gpus) }))
        for id in s.queue where s.jobs[id.index].state.isWaiting {
            let job = s.jobs[id.index]
            let range = job.spec.allowedGPUCounts
            var free = planner.freeGPUs(in: job.eligibleTypes)
            if free < range.lowerBound {
                guard parameters.shrinkToAdmit,
                      shrink(toFree: range.lowerBound - free, types: job.eligibleTypes, s, &planner, &round, &decisions)
                else { continue }
                free = planner.freeGPUs(in: job.eligibleTypes)
            }
            let count = min(job.gpuCount, free)
            guard count >= range.lowerBound, let gpus = place(job, count: count, s, &planner) else { continue }
            decisions.append(.start(id, gpus: gpus))
            if job.spec.gpuRange != nil {
                round.elastic.append(id)
                round.gpus[id] = gpus
                round.startAt[id] = decisions.count - 1
            }
        }
        grow(s, &planner, &round, &decisions)
        return decisions
    }

    // MARK: Placement

    /// GPUs for starting `job` on `count` GPUs: the faster, by the oracle, of the run's strategy and the
    /// topology-aware one; reserved in the plan.
    private func place(_ job: JobStatus, count: Int, _ s: ClusterSnapshot, _ planner: inout PlacementPlanner) -> [GPUID]? {
        let aware = TopologyAwarePlacement().choose(count: count, types: job.eligibleTypes, in: planner.cluster)
        let strategy = planner.strategy.choose(count: count, types: job.eligibleTypes, in: planner.cluster)
        var choice = aware ?? strategy
        if let a = aware, let b = strategy, a != b, let oracle = s.oracle, job.spec.model != nil,
           oracle.rate(of: job.spec, on: b) > oracle.rate(of: job.spec, on: a) {
            choice = b
        }
        guard let gpus = choice, planner.claim(gpus, for: job.id) else { return nil }
        return gpus
    }

    /// The job's speed alone on `gpus` (work units per second); proportional to the GPU count without an oracle
    /// or a zoo model.
    private func rate(_ job: JobStatus, on gpus: [GPUID], _ s: ClusterSnapshot) -> Double {
        guard let oracle = s.oracle, job.spec.model != nil else { return Double(gpus.count) }
        return oracle.rate(of: job.spec, on: gpus)
    }

    // MARK: Shrinking

    /// Shrinks running elastic jobs until `need` more GPUs of `types` are free, least relative loss per GPU first;
    /// false (and nothing shrunk) when their spare GPUs do not cover `need`.
    private func shrink(toFree need: Int, types: GPUTypeMask, _ s: ClusterSnapshot, _ planner: inout PlacementPlanner,
                        _ round: inout Round, _ decisions: inout [SchedulingDecision]) -> Bool {
        let topo = s.topology
        func spare(_ id: JobID) -> Int {
            // Jobs started this round are not shrunk (their start is not applied yet, and may still be restoring).
            guard !round.touched.contains(id), round.startAt[id] == nil, let held = round.gpus[id] else { return 0 }
            let usable = held.filter { types.contains(Int(topo.gpuTypeIndex[$0.index])) }.count
            return min(usable, held.count - s.jobs[id.index].spec.allowedGPUCounts.lowerBound)
        }
        if let known = round.uncoverable[types.bits], need >= known { return false }
        if let known = round.unpaid[types.bits], need >= known { return false }
        guard round.elastic.reduce(0, { $0 + spare($1) }) >= need else {
            round.uncoverable[types.bits] = min(need, round.uncoverable[types.bits] ?? .max)
            return false
        }
        // Plan first: each candidate's relative loss per GPU if it gives up what is still needed (or all its spare),
        // least first, on a scratch copy of the holdings; nothing is released until the plan has been priced.
        var planned: [(id: JobID, keep: [GPUID])] = []
        var holdings = round.gpus
        var done: Set<JobID> = []
        var left = need
        while left > 0 {
            var best: (id: JobID, m: Int, keep: [GPUID], loss: Double)?
            for id in round.elastic where !done.contains(id) {
                let m = min(spare(id), left)
                guard m > 0, let held = holdings[id] else { continue }
                let job = s.jobs[id.index]
                // Drop GPUs of the waiting job's types only: keep the others plus the best-placed of these.
                let keep = Self.keep(held, dropping: m, types: types, topo)
                let before = rate(job, on: held, s)
                let loss = before > 0 ? (before - rate(job, on: keep, s)) / before / Double(m) : 0
                if best == nil || loss < best!.loss { best = (id, m, keep, loss) }
            }
            guard let b = best else { return false }
            planned.append((b.id, b.keep))
            holdings[b.id] = b.keep
            done.insert(b.id)
            left -= b.m
        }
        // Price it: the victims stall for their reshards (seconds of their completion times), against the wait the
        // admitted job is spared, estimated as the soonest a running job of these types finishes (a lower bound:
        // it may need more than one to finish). Free reshards always pay; others must repay `payback` times.
        var cost = 0.0
        for p in planned {
            let job = s.jobs[p.id.index]
            cost += s.transitionCosts.seconds(.resize, job: job, from: round.gpus[p.id]!, to: p.keep)
        }
        if cost > 0 && soonestRelease(of: types, s, &round) < parameters.payback * cost {
            round.unpaid[types.bits] = min(need, round.unpaid[types.bits] ?? .max)
            return false
        }
        for p in planned {
            let held = round.gpus[p.id]!
            planner.release(held.filter { !p.keep.contains($0) }, of: p.id)
            decisions.append(.resize(p.id, gpus: p.keep))
            round.gpus[p.id] = p.keep
            round.touched.insert(p.id)
        }
        return true
    }

    /// Seconds until the first running job holding GPUs of `types` is expected to finish at its current speed
    /// (`.infinity` when none holds any); computed once per round and set of types.
    private func soonestRelease(of types: GPUTypeMask, _ s: ClusterSnapshot, _ round: inout Round) -> Double {
        if let known = round.soonest[types.bits] { return known }
        let topo = s.topology
        var soonest = Double.infinity
        for id in s.running where s.jobs[id.index].gpus.contains(where: { types.contains(Int(topo.gpuTypeIndex[$0.index])) }) {
            soonest = min(soonest, s.estimatedRemainingTime(of: id))
        }
        round.soonest[types.bits] = soonest
        return soonest
    }

    /// `held` less `m` GPUs of `types`, keeping the compact part (`ElasticGPUChoice.keep`) of those.
    private static func keep(_ held: [GPUID], dropping m: Int, types: GPUTypeMask, _ topo: Topology) -> [GPUID] {
        let droppable = held.filter { types.contains(Int(topo.gpuTypeIndex[$0.index])) }
        let other = held.filter { !types.contains(Int(topo.gpuTypeIndex[$0.index])) }
        let kept = Set(other + ElasticGPUChoice.keep(droppable.count - m, of: droppable, topology: topo))
        return held.filter { kept.contains($0) }
    }

    // MARK: Growth

    private func grow(_ s: ClusterSnapshot, _ planner: inout PlacementPlanner, _ round: inout Round,
                      _ decisions: inout [SchedulingDecision]) {
        let topo = s.topology
        for _ in 0..<parameters.maxGrowsPerRound {
            guard planner.cluster.freeGPUs > 0 else { return }
            // One copy of the plan's cluster per pass (nothing is claimed until the pass ends): reading it through the
            // inout planner for every candidate retained and released all of its arrays each time.
            let cluster = planner.cluster
            var best: (id: JobID, gpus: [GPUID], extra: [GPUID], score: Double)?
            for id in round.elastic where !round.touched.contains(id) {
                let job = s.jobs[id.index]
                guard let held = round.gpus[id], held.count < job.spec.allowedGPUCounts.upperBound else { continue }
                let room = job.spec.allowedGPUCounts.upperBound - held.count
                let free = planner.freeGPUs(in: job.eligibleTypes)
                guard free > 0 else { continue }
                var onNodes = 0
                for n in Set(held.map { topo.gpuNode[$0.index].index }).sorted()
                where job.eligibleTypes.contains(Int(topo.nodeTypeIndex[n])) {
                    onNodes += Int(cluster.freeOnNode[n])
                }
                let work = s.remainingWork(of: id)
                let now = rate(job, on: held, s)
                guard now > 0, work > 0 else { continue }
                var sizes = [min(room, onNodes), min(room, held.count), min(room, free)].filter { $0 > 0 }
                sizes = Array(Set(sizes)).sorted()
                for k in sizes {
                    guard let extra = ElasticGPUChoice.extra(k, for: held, types: job.eligibleTypes, in: cluster)
                    else { continue }
                    let target = held + extra
                    let after = rate(job, on: target, s)
                    guard after > now else { continue }
                    let saved = work / now - work / after
                    let starting = round.startAt[id] != nil
                    let cost = starting ? 0 : s.transitionCosts.seconds(.resize, job: job, from: held, to: target)
                    guard saved >= parameters.payback * cost, saved > cost else { continue }
                    let score = (saved - cost) / Double(k)
                    if best == nil || score > best!.score { best = (id, target, extra, score) }
                }
            }
            guard let b = best, planner.claim(b.extra, for: b.id) else { return }
            if let at = round.startAt[b.id] {
                decisions[at] = .start(b.id, gpus: b.gpus)  // still starting: start it bigger
            } else {
                decisions.append(.resize(b.id, gpus: b.gpus))
            }
            round.gpus[b.id] = b.gpus
            round.touched.insert(b.id)
        }
    }
}
