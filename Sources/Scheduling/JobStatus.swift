import ClusterModel
import SimKernel
import Workload

/// Where a job is in its life.
///
/// Legal transitions: pending → queued (arrival); queued → running (start); running → finished (completion);
/// running → preempted (preemption); preempted → running (resume). `isLegal(_:to:)` is the one definition
/// the engine and its invariant checks share.
public enum JobState: UInt8, Sendable, CustomStringConvertible {
    /// Not yet submitted.
    case pending
    /// Submitted, waiting for GPUs for the first time.
    case queued
    /// Holding GPUs and making progress.
    case running
    /// Stopped by the scheduler with its progress kept; waiting to resume.
    case preempted
    /// Done.
    case finished

    /// Whether a job may move from `self` to `next`.
    public func canMove(to next: JobState) -> Bool {
        switch (self, next) {
        case (.pending, .queued), (.queued, .running), (.running, .finished), (.running, .preempted),
            (.preempted, .running):
            return true
        default:
            return false
        }
    }

    /// Whether the job waits in the queue (queued or preempted).
    @inlinable public var isWaiting: Bool { self == .queued || self == .preempted }

    public var description: String {
        switch self {
        case .pending: return "pending"
        case .queued: return "queued"
        case .running: return "running"
        case .preempted: return "preempted"
        case .finished: return "finished"
        }
    }
}

/// A set of GPU types (indices into `Topology.gpuTypes`), as a bit mask.
public struct GPUTypeMask: Sendable, Equatable {
    /// Bit t set means type index t is allowed.
    public var bits: UInt64
    /// Creates a mask from bits.
    @inlinable public init(bits: UInt64) { self.bits = bits }
    /// Every type of a topology.
    public static func all(_ topology: Topology) -> GPUTypeMask {
        GPUTypeMask(bits: topology.gpuTypes.count >= 64 ? .max : (UInt64(1) << UInt64(topology.gpuTypes.count)) - 1)
    }
    /// Whether type index `t` is allowed.
    @inlinable public func contains(_ t: Int) -> Bool { bits & (UInt64(1) << UInt64(t)) != 0 }
    /// Whether no type is allowed.
    @inlinable public var isEmpty: Bool { bits == 0 }
}

/// What the engine knows about a job, as policies see it.
public struct JobStatus: Sendable {
    /// The job as submitted.
    public var spec: JobSpec
    /// Current state.
    public var state: JobState
    /// GPU types the job may run on (its type constraint, and enough memory for its model).
    public var eligibleTypes: GPUTypeMask
    /// Estimated run time at the requested size on a packed placement ("known duration" for SJF/backfill).
    public var estimatedDuration: SimTime
    /// GPUs held now (empty unless running).
    public var gpus: [GPUID]
    /// First time the job started, if ever.
    public var firstStart: SimTime?
    /// Start of the current run interval, when running.
    public var runningSince: SimTime?
    /// Modeled end of the current run interval, when running (the real one under this placement).
    public var expectedEnd: SimTime?
    /// Finish time, when finished.
    public var finish: SimTime?
    /// Times the job was preempted.
    public var preemptions: Int
    /// Seconds spent running so far (closed intervals only).
    public var runSeconds: Double

    /// Creates the status of a job not yet submitted.
    public init(spec: JobSpec, eligibleTypes: GPUTypeMask, estimatedDuration: SimTime) {
        self.spec = spec
        self.state = .pending
        self.eligibleTypes = eligibleTypes
        self.estimatedDuration = estimatedDuration
        self.gpus = []
        self.preemptions = 0
        self.runSeconds = 0
    }

    /// The job's ID.
    @inlinable public var id: JobID { spec.id }
    /// GPUs requested.
    @inlinable public var gpuCount: Int { spec.gpuCount }
}
