import ClusterModel
import Workload

/// First in, first out: start waiting jobs in submission order; the first that does not fit blocks the rest.
///
/// The classic batch-farm baseline (head-of-line blocking is the point of comparison for backfilling).
/// - Complexity: O(started jobs × placement) per round.
public struct FIFOPolicy: SchedulingPolicy {
    public static let name = "fifo"
    public static let onlyStartsWaitingJobs = true
    public static let startsStrictlyInQueueOrder = true

    /// Creates the policy; it has no parameters.
    public init(_ parameters: NoParameters = NoParameters()) {}

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        var decisions: [SchedulingDecision] = []
        for id in s.queue {
            guard let gpus = planner.place(id, count: s[id].gpuCount, types: s[id].eligibleTypes) else { break }
            decisions.append(.start(id, gpus: gpus))
        }
        return decisions
    }
}
