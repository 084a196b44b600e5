/// Any policy, unchanged, with every round written to a `DecisionLog`: the state it decided from and its decisions.
///
/// Generic over the policy rather than holding an existential so that the engine's round-skipping hints
/// (`onlyStartsWaitingJobs`, `startsStrictlyInQueueOrder`) stay the wrapped policy's: recording changes no result.
public struct DecisionRecorder<Inner: SchedulingPolicy>: SchedulingPolicy {
    public static var name: String { Inner.name }
    public static var onlyStartsWaitingJobs: Bool { Inner.onlyStartsWaitingJobs }
    public static var startsStrictlyInQueueOrder: Bool { Inner.startsStrictlyInQueueOrder }

    /// The wrapped policy.
    public private(set) var inner: Inner
    /// Where rounds go.
    public let log: DecisionLog
    /// What `hello` says the policy's parameters are.
    public let parameters: JSONValue

    /// Wraps `inner`, recording into `log`.
    public init(_ inner: Inner, log: DecisionLog, parameters: JSONValue = .object([])) {
        self.inner = inner
        self.log = log
        self.parameters = parameters
    }

    public mutating func schedule(_ s: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        let decisions = inner.schedule(s, planner: &planner)
        log.record(s, decisions: decisions, policy: Inner.name, parameters: parameters, placement: planner.strategy.name)
        return decisions
    }

    public mutating func decide(
        _ s: ClusterSnapshot, planner: inout PlacementPlanner
    ) throws(PolicyFailure) -> [SchedulingDecision] {
        let decisions = try inner.decide(s, planner: &planner)
        log.record(s, decisions: decisions, policy: Inner.name, parameters: parameters, placement: planner.strategy.name)
        return decisions
    }

    public mutating func rejected(_ decision: SchedulingDecision, reason: String) -> PolicyFailure? {
        inner.rejected(decision, reason: reason)
    }
}

/// Wrapping a policy of any type in a `DecisionRecorder`.
public enum DecisionRecording {
    /// `policy` recording into `log`; an external policy's `hello` parameters are its own, others' are empty.
    public static func wrap(_ policy: any SchedulingPolicy, log: DecisionLog) -> any SchedulingPolicy {
        func open<P: SchedulingPolicy>(_ p: P) -> any SchedulingPolicy {
            let parameters = (p as? ExternalPolicy)?.configuration.parameters ?? .object([])
            return DecisionRecorder(p, log: log, parameters: parameters)
        }
        return open(policy)
    }
}
