import ClusterModel
import Foundation
import Performance
import SimKernel
import Workload

/// Pollux-style goodput-fair elastic allocation (Qiao et al., "Pollux: Co-adaptive Cluster Scheduling for
/// Goodput-Optimized Deep Learning", OSDI 2021): every `interval_s` (Pollux: 60 s), GPU counts are chosen to
/// maximize the generalized mean of the jobs' speed-ups, (Σ speedupⱼᵖ / J)^(1/p), whose exponent p is Pollux's
/// fairness knob (default −1: between total speed-up at p = 1 and max-min fairness as p → −∞).
///
/// Variant implemented, and how it differs from the paper:
/// - Speed-up of a job on n GPUs: its goodput there ÷ its goodput on a fair share of the cluster, ⌈GPUs / jobs⌉
///   (Pollux's base goodput), for a job whose zoo model has an efficiency profile (`StatisticalEfficiency`): such a
///   job counts its work in base-batch iterations and, under this policy, picks the goodput-maximizing batch for
///   every allocation (`adaptsBatchSize`: Pollux's co-adaptation, which AdaptDL does inside each job). A job without
///   a profile keeps its global batch, the efficiency term cancels, and its speed-up is over its requested size.
/// - Search: Pollux searches allocations with a genetic algorithm; here GPUs go one at a time to the job whose
///   step most raises the objective (`GreedyElasticAllocation`: for p < 0 the largest drop of speedupᵖ, for p > 0
///   the largest rise), deterministic and without placement in the objective (GPUs are then placed island-first).
/// - Every job keeps at least its minimum; waiting jobs are admitted at their minimum in submission order while GPUs
///   last; nothing is preempted (Pollux may take every GPU of a job, and ramps a new job up by at most doubling its
///   largest profiled size per round; its objective also discounts reallocating a job by its restarts so far). The restart penalty Pollux charges on every reallocation is the run's transition
///   cost model (e.g. `checkpoint: {load_overhead_s: 30, first_start: true}` or a `reallocation:` section).
public struct PolluxPolicy: SchedulingPolicy {
    public static let name = "pollux"

    /// Scenario parameters of `pollux`.
    public struct Parameters: Decodable, Sendable, Equatable {
        /// Seconds between reallocations (Pollux's scheduling interval).
        public var intervalSeconds = 60.0
        /// The fairness exponent p of the generalized mean (non-zero).
        public var fairness = -1.0

        static let documentation = [
            "interval_s: seconds between reallocations, 1 to 1e9 (60)",
            "fairness: exponent p of the generalized mean of speed-ups, -10 to 10 and not 0 (-1)",
        ]

        /// Default parameters.
        public init(intervalSeconds: Double = 60, fairness: Double = -1) {
            self.intervalSeconds = intervalSeconds
            self.fairness = fairness
        }

        private enum CodingKeys: String, CodingKey { case interval_s, fairness }
        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: ["interval_s", "fairness"])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            intervalSeconds = try GreedyElasticAllocation.decodeInterval(c, .interval_s, default: 60)
            fairness = try c.decodeIfPresent(Double.self, forKey: .fairness) ?? -1
            guard fairness.isFinite && (-10...10).contains(fairness) && fairness != 0 else {
                throw c.invalid(.fairness, "expected an exponent in -10...10 other than 0, got \(fairness)")
            }
        }
    }

    /// The parameters in force.
    public let parameters: Parameters
    private var nextRound = SimTime.zero

    /// Creates the policy.
    public init(_ parameters: Parameters = Parameters()) { self.parameters = parameters }

    /// Pollux's jobs adapt their batch size to each allocation (the AdaptDL agent's goodput optimization).
    public static var adaptsBatchSize: Bool { true }

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        let p = parameters.fairness
        return GreedyElasticAllocation.intervalRound(s, planner: &planner, clock: &nextRound, interval: parameters.intervalSeconds) {
            step, candidates in
            // Goodput jobs: speed-up over a fair share of the cluster, ⌈GPUs / jobs⌉ within their range (Pollux's
            // base goodput); other jobs: over their requested size, as before goodput accounting existed.
            let fair = max(1, Int((Double(s.topology.gpuCount) / Double(max(1, candidates.count))).rounded(.up)))
            let reference = candidates.map { c -> Double in
                let spec = s.jobs[c.id.index].spec
                let n = StatisticalEfficiency.countsGoodput(spec) ? min(max(fair, c.range.lowerBound), c.range.upperBound) : spec.gpuCount
                return step.rate(c.id, gpus: n, type: c.type)
            }
            return { k, n in
                let c = candidates[k]
                guard reference[k] > 0 else { return 0 }
                let now = step.rate(c.id, gpus: n, type: c.type) / reference[k]
                let next = step.rate(c.id, gpus: n + 1, type: c.type) / reference[k]
                guard now > 0, next > 0 else { return 0 }
                return p < 0 ? pow(now, p) - pow(next, p) : pow(next, p) - pow(now, p)
            }
        }
    }
}
