import Network

/// The flow-level interconnect model a simulation may use instead of the first-version α–β speed model.
///
/// With it, every running multi-GPU job with a zoo model keeps its all-reduce flows (`AllReducePlan`) in a
/// shared `FlowNetwork`; max-min fair rates set each job's communication time, and a job's iteration time is
/// the overlap of compute and communication (`OverlapKind`: Pollux's exponent, or DDP's gradient buckets). Jobs are re-rated only when the flows on their links change.
public struct Interconnect: Sendable {
    /// The cluster's link graph.
    public var graph: LinkGraph
    /// Overlap exponent γ of (T_c^γ + T_n^γ)^(1/γ), for zoo models without their own, under `overlap` `.exponent`.
    public var gamma: Double
    /// How compute and communication combine (`OverlapKind`; default Pollux's exponent).
    public var overlap: OverlapKind
    /// Collective algorithm tunables.
    public var collectives: CollectiveOptions
    /// Simulated seconds between link-utilization samples (the busiest links are recorded at each).
    public var linkSampleInterval: Double
    /// How many of the busiest links each sample records.
    public var linksPerSample: Int
    /// Whether a job's flows load the links only for their duty cycle, the share of its iteration it communicates
    /// (`DutyCycle`); false: always active, as before.
    public var dutyCycle: Bool

    /// Creates an interconnect model.
    public init(
        graph: LinkGraph, gamma: Double = StepTimeModel.defaultGamma, collectives: CollectiveOptions = CollectiveOptions(),
        linkSampleInterval: Double = 3600, linksPerSample: Int = 16, dutyCycle: Bool = false, overlap: OverlapKind = .exponent
    ) {
        self.overlap = overlap
        self.dutyCycle = dutyCycle
        self.graph = graph
        self.gamma = gamma
        self.collectives = collectives
        self.linkSampleInterval = linkSampleInterval
        self.linksPerSample = linksPerSample
    }
}
