import ClusterModel
import SimKernel
import Workload

/// FIFO with EASY backfilling (Lifka, "The ANL/IBM SP scheduling system", JSSPP 1995).
///
/// Jobs start in submission order while they fit. When the head job does not fit, it gets a reservation at
/// the *shadow time*: the earliest moment, going through running jobs by expected end, when enough GPUs of
/// its types will be free. A later job may start now (backfill) if it fits and either ends by the shadow
/// time (by its known duration) or only uses GPUs the head will not need then (the *extra* GPUs).
/// Only the head holds a reservation, so backfilled jobs never delay it but may delay others.
/// - Complexity: O(R log R + Q × placement) per round for R running and Q waiting jobs.
public struct EASYBackfillPolicy: SchedulingPolicy {
    public static let name = "backfill"
    public static let onlyStartsWaitingJobs = true

    /// Scenario parameters of `backfill`.
    public struct Parameters: Decodable, Sendable, Equatable {
        /// Consider at most this many jobs behind the head for backfilling (0: all of them). Slurm bounds its
        /// backfill scan the same way (bf_max_job_test) to cap the cost of a round on long queues.
        public var depth: Int = 0

        static let documentation = ["depth: how many jobs behind the head may be backfilled per round, 0 = all (0)"]

        /// Default parameters.
        public init(depth: Int = 0) { self.depth = depth }

        private enum CodingKeys: String, CodingKey { case depth }
        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: ["depth"])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            depth = try c.decodeIfPresent(Int.self, forKey: .depth) ?? 0
            guard depth >= 0 else { throw c.invalid(.depth, "expected an integer >= 0, got \(depth)") }
        }
    }

    /// The parameters in force.
    public let parameters: Parameters

    /// Creates the policy.
    public init(_ parameters: Parameters = Parameters()) { self.parameters = parameters }

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        var decisions: [SchedulingDecision] = []
        var startedNow: [(end: SimTime, id: JobID, gpus: [GPUID])] = []
        var i = 0
        while i < s.queue.count {
            let id = s.queue[i]
            guard let gpus = planner.place(id, count: s[id].gpuCount, types: s[id].eligibleTypes) else { break }
            decisions.append(.start(id, gpus: gpus))
            startedNow.append((s.now + s[id].estimatedDuration, id, gpus))
            i += 1
        }
        // Nothing to backfill into, or nobody waiting.
        guard i < s.queue.count, planner.cluster.freeGPUs > 0 else { return decisions }

        // Reservation for the head job: walk releases in time order (running jobs come sorted by expected
        // end; merge in the few started this round) until enough GPUs of its types are free.
        let headID = s.queue[i]
        let need = s[headID].gpuCount
        let headTypes = s[headID].eligibleTypes
        let topo = s.topology
        let headUsesAnyType = headTypes.bits & GPUTypeMask.all(topo).bits == GPUTypeMask.all(topo).bits
        func usable(_ gpus: [GPUID]) -> Int {
            if headUsesAnyType { return gpus.count }
            return gpus.reduce(0) { $0 + (headTypes.contains(Int(topo.gpuTypeIndex[$1.index])) ? 1 : 0) }
        }
        startedNow.sort { ($0.end, $0.id) < ($1.end, $1.id) }
        var free = planner.freeGPUs(in: headTypes)
        // Enough GPUs are free but the placement strategy could not use them: reserve them now.
        var shadow = free >= need ? s.now : SimTime.never
        var extra = max(0, free - need)
        var r = 0
        var n = 0
        while free < need && (r < s.running.count || n < startedNow.count) {
            let runningEnd = r < s.running.count ? (s[s.running[r]].expectedEnd ?? .never, s.running[r]) : (.never, JobID(Int(Int32.max)))
            let startedEnd = n < startedNow.count ? (startedNow[n].end, startedNow[n].id) : (.never, JobID(Int(Int32.max)))
            let end: SimTime
            if runningEnd < startedEnd {
                end = runningEnd.0
                free += usable(s[s.running[r]].gpus)
                r += 1
            } else {
                end = startedEnd.0
                free += usable(startedNow[n].gpus)
                n += 1
            }
            if free >= need {
                shadow = end
                extra = free - need
            }
        }

        // Backfill behind the head.
        let limit = parameters.depth == 0 ? s.queue.count : min(s.queue.count, i + 1 + parameters.depth)
        var j = i + 1
        while j < limit, planner.cluster.freeGPUs > 0 {
            let id = s.queue[j]
            j += 1
            let count = s[id].gpuCount
            let types = s[id].eligibleTypes
            let endsInTime = s.now + s[id].estimatedDuration <= shadow
            guard endsInTime || count <= extra || types.bits & headTypes.bits == 0 else { continue }
            guard let gpus = planner.place(id, count: count, types: types) else { continue }
            decisions.append(.start(id, gpus: gpus))
            if !endsInTime { extra -= usable(gpus) }
        }
        return decisions
    }
}
