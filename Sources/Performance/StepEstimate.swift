/// One job's modeled iteration on one GPU set: its time, its parts, and the work rate that follows.
///
/// Work is counted in the job's own units (`JobWork`): iterations, or reference seconds for a job that
/// carries a measured duration. A job without a zoo model has no iteration (`seconds` is 0) and advances
/// at one unit per second at its requested size.
public struct StepEstimate: Sendable, Equatable {
    /// Compute seconds per iteration on the slowest GPU of the set.
    public var compute: Double
    /// All-reduce seconds per iteration before overlap with compute.
    public var communication: Double
    /// Seconds per iteration after overlap (0 for a job without a model).
    public var seconds: Double
    /// Share of the iteration spent waiting on communication not hidden by compute (0 without a model).
    public var communicationFraction: Double
    /// Work units per second.
    public var workRate: Double

    /// Creates an estimate.
    public init(compute: Double, communication: Double, seconds: Double, communicationFraction: Double, workRate: Double) {
        self.compute = compute
        self.communication = communication
        self.seconds = seconds
        self.communicationFraction = communicationFraction
        self.workRate = workRate
    }
}
