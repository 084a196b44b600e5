import ClusterModel

/// A training workload in the model zoo: how long one iteration computes and how much it communicates.
public struct ZooModel: Sendable, Equatable {
    /// Zoo name used in scenarios and traces, e.g. "resnet50".
    public var name: String
    /// Per-GPU batch size at which the compute times hold.
    public var referenceBatchPerGPU: Int
    /// Measured seconds per iteration (forward, backward, optimizer) at the reference batch, per GPU type name.
    public var measuredComputeSeconds: [(gpu: String, seconds: Double)]
    /// Gradient bytes all-reduced every iteration (data parallel).
    public var gradientBytes: Double
    /// Device memory one replica needs at the reference batch, GB; GPUs with less cannot run it.
    public var memoryGB: Double
    /// Where the numbers come from.
    public var source: String
    /// Pollux's compute/communication overlap exponent γ for this model, when measured (nil: the interconnect's
    /// default). The iteration takes (T_c^γ + T_n^γ)^(1/γ).
    public var overlapGamma: Double?

    /// Creates a zoo model.
    public init(
        name: String, referenceBatchPerGPU: Int, measuredComputeSeconds: [(gpu: String, seconds: Double)],
        gradientBytes: Double, memoryGB: Double, source: String, overlapGamma: Double? = nil
    ) {
        self.overlapGamma = overlapGamma
        precondition(!measuredComputeSeconds.isEmpty, "a zoo model needs at least one measured compute time")
        self.name = name
        self.referenceBatchPerGPU = referenceBatchPerGPU
        self.measuredComputeSeconds = measuredComputeSeconds
        self.gradientBytes = gradientBytes
        self.memoryGB = memoryGB
        self.source = source
    }

    /// Seconds of compute per iteration on `gpu` at the reference batch.
    ///
    /// A measured value when the zoo has one for that GPU; otherwise the first measurement scaled by the
    /// ratio of dense FP16 peaks [derived: assumes the same fraction of peak on both GPUs, which the
    /// hardware backend's calibration replaces].
    public func computeSeconds(on gpu: GPUType) -> Double {
        if let m = measuredComputeSeconds.first(where: { $0.gpu == gpu.name }) { return m.seconds }
        let anchor = measuredComputeSeconds[0]
        let anchorPeak = GPUCatalog.named(anchor.gpu)?.fp16TFLOPS ?? gpu.fp16TFLOPS
        return anchor.seconds * anchorPeak / gpu.fp16TFLOPS
    }

    public static func == (a: ZooModel, b: ZooModel) -> Bool {
        a.name == b.name && a.referenceBatchPerGPU == b.referenceBatchPerGPU
            && a.measuredComputeSeconds.map(\.gpu) == b.measuredComputeSeconds.map(\.gpu)
            && a.measuredComputeSeconds.map(\.seconds) == b.measuredComputeSeconds.map(\.seconds)
            && a.gradientBytes == b.gradientBytes && a.memoryGB == b.memoryGB && a.overlapGamma == b.overlapGamma
    }
}
