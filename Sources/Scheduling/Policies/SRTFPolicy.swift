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
///   and are left out of the ordering until the transition ends (which runs a round). The policy assumes a
///   preemption frees its GPUs at once (free checkpoints, the default and what scenarios use): with a checkpoint
///   cost the engine rejects a round that starts a job on GPUs still checkpointing (policies cannot see costs).
/// - A running job is keyed at its current speed, a waiting one at its reference speed, so a job on a slow
///   placement may be displaced and then rank ahead again once waiting; that can only happen at rounds (arrivals
///   and completions), never in a loop.
/// - Rigid: jobs run on exactly their requested GPU count (elastic ranges are not used).
/// - Complexity: O(J log J + J × 2^k) per round for J running and waiting jobs and k GPU types, plus placements.
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

    /// The ordering key of `id` now: remaining time, or remaining GPU-time with `gpu_weighted`.
    public func key(of id: JobID, in s: ClusterSnapshot) -> Double {
        let t = s.estimatedRemainingTime(of: id)
        return parameters.gpuWeighted ? t * Double(s[id].gpuCount) : t
    }

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        var candidates: [(key: Double, submit: SimTime, id: JobID)] = []
        candidates.reserveCapacity(s.running.count + s.queue.count)
        for id in s.running { candidates.append((key(of: id, in: s), s[id].spec.submitTime, id)) }
        for id in s.queue { candidates.append((key(of: id, in: s), s[id].spec.submitTime, id)) }
        candidates.sort { a, b in
            if a.key != b.key { return a.key < b.key }
            if a.submit != b.submit { return a.submit < b.submit }
            return a.id < b.id
        }
        var preempted: [JobID] = []
        return PriorityRunningSet.decisions(order: candidates.map(\.id), s, planner: &planner, preempted: &preempted)
    }
}
