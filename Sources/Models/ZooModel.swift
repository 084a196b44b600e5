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
    /// Seconds of an iteration's compute on the first measured GPU that do not depend on the batch (kernel launches,
    /// the optimizer step): compute(local) = α + (T − α) × local / reference. 0: proportional to the local batch.
    public var computeInterceptSeconds: Double = 0
    /// Share of the gradient bytes (0...1) produced only at the end of the backward pass, whatever their place in the
    /// network (e.g. the embeddings of the first layer), for the `ddp-buckets` overlap (`GradientBuckets`); the rest is
    /// taken as produced in proportion to the backward pass's progress. 0: no such share.
    public var lateGradientShare: Double = 0
    /// Statistical-efficiency profile for goodput accounting (`EfficiencyProfile`), or nil for a model trained by
    /// iteration count.
    public var efficiency: EfficiencyProfile?

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

    /// The batch-independent share of an iteration's compute at the reference batch, α / T (0...1).
    public var computeInterceptShare: Double {
        let t = measuredComputeSeconds[0].seconds
        return t > 0 ? min(max(computeInterceptSeconds / t, 0), 1) : 0
    }

    /// Compares every field.
    public static func == (a: ZooModel, b: ZooModel) -> Bool {
        a.name == b.name && a.referenceBatchPerGPU == b.referenceBatchPerGPU
            && a.measuredComputeSeconds.map(\.gpu) == b.measuredComputeSeconds.map(\.gpu)
            && a.measuredComputeSeconds.map(\.seconds) == b.measuredComputeSeconds.map(\.seconds)
            && a.gradientBytes == b.gradientBytes && a.memoryGB == b.memoryGB && a.overlapGamma == b.overlapGamma
            && a.computeInterceptSeconds == b.computeInterceptSeconds && a.efficiency == b.efficiency
            && a.lateGradientShare == b.lateGradientShare
    }
}
