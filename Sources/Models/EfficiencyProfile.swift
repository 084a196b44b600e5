/// A model's statistical-efficiency profile for goodput accounting (Qiao et al., "Pollux: Co-adaptive Cluster
/// Scheduling for Goodput-Optimized Deep Learning", OSDI 2021, §3.1; petuum/adaptdl `simulator/goodput.py`).
///
/// Pollux measures the gradient noise scale (McCandlish et al., "An Empirical Model of Large-Batch Training", 2018)
/// while a job trains and prices a batch of M samples by its efficiency relative to the base batch M₀:
/// E(M) = (φ + M₀) / (φ + M), with φ the noise scale in samples. A job trained at batch M makes M/M₀ × E(M) base-batch
/// iterations of progress per iteration, so a larger batch (more GPUs at a fixed local batch) is worth less than
/// its throughput early in training, when φ is small. φ grows as training proceeds; the profile keeps it per tenth of
/// the epoch cap (`noiseScale`), the geometric mean of the per-epoch values B = M₀ × grad_var / grad_sqr that the
/// Pollux artifact recorded while training at M₀ (`simulator/traces/<app>/validation-<M₀>.csv`; epochs whose
/// grad_sqr or grad_var is 0 are left out).
public struct EfficiencyProfile: Sendable, Equatable {
    /// The base batch M₀: the smallest batch the artifact validated (Pollux's `init_batch_size`).
    public var baseBatch: Int
    /// The largest total batch the job may train with (Pollux's `max_batch_size`).
    public var maxBatch: Int
    /// Per-GPU (atomic) batch bounds (`min_local_bsz`, `max_local_bsz`); a larger local batch is trained as gradient
    /// accumulation over micro-batches of at most the upper bound.
    public var localBatch: ClosedRange<Int>
    /// Base-batch iterations in one epoch (the `progress` of the first epoch in the M₀ validation file).
    public var iterationsPerEpoch: Double
    /// Epochs a job trains for (the Pollux simulator's `max_epochs`; its workloads set no target metric).
    public var epochs: Int
    /// The gradient noise scale φ in samples, one value per equal share of the epochs (at most ten shares).
    public var noiseScale: [Double]
    /// A batch the job always trains with whatever its allocation (Pollux pins NCF to 32768), or nil.
    public var pinnedBatch: Int?

    /// Creates a profile.
    public init(
        baseBatch: Int, maxBatch: Int, localBatch: ClosedRange<Int>, iterationsPerEpoch: Double, epochs: Int,
        noiseScale: [Double], pinnedBatch: Int? = nil
    ) {
        precondition(baseBatch >= 1 && maxBatch >= baseBatch && localBatch.lowerBound >= 1, "batch bounds out of order")
        precondition(!noiseScale.isEmpty && noiseScale.allSatisfy { $0 > 0 && $0.isFinite }, "noise scales must be positive")
        self.baseBatch = baseBatch
        self.maxBatch = maxBatch
        self.localBatch = localBatch
        self.iterationsPerEpoch = iterationsPerEpoch
        self.epochs = epochs
        self.noiseScale = noiseScale
        self.pinnedBatch = pinnedBatch
    }

    /// The job's whole work in base-batch iterations: epochs × iterations per epoch.
    public var totalIterations: Double { Double(epochs) * iterationsPerEpoch }

    /// The noise scale φ at `progress` (the share of the work done, clamped to 0...1): the value of its share.
    public func noiseScale(atProgress progress: Double) -> Double {
        let f = progress.isFinite ? min(max(progress, 0), 1) : 0
        return noiseScale[min(noiseScale.count - 1, Int(f * Double(noiseScale.count)))]
    }
}
