import ClusterModel

/// Everything that can happen in a simulation. One enum, so a new kind of event makes the compiler list
/// every `switch` that must handle it.
public enum SimEvent: Sendable, Equatable {
    /// A job is submitted.
    case arrival(JobID)
    /// A running job reaches the end of its work, if its run epoch still matches (a preemption, a resize or a
    /// speed change bumps the epoch and so cancels this event lazily).
    case completion(JobID, epoch: UInt32)
    /// A job's timed transition (restoring, checkpointing, resizing) ends, if its epoch still matches.
    case transitionEnd(JobID, epoch: UInt32)
    /// A running goodput job reaches the next share of its training, where its gradient noise scale steps
    /// (`EfficiencyProfile`), if its speed was not set again since (`generation` still current): its rate is re-priced.
    case noiseScaleStep(JobID, generation: UInt32)
    /// The policy's wake-up, if no later wake-up request replaced it (`generation` still current).
    case policyTimer(generation: UInt32)
    /// The policy runs (once per instant, after every arrival, completion and timer of that instant).
    case schedulingRound
    /// A node or GPU fails (optional failure processes, `FailureModel`): the jobs holding it are killed and it is
    /// down until its repair.
    case failure(FailureTarget)
    /// A failed node or GPU is repaired.
    case repair(FailureTarget)
}

/// What fails: a whole node (every GPU of it) or one GPU.
public enum FailureTarget: Sendable, Equatable, CustomStringConvertible {
    case node(NodeID)
    case gpu(GPUID)

    public var description: String {
        switch self {
        case .node(let n): return "node \(n.index)"
        case .gpu(let g): return "\(g)"
        }
    }
}

/// Order of different events at the same instant.
public enum EventPhase: UInt8, Sendable {
    /// Completions and transition ends first: GPUs freed at t are free for jobs arriving at t. Failures and
    /// repairs too, in the order they were scheduled.
    case completion = 0
    /// Then arrivals, so a round at t sees every job submitted at t.
    case arrival = 1
    /// Then policy timers and the one scheduling round that sees everything that happened at t.
    case schedulingRound = 2
}
