import ClusterModel
import HeapModule
import Performance
import SimKernel
import Workload

/// The allocation step shared by the elastic baselines (`optimus`, `pollux`): decide a GPU count per job by giving
/// GPUs one at a time to the job whose objective gains most, then turn the counts into start and resize decisions.
///
/// Pool: the free GPUs plus those of running elastic jobs (rigid running jobs and jobs in a timed transition keep
/// theirs). Every running elastic job first gets its minimum; then waiting jobs, in submission order, get their
/// minimum while the pool lasts (a waiting job that does not fit waits; nothing is preempted); then the rest goes
/// one GPU at a time to the job with the largest `gain(job, from: n)`, up to each job's maximum, while the gain is
/// positive. Ties go to the earlier candidate (running jobs by JobID, then waiting jobs in submission order). A heap
/// of each job's next gain makes that O(pool × log jobs) instead of a scan of every job per GPU.
///
/// Speeds come from the throughput oracle on `n` packed GPUs of the job's type (its current GPUs' type, or the
/// eligible type with the most GPUs), so they are cached per (model, count, type) and cheap to ask for every count.
/// Realizing the counts: shrinks first (keeping the compact part of a job's GPUs), then starts (topology-aware
/// placement), then growths (island-first GPUs); a start or growth that cannot be placed (fragmentation, types) is
/// skipped for the round.
/// Heterogeneous clusters are handled only through that per-job type: the pool is counted over all types.
public struct GreedyElasticAllocation {
    /// A job the allocation decides for.
    public struct Candidate {
        /// The job.
        public var id: JobID
        /// GPUs it holds now (empty when waiting).
        public var held: [GPUID]
        /// Its allowed counts, capped at the GPUs of its eligible types (so that no count is unplaceable even on
        /// an empty cluster).
        public var range: ClosedRange<Int>
        /// The GPU type its speed is priced on.
        public var type: Int
    }

    /// The snapshot the round decides from.
    public let snapshot: ClusterSnapshot

    /// Creates the step for one round.
    public init(_ snapshot: ClusterSnapshot) { self.snapshot = snapshot }

    /// Work units per second of `job` alone on `n` packed GPUs of type index `type` (proportional to n without an
    /// oracle or a zoo model). A job that counts goodput is priced at its current progress (its noise scale).
    public func rate(_ id: JobID, gpus n: Int, type: Int) -> Double {
        guard n > 0 else { return 0 }
        let spec = snapshot.jobs[id.index].spec
        guard let oracle = snapshot.oracle, spec.model != nil,
              let step = oracle.step(of: spec, gpuType: type, count: n) else { return Double(n) }
        guard StatisticalEfficiency.countsGoodput(spec) else { return step.workRate }
        return WorkRate.of(spec, gpuCount: n, step: step.seconds, referenceStep: 0, compute: step.compute,
                           progress: snapshot.progressShare(of: id))
    }

    /// The jobs to allocate: running elastic jobs (JobID order), then waiting jobs (submission order).
    public func candidates() -> [Candidate] {
        let s = snapshot
        var out: [Candidate] = []
        for id in s.running.sorted() where s.jobs[id.index].spec.gpuRange != nil {
            let held = s.jobs[id.index].gpus
            out.append(Candidate(id: id, held: held, range: range(id), type: Int(s.topology.gpuTypeIndex[held[0].index])))
        }
        for id in s.queue where s.jobs[id.index].state.isWaiting {
            out.append(Candidate(id: id, held: [], range: range(id), type: bestType(id)))
        }
        return out
    }

    /// `id`'s allowed counts, the top capped at the cluster's GPUs of its eligible types (never below its minimum,
    /// which the run's setup checked fits).
    private func range(_ id: JobID) -> ClosedRange<Int> {
        let allowed = snapshot.jobs[id.index].spec.allowedGPUCounts
        let capacity = snapshot.eligibleGPUCount(of: id)
        return allowed.lowerBound...max(allowed.lowerBound, min(allowed.upperBound, capacity))
    }

    /// The eligible GPU type with the most GPUs (ties to the lower index).
    private func bestType(_ id: JobID) -> Int {
        let topo = snapshot.topology
        var best = 0, most = -1
        for t in 0..<topo.gpuTypes.count where snapshot.jobs[id.index].eligibleTypes.contains(t) {
            let n = topo.gpuCount(ofType: t)
            if n > most { best = t; most = n }
        }
        return best
    }

    /// GPU counts for `candidates` (0: stays waiting), from the pool and `gain(candidate index, current count)`.
    public func counts(_ candidates: [Candidate], pool: Int, gain: (Int, Int) -> Double) -> [Int] {
        var count = Array(repeating: 0, count: candidates.count)
        var left = pool
        for (k, c) in candidates.enumerated() where !c.held.isEmpty {
            count[k] = c.range.lowerBound
            left -= c.range.lowerBound
        }
        for (k, c) in candidates.enumerated() where c.held.isEmpty && c.range.lowerBound <= left {
            count[k] = c.range.lowerBound
            left -= c.range.lowerBound
        }
        var next = Heap<NextGPU>()
        for (k, c) in candidates.enumerated() where count[k] > 0 && count[k] < c.range.upperBound {
            let g = gain(k, count[k])
            if g > 0 { next.insert(NextGPU(gain: g, candidate: k)) }
        }
        while left > 0, let best = next.popMax() {
            let k = best.candidate
            count[k] += 1
            left -= 1
            if count[k] < candidates[k].range.upperBound {
                let g = gain(k, count[k])
                if g > 0 { next.insert(NextGPU(gain: g, candidate: k)) }
            }
        }
        return count
    }

    /// A candidate's gain from one more GPU, ordered by gain, then earlier candidate first.
    private struct NextGPU: Comparable {
        var gain: Double
        var candidate: Int
        static func < (a: NextGPU, b: NextGPU) -> Bool {
            a.gain != b.gain ? a.gain < b.gain : a.candidate > b.candidate
        }
    }

    /// Start and resize decisions that move `candidates` to `counts`, reserving GPUs in `planner`.
    public func decisions(_ candidates: [Candidate], counts: [Int], planner: inout PlacementPlanner) -> [SchedulingDecision] {
        let s = snapshot
        var out: [SchedulingDecision] = []
        for (k, c) in candidates.enumerated() where !c.held.isEmpty && counts[k] < c.held.count {
            let keep = ElasticGPUChoice.keep(counts[k], of: c.held, topology: s.topology)
            planner.release(c.held.filter { !keep.contains($0) }, of: c.id)
            out.append(.resize(c.id, gpus: keep))
        }
        for (k, c) in candidates.enumerated() where c.held.isEmpty && counts[k] > 0 {
            let types = s.jobs[c.id.index].eligibleTypes
            guard let gpus = TopologyAwarePlacement().choose(count: counts[k], types: types, in: planner.cluster),
                  planner.claim(gpus, for: c.id) else { continue }
            out.append(.start(c.id, gpus: gpus))
        }
        for (k, c) in candidates.enumerated() where !c.held.isEmpty && counts[k] > c.held.count {
            let types = s.jobs[c.id.index].eligibleTypes
            guard let extra = ElasticGPUChoice.extra(counts[k] - c.held.count, for: c.held, types: types, in: planner.cluster),
                  planner.claim(extra, for: c.id) else { continue }
            out.append(.resize(c.id, gpus: c.held + extra))
        }
        return out
    }

    /// One interval-boundary round of an elastic baseline (`optimus`, `pollux`): before `clock` only a wake-up for it;
    /// at or after it, the next boundary is set `interval` seconds on, counts are chosen with the gain `makeGain`
    /// builds for this round's step and candidates, and the decisions that realize them come back with a wake-up at
    /// the next boundary while anything waits, runs or changed.
    public static func intervalRound(
        _ s: ClusterSnapshot, planner: inout PlacementPlanner, clock: inout SimTime, interval: Double,
        gain makeGain: (GreedyElasticAllocation, [Candidate]) -> (Int, Int) -> Double
    ) -> [SchedulingDecision] {
        guard s.now >= clock else { return [.wakeUp(at: clock)] }
        clock = s.now + .seconds(interval)
        let step = GreedyElasticAllocation(s)
        let candidates = step.candidates()
        let counts = step.counts(candidates, pool: step.pool(candidates, planner: planner), gain: makeGain(step, candidates))
        var decisions = step.decisions(candidates, counts: counts, planner: &planner)
        if !s.queue.isEmpty || !s.running.isEmpty || !decisions.isEmpty { decisions.append(.wakeUp(at: clock)) }
        return decisions
    }

    /// Decodes a policy's `interval_s` (seconds between rounds, in `PolicyPeriod`'s range; `fallback` when absent).
    public static func decodeInterval<Key: CodingKey>(
        _ c: KeyedDecodingContainer<Key>, _ key: Key, default fallback: Double
    ) throws -> Double {
        try PolicyPeriod.decode(c, key, default: fallback)
    }

    /// GPUs the allocation may hand out: free ones plus those of running elastic jobs.
    public func pool(_ candidates: [Candidate], planner: PlacementPlanner) -> Int {
        planner.cluster.freeGPUs + candidates.reduce(0) { $0 + $1.held.count }
    }
}
