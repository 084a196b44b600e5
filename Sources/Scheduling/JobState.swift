/// Where a job is in its life.
///
/// Legal transitions (`canMove(to:)`, the one definition the engine and its invariant checks share):
/// - pending → queued (arrival)
/// - queued / preempted → running (start or resume), or → restoring when starting costs time
/// - restoring → running
/// - running → finished (completion), preempted (free preemption), checkpointing (preemption that costs
///   time), resizing (a resize or migration that costs time), or running (a free resize or migration)
/// - checkpointing → preempted; resizing → running
/// - running, restoring, resizing → preempted: killed by a node or GPU failure (checkpointing → preempted too)
///
/// In the three timed states (restoring, checkpointing, resizing) a job holds its GPUs and makes no progress.
public enum JobState: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Not yet submitted.
    case pending
    /// Submitted, waiting for GPUs for the first time.
    case queued
    /// Holding GPUs and making progress.
    case running
    /// Stopped by the scheduler with its progress kept, or killed by a failure with its progress since its last
    /// periodic checkpoint lost; waiting to resume.
    case preempted
    /// Done.
    case finished
    /// Loading its state onto newly given GPUs before it runs (restart or restore cost).
    case restoring
    /// Saving its state before it gives its GPUs back (checkpoint cost of a preemption).
    case checkpointing
    /// Moving to a new GPU set (resize or migration cost), already holding the new set.
    case resizing

    /// Whether a job may move from `self` to `next`.
    public func canMove(to next: JobState) -> Bool {
        switch (self, next) {
        case (.pending, .queued),
            (.queued, .running), (.queued, .restoring), (.preempted, .running), (.preempted, .restoring),
            (.restoring, .running),
            (.running, .finished), (.running, .preempted), (.running, .checkpointing), (.running, .resizing),
            (.running, .running),
            (.checkpointing, .preempted), (.resizing, .running),
            (.restoring, .preempted), (.resizing, .preempted):
            return true
        default:
            return false
        }
    }

    /// Whether the job waits in the queue (queued or preempted).
    @inlinable public var isWaiting: Bool { self == .queued || self == .preempted }

    /// Whether the job holds GPUs (running or in a timed transition).
    @inlinable public var holdsGPUs: Bool {
        self == .running || self == .restoring || self == .checkpointing || self == .resizing
    }

    /// Whether the job is in a timed transition (holds GPUs, makes no progress).
    @inlinable @inline(__always) public var isTransition: Bool { self == .restoring || self == .checkpointing || self == .resizing }

    public var description: String {
        switch self {
        case .pending: return "pending"
        case .queued: return "queued"
        case .running: return "running"
        case .preempted: return "preempted"
        case .finished: return "finished"
        case .restoring: return "restoring"
        case .checkpointing: return "checkpointing"
        case .resizing: return "resizing"
        }
    }
}
