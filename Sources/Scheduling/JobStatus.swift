import ClusterModel
import SimKernel
import Workload

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
    /// GPUs held now and the share of each (empty unless the job holds GPUs).
    public var allocation: Allocation
    /// First time the job was given GPUs, if ever.
    public var firstStart: SimTime?
    /// Start of the current allocation interval (since the last start, resume, resize or migration), while
    /// the job holds GPUs.
    public var heldSince: SimTime?
    /// Modeled end of the current run interval, when running (the real one under this placement).
    public var expectedEnd: SimTime?
    /// End of the current timed transition (restoring, checkpointing, resizing).
    public var transitionEnd: SimTime?
    /// Finish time, when finished.
    public var finish: SimTime?
    /// Times the job was preempted.
    public var preemptions: Int
    /// Times the job was migrated to other GPUs.
    public var migrations: Int
    /// Times the job was resized.
    public var resizes: Int
    /// Times the job was started again after a preemption or a failure.
    public var restarts: Int
    /// Times the job was killed by a node or GPU failure (not counted as preemptions).
    public var failures: Int = 0
    /// Running seconds thrown away by failures (progress since the last periodic checkpoint).
    public var lostSeconds: Double = 0
    /// GPU-seconds of running time thrown away by failures (`lostSeconds` weighted by the GPUs held).
    public var lostGPUSeconds: Double = 0
    /// Seconds spent holding GPUs, closed allocation intervals only (progress and transitions).
    public var runSeconds: Double
    /// GPU-seconds held, closed allocation intervals only.
    public var gpuSeconds: Double
    /// Seconds spent in timed transitions (holding GPUs without progress), finished transitions only.
    public var overheadSeconds: Double
    /// GPU-seconds held in timed transitions, finished transitions only.
    public var overheadGPUSeconds: Double
    /// The part of `overheadGPUSeconds` spent in resizes and migrations (reallocating).
    public var reallocationGPUSeconds: Double = 0

    /// Creates the status of a job not yet submitted.
    public init(spec: JobSpec, eligibleTypes: GPUTypeMask, estimatedDuration: SimTime) {
        self.spec = spec
        self.state = .pending
        self.eligibleTypes = eligibleTypes
        self.estimatedDuration = estimatedDuration
        self.allocation = .none
        self.preemptions = 0
        self.migrations = 0
        self.resizes = 0
        self.restarts = 0
        self.runSeconds = 0
        self.gpuSeconds = 0
        self.overheadSeconds = 0
        self.overheadGPUSeconds = 0
    }

    /// The job's ID.
    @inlinable public var id: JobID { spec.id }
    /// GPUs requested.
    @inlinable public var gpuCount: Int { spec.gpuCount }
    /// GPUs held now (empty unless the job holds GPUs).
    @inlinable public var gpus: [GPUID] {
        get { allocation.gpus }
        set { allocation.gpus = newValue }
    }
}
