import SimRandom

/// One component kind's failure process: the time between its failures and its repair time, in hours, drawn
/// independently for every node (or GPU) from the distributions given.
public struct FailureProcess: Sendable, Equatable {
    /// Hours a node (or GPU) runs between its repair (or the start) and its next failure (MTBF when exponential).
    public var timeBetweenFailuresHours: Distribution
    /// Hours from a failure to its repair.
    public var repairHours: Distribution

    /// Creates a process.
    public init(timeBetweenFailuresHours: Distribution, repairHours: Distribution) {
        self.timeBetweenFailuresHours = timeBetweenFailuresHours
        self.repairHours = repairHours
    }
}

/// Optional node and GPU failures (the scenario's `failures:` section).
///
/// Each node (and each GPU) alternates up and down: up for a drawn time between failures, then down for a drawn
/// repair time, then up again with a fresh draw. Draws come from the named streams "failures.node" and
/// "failures.gpu" of the run's master seed: at the start, each node's (then each GPU's) first failure time in
/// index order; then a repair time at each failure and the next failure time at each repair, in event order. A
/// GPU failure while its node is down (the GPU already down) does nothing but draw its next failure time.
///
/// A failure kills every job holding a failed GPU (running or in a timed transition): it loses its progress since
/// its last periodic checkpoint, taken every `checkpointIntervalSeconds` of its running time since it last
/// started (at no cost in this model: the save is assumed to overlap training), or all progress since it last
/// started when there is no interval; then it waits in the queue again, as a preempted job. A preemption's own
/// checkpoint saves everything, so a start from the queue begins at a saved state.
public struct FailureModel: Sendable, Equatable {
    /// Node failures, or nil for none.
    public var node: FailureProcess?
    /// Single-GPU failures, or nil for none.
    public var gpu: FailureProcess?
    /// The run's master seed, from which the two streams are derived.
    public var seed: UInt64
    /// Seconds of a job's running time between its periodic checkpoints; nil: none.
    public var checkpointIntervalSeconds: Double?

    /// The stream names.
    public static let nodeStream = "failures.node"
    public static let gpuStream = "failures.gpu"

    /// Creates a model.
    public init(node: FailureProcess? = nil, gpu: FailureProcess? = nil, seed: UInt64, checkpointIntervalSeconds: Double? = nil) {
        self.node = node
        self.gpu = gpu
        self.seed = seed
        self.checkpointIntervalSeconds = checkpointIntervalSeconds
    }
}
