import ClusterModel
import SimKernel
import Workload

/// Optimus-style greedy elastic allocation (Peng et al., "Optimus: An Efficient Dynamic Resource Scheduler for
/// Deep Learning Clusters", EuroSys 2018): every `interval_s`, GPUs go one at a time to the job whose estimated
/// remaining time drops the most with one more GPU.
///
/// Variant implemented: Optimus fits a convergence curve to predict the remaining epochs and a throughput model
/// of parameter servers and workers; SchedLab knows each job's remaining work exactly (its iterations left) and
/// prices its speed on n GPUs with the run's speed model (`GreedyElasticAllocation`, packed GPUs of its type), and
/// allocates data-parallel GPUs only (no parameter servers). The marginal gain of a job on n GPUs is
/// W/r(n) − W/r(n + 1) seconds for W work left. Running elastic jobs keep at least their minimum, waiting jobs are
/// admitted at their minimum in submission order while GPUs last, nobody is preempted; rigid jobs take part only
/// through admission. Reallocations happen only at interval boundaries (arrivals wait for the next one), and cost
/// what the run's transition model charges.
public struct OptimusPolicy: SchedulingPolicy {
    public static let name = "optimus"

    /// Scenario parameters of `optimus`.
    public struct Parameters: Decodable, Sendable, Equatable {
        /// Seconds between reallocations.
        public var intervalSeconds = 600.0

        static let documentation = ["interval_s: seconds between reallocations, 1 to 1e9 (600)"]

        /// Default parameters.
        public init(intervalSeconds: Double = 600) { self.intervalSeconds = intervalSeconds }

        private enum CodingKeys: String, CodingKey { case interval_s }
        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: ["interval_s"])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            intervalSeconds = try GreedyElasticAllocation.decodeInterval(c, .interval_s, default: 600)
        }
    }

    /// The parameters in force.
    public let parameters: Parameters
    private var nextRound = SimTime.zero

    /// Creates the policy.
    public init(_ parameters: Parameters = Parameters()) { self.parameters = parameters }

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        GreedyElasticAllocation.intervalRound(s, planner: &planner, clock: &nextRound, interval: parameters.intervalSeconds) {
            step, candidates in
            let work = candidates.map { s.remainingWork(of: $0.id) }
            return { k, n in
                let c = candidates[k]
                let now = step.rate(c.id, gpus: n, type: c.type), next = step.rate(c.id, gpus: n + 1, type: c.type)
                guard now > 0, next > 0 else { return 0 }
                return work[k] / now - work[k] / next
            }
        }
    }
}
