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
        var startedNow: [(end: SimTime, gpus: [GPUID], id: JobID)] = []
        var i = 0
        while i < s.queue.count, let gpus = planner.place(s[s.queue[i]]) {
            let job = s[s.queue[i]]
            decisions.append(.start(job.id, gpus: gpus))
            startedNow.append((s.now + job.estimatedDuration, gpus, job.id))
            i += 1
        }
        guard i < s.queue.count else { return decisions }

        // Reservation for the head job.
        let head = s[s.queue[i]]
        let topo = s.topology
        func usable(_ gpus: [GPUID]) -> Int {
            gpus.reduce(0) { $0 + (head.eligibleTypes.contains(Int(topo.gpuTypeIndex[$1.index])) ? 1 : 0) }
        }
        var releases: [(end: SimTime, id: JobID, gpus: Int)] = s.running.map { id in
            let r = s[id]
            return (r.expectedEnd ?? .never, id, usable(r.gpus))
        }
        releases += startedNow.map { ($0.end, $0.id, usable($0.gpus)) }
        releases.sort { ($0.end, $0.id) < ($1.end, $1.id) }
        var free = planner.freeGPUs(in: head.eligibleTypes)
        var shadow = SimTime.never
        var extra = 0
        for r in releases {
            free += r.gpus
            if free >= head.gpuCount {
                shadow = r.end
                extra = free - head.gpuCount
                break
            }
        }

        // Backfill behind the head.
        let limit = parameters.depth == 0 ? s.queue.count : min(s.queue.count, i + 1 + parameters.depth)
        var j = i + 1
        while j < limit, planner.cluster.freeGPUs > 0 {
            let job = s[s.queue[j]]
            j += 1
            let endsInTime = s.now + job.estimatedDuration <= shadow
            guard endsInTime || job.gpuCount <= extra || job.eligibleTypes.bits & head.eligibleTypes.bits == 0 else {
                continue
            }
            guard let gpus = planner.place(job) else { continue }
            decisions.append(.start(job.id, gpus: gpus))
            if !endsInTime { extra -= usable(gpus) }
        }
        return decisions
    }
}
