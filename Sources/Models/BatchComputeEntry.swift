/// The scalars of a zoo model that the compute-time scaling of a sharded batch reads (`ModelZoo.batchComputeTables`).
public struct BatchComputeEntry: Sendable, Equatable {
    /// The model's reference batch per GPU.
    public var referenceBatchPerGPU: Int
    /// The batch-independent share of its compute time (`ZooModel.computeInterceptShare`).
    public var computeInterceptShare: Double
    /// Whether compute scales as local ÷ reference batch alone (no intercept, no efficiency profile).
    public var scalesPlainly: Bool
    /// The largest local batch of its efficiency profile, if it has one (gradient accumulation above it).
    public var maxLocalBatch: Int?

    /// Creates an entry.
    public init(referenceBatchPerGPU: Int, computeInterceptShare: Double, scalesPlainly: Bool, maxLocalBatch: Int?) {
        self.referenceBatchPerGPU = referenceBatchPerGPU
        self.computeInterceptShare = computeInterceptShare
        self.scalesPlainly = scalesPlainly
        self.maxLocalBatch = maxLocalBatch
    }
}
