import ClusterModel

/// Everything that can happen in a simulation. One enum, so a new kind of event makes the compiler list
/// every `switch` that must handle it.
public enum SimEvent: Sendable, Equatable {
    /// A job is submitted.
    case arrival(JobID)
    /// A running job reaches the end of its work, if its run epoch still matches (a preemption or
    /// speed change bumps the epoch and so cancels this event lazily).
    case completion(JobID, epoch: UInt32)
    /// The policy runs (after arrivals/completions at this instant, or at a time it asked for).
    case schedulingRound
}

/// Order of different events at the same instant.
public enum EventPhase: UInt8, Sendable {
    /// Completions first: GPUs freed at t are free for jobs arriving at t.
    case completion = 0
    /// Then arrivals, so a round at t sees every job submitted at t.
    case arrival = 1
    /// Then one scheduling round that sees everything that happened at t.
    case schedulingRound = 2
}
