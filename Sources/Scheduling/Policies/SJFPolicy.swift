import ClusterModel
import Workload

/// Shortest job first: start waiting jobs in order of their known duration, never preempting.
///
/// "Known duration" is the job's estimated run time at its requested size on a packed placement (exact for
/// trace jobs, the model's estimate for iteration jobs). Jobs that do not fit are skipped, so smaller or
/// shorter jobs behind them may start (set `blocking: true` to stop at the first that does not fit instead).
/// - Complexity: O(Q log Q) per round for Q waiting jobs.
public struct SJFPolicy: SchedulingPolicy {
    public static let name = "sjf"
    public static let onlyStartsWaitingJobs = true

    /// Scenario parameters of `sjf`.
    public struct Parameters: Decodable, Sendable, Equatable {
        /// Stop at the first job (in SJF order) that does not fit, instead of skipping it.
        public var blocking: Bool = false

        static let documentation = ["blocking: stop at the first job that does not fit instead of skipping it (false)"]

        /// Default parameters.
        public init(blocking: Bool = false) { self.blocking = blocking }

        private enum CodingKeys: String, CodingKey { case blocking }
        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: ["blocking"])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            blocking = try c.decodeIfPresent(Bool.self, forKey: .blocking) ?? false
        }
    }

    /// The parameters in force.
    public let parameters: Parameters

    /// Creates the policy.
    public init(_ parameters: Parameters = Parameters()) { self.parameters = parameters }

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        // Ties (equal estimates) go to the earlier submission, i.e. the lower JobID.
        let order = s.queue.sorted { (s[$0].estimatedDuration, $0) < (s[$1].estimatedDuration, $1) }
        var decisions: [SchedulingDecision] = []
        for id in order {
            if planner.cluster.freeGPUs == 0 { break }
            if let gpus = planner.place(id, count: s[id].gpuCount, types: s[id].eligibleTypes) {
                decisions.append(.start(id, gpus: gpus))
            } else if parameters.blocking {
                break
            }
        }
        return decisions
    }
}
