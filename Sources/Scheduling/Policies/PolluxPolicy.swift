import ClusterModel
import Foundation
import SimKernel
import Workload

/// Pollux-style goodput-fair elastic allocation (Qiao et al., "Pollux: Co-adaptive Cluster Scheduling for
/// Goodput-Optimized Deep Learning", OSDI 2021): every `interval_s` (Pollux: 60 s), GPU counts are chosen to
/// maximize the generalized mean of the jobs' speed-ups, (Σ speedupⱼᵖ / J)^(1/p), whose exponent p is Pollux's
/// fairness knob (default −1: between total speed-up at p = 1 and max-min fairness as p → −∞).
///
/// Variant implemented, and how it differs from the paper:
/// - Speed-up of a job on n GPUs: its speed there ÷ its speed on its requested GPUs (Pollux divides goodput by the
///   goodput of a fair share of the cluster). Goodput is throughput × statistical efficiency; SchedLab's elastic
///   jobs keep their global batch (`BatchSharding`), so the efficiency term is the same at every size and cancels:
///   Pollux's batch-size co-adaptation is not modelled.
/// - Search: Pollux searches allocations with a genetic algorithm; here GPUs go one at a time to the job whose
///   step most raises the objective (`GreedyElasticAllocation`: for p < 0 the largest drop of speedupᵖ, for p > 0
///   the largest rise), deterministic and without placement in the objective (GPUs are then placed island-first).
/// - Every job keeps at least its minimum; waiting jobs are admitted at their minimum in submission order while GPUs
///   last; nothing is preempted. The restart penalty Pollux charges on every reallocation is the run's transition
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
            "interval_s: seconds between reallocations, 0.001 to 1e9 (60)",
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
            intervalSeconds = try c.decodeIfPresent(Double.self, forKey: .interval_s) ?? 60
            guard intervalSeconds.isFinite && (0.001...1e9).contains(intervalSeconds) else {
                throw c.invalid(.interval_s, "expected seconds in 0.001...1e9, got \(intervalSeconds)")
            }
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

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        guard s.now >= nextRound else { return [.wakeUp(at: nextRound)] }
        nextRound = s.now + .seconds(parameters.intervalSeconds)
        let step = GreedyElasticAllocation(s)
        let candidates = step.candidates()
        let reference = candidates.map { c in step.rate(c.id, gpus: s.jobs[c.id.index].gpuCount, type: c.type) }
        let p = parameters.fairness
        let counts = step.counts(candidates, pool: step.pool(candidates, planner: planner)) { k, n in
            let c = candidates[k]
            guard reference[k] > 0 else { return 0 }
            let now = step.rate(c.id, gpus: n, type: c.type) / reference[k]
            let next = step.rate(c.id, gpus: n + 1, type: c.type) / reference[k]
            guard now > 0, next > 0 else { return 0 }
            return p < 0 ? pow(now, p) - pow(next, p) : pow(next, p) - pow(now, p)
        }
        var decisions = step.decisions(candidates, counts: counts, planner: &planner)
        if !s.queue.isEmpty || !s.running.isEmpty || !decisions.isEmpty { decisions.append(.wakeUp(at: nextRound)) }
        return decisions
    }
}
