/// A model's statistical-efficiency profile for goodput accounting (Qiao et al., "Pollux: Co-adaptive Cluster
/// Scheduling for Goodput-Optimized Deep Learning", OSDI 2021, §3.1; petuum/adaptdl `simulator/goodput.py`).
///
/// Pollux measures the gradient noise scale (McCandlish et al., "An Empirical Model of Large-Batch Training", 2018)
/// while a job trains and prices a batch of M samples by its efficiency relative to the base batch M₀:
/// E(M) = (φ + M₀) / (φ + M), with φ the noise scale in samples. A job trained at batch M makes M/M₀ × E(M) base-batch
/// iterations of progress per iteration, so a larger batch (more GPUs at a fixed local batch) is worth less than
/// its throughput early in training, when φ is small. φ grows as training proceeds, and the artifact measured it
/// while training at each of several batch sizes (`simulator/traces/<app>/validation-<batch>.csv`, whose gradient
/// statistics are normalized to M₀). The profile keeps, for each validated batch, φ per tenth of the epoch cap
/// (`noiseScale`): the geometric mean of the per-epoch values B = M₀ × grad_var / grad_sqr (epochs whose grad_sqr or
/// grad_var is 0 are left out). A batch between two validated ones takes the linear interpolation of their values,
/// as the Pollux simulator interpolates the gradient statistics between them (`applications.py`,
/// `get_grad_stats`; it interpolates grad_sqr and grad_var separately, per epoch).
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
    /// The validated batch sizes, ascending (the first is `baseBatch`).
    public var noiseBatches: [Int]
    /// The gradient noise scale φ in samples measured at each validated batch (same order), one value per equal share
    /// of the epochs (at most ten shares; every row has as many).
    public var noiseScale: [[Double]]
    /// A batch the job always trains with whatever its allocation (Pollux pins NCF to 32768), or nil.
    public var pinnedBatch: Int?

    /// Creates a profile.
    public init(
        baseBatch: Int, maxBatch: Int, localBatch: ClosedRange<Int>, iterationsPerEpoch: Double, epochs: Int,
        noiseBatches: [Int], noiseScale: [[Double]], pinnedBatch: Int? = nil
    ) {
        precondition(baseBatch >= 1 && maxBatch >= baseBatch && localBatch.lowerBound >= 1, "batch bounds out of order")
        precondition(!noiseBatches.isEmpty && noiseBatches == noiseBatches.sorted() && noiseBatches.count == noiseScale.count,
                     "one row of noise scales per validated batch, ascending")
        precondition(noiseScale.allSatisfy { $0.count == noiseScale[0].count && !$0.isEmpty && $0.allSatisfy { $0 > 0 && $0.isFinite } },
                     "noise scales must be positive, the same number per batch")
        self.baseBatch = baseBatch
        self.maxBatch = maxBatch
        self.localBatch = localBatch
        self.iterationsPerEpoch = iterationsPerEpoch
        self.epochs = epochs
        self.noiseBatches = noiseBatches
        self.noiseScale = noiseScale
        self.pinnedBatch = pinnedBatch
    }

    /// The job's whole work in base-batch iterations: epochs × iterations per epoch.
    public var totalIterations: Double { Double(epochs) * iterationsPerEpoch }

    /// Shares of training with one noise scale each.
    public var shares: Int { noiseScale[0].count }

    /// The share of training `progress` (share of the work done, clamped to 0...1) falls in.
    public func share(atProgress progress: Double) -> Int {
        let f = progress.isFinite ? min(max(progress, 0), 1) : 0
        return min(shares - 1, Int(f * Double(shares)))
    }

    /// The noise scale φ at `progress` for training at `batch`: its share's value, interpolated linearly between the
    /// validated batches around `batch` (clamped to the smallest and largest).
    public func noiseScale(atProgress progress: Double, batch: Double) -> Double {
        let k = share(atProgress: progress)
        guard batch > Double(noiseBatches[0]) else { return noiseScale[0][k] }
        for i in 1..<noiseBatches.count where batch <= Double(noiseBatches[i]) {
            let lo = Double(noiseBatches[i - 1]), hi = Double(noiseBatches[i])
            let w = (batch - lo) / (hi - lo)
            return noiseScale[i - 1][k] * (1 - w) + noiseScale[i][k] * w
        }
        return noiseScale[noiseScale.count - 1][k]
    }
}
