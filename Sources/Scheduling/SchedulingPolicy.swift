import Workload
import ClusterModel
import SimKernel

/// A scheduling policy: looks at a snapshot and returns typed decisions.
///
/// The engine calls `schedule` after arrivals, completions and the policy's own wake-ups (at most once per
/// simulated instant, after all events of that instant). A policy never mutates engine state; it plans on
/// the `PlacementPlanner`, which also applies the run's placement strategy.
public protocol SchedulingPolicy {
    /// Catalog name, used in scenarios, on the command line and in the results database.
    static var name: String { get }
    /// Decisions for this round, applied by the engine in order.
    mutating func schedule(_ snapshot: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision]
    /// True for policies whose only decisions are starting waiting jobs (no preemption, no timers): the engine
    /// then skips rounds in which no job waits or no GPU is free, since they cannot decide anything.
    /// Defaults to false (every round is run).
    static var onlyStartsWaitingJobs: Bool { get }
    /// True for start-only policies that start jobs strictly in queue order, stopping at the first that does not
    /// fit (FIFO): the engine then also skips a round when the queue's first job is the one that could not start
    /// in the previous round and no GPU has been released since, since it still cannot start. This relies on
    /// placement strategies finding GPUs whenever enough free ones exist, as every shipped strategy does.
    /// Defaults to false.
    static var startsStrictlyInQueueOrder: Bool { get }
    /// True for policies whose elastic jobs choose their global batch for each allocation to maximize goodput
    /// (Pollux's co-adaptation): the engine then marks elastic jobs whose zoo model has an efficiency profile
    /// `JobSpec.adaptiveBatch`. Defaults to false (jobs keep their global batch).
    static var adaptsBatchSize: Bool { get }
    /// What the engine calls each round: `schedule`'s decisions, or a `PolicyFailure` that ends the run. Only
    /// policies that can fail for reasons outside the simulation implement it (an external policy's process can
    /// crash or hang); the default returns `schedule`'s answer.
    mutating func decide(_ snapshot: ClusterSnapshot, planner: inout PlacementPlanner) throws(PolicyFailure) -> [SchedulingDecision]
    /// Called when the engine rejects `decision` of the round just decided, for `reason`: a failure to report
    /// instead of the plain rejection (an external policy adds its round number and its process's last
    /// standard-error lines), or nil to report the rejection as it is (the default).
    mutating func rejected(_ decision: SchedulingDecision, reason: String) -> PolicyFailure?
}

extension SchedulingPolicy {
    public static var onlyStartsWaitingJobs: Bool { false }
    public static var startsStrictlyInQueueOrder: Bool { false }
    public static var adaptsBatchSize: Bool { false }
    public mutating func decide(
        _ snapshot: ClusterSnapshot, planner: inout PlacementPlanner
    ) throws(PolicyFailure) -> [SchedulingDecision] {
        schedule(snapshot, planner: &planner)
    }
    public mutating func rejected(_ decision: SchedulingDecision, reason: String) -> PolicyFailure? { nil }

    /// The policy's catalog name.
    public var name: String { Self.name }
}

/// The parameters of a policy that has none; rejects any field.
public struct NoParameters: Decodable, Sendable, Equatable {
    /// Creates the empty parameter set.
    public init() {}
    public init(from decoder: Decoder) throws { try decoder.rejectUnknownKeys(allowed: []) }
}
