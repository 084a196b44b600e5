import Models

/// PyTorch DDP's gradient buckets: the all-reduce of one iteration as a queue of buckets, each sent once the backward
/// pass has produced all of its gradients, one after another on the communication stream.
///
/// **Mechanism.** DistributedDataParallel groups the parameters into buckets in reverse registration order, which
/// approximates the order in which the backward pass produces their gradients; the first bucket holds 1 MiB
/// (`torch.distributed._DEFAULT_FIRST_BUCKET_BYTES`), the others up to `bucket_cap_mb` = 25 MiB; a bucket's
/// all-reduce is launched as soon as its last gradient is ready, and the buckets are reduced in order (Li et al.,
/// "PyTorch Distributed: Experiences on Accelerating Data Parallel Training", VLDB 2020, §3.2.3 and §3.2.4; pytorch/pytorch
/// `torch/nn/parallel/distributed.py`). So communication overlaps the backward pass but never the forward pass of the
/// same iteration, and the last bucket, holding the first layers' gradients, is ready only when the backward pass ends.
///
/// **Model.** The backward pass takes `backwardShare` of an iteration's compute c (2/3: a backward pass costs about
/// twice the forward pass's arithmetic, Kaplan et al., "Scaling Laws for Neural Language Models", 2020, §2.1) and
/// starts at t₀ = (1 − `backwardShare`)·c. Gradient bytes become ready in proportion to the backward pass's progress,
/// except a model's `lateGradientShare` (`ZooModel`), whose gradients come out at its very end (NeuMF's embeddings).
/// Bucket i, holding share sᵢ of the bytes, is ready at rᵢ = t₀ + `backwardShare`·c·fᵢ, fᵢ the backward progress at
/// which its last byte is ready, and takes sᵢ·T_n of the all-reduce's uncontended or contended time T_n (its bytes'
/// share of the whole; the latency terms are split the same way, a per-bucket latency having been tried as a
/// collective option and not kept: README, "Network model fidelity"). The iteration ends when the last bucket is
/// reduced: eᵢ = max(rᵢ, eᵢ₋₁) + sᵢ·T_n, T_iter = eₙ (the last bucket is ready at the end of the backward pass, so
/// eₙ > c whenever T_n > 0). The optimizer step, after the last bucket, is counted in c, as the zoo measures it.
///
/// Bounds, for every c, T_n ≥ 0: max(c + sₙ·T_n, t₀ + T_n) ≤ T_iter ≤ c + T_n; with one bucket (a gradient of at
/// most 1 MiB, or all of it late) T_iter = c + T_n, Pollux's γ = 1.
public struct GradientBuckets: Sendable, Hashable {
    /// DDP's first bucket, bytes (`torch.distributed._DEFAULT_FIRST_BUCKET_BYTES`).
    public static let firstBucketBytes = 1_048_576.0
    /// DDP's later buckets, bytes (`bucket_cap_mb` = 25).
    public static let bucketBytes = 25 * 1_048_576.0
    /// Share of compute in the backward pass (see the type's notes).
    public static let defaultBackwardShare = 2.0 / 3.0

    /// Each bucket's share of the gradient bytes, in the order they are reduced (sums to 1).
    public let shares: [Double]
    /// The backward pass's progress (0...1) at which each bucket's last gradient is ready.
    public let readyAt: [Double]
    /// Share of an iteration's compute in the backward pass.
    public let backwardShare: Double

    /// The buckets of a gradient of `gradientBytes` of which `lateShare` is ready only at the end of the backward pass.
    public init(
        gradientBytes: Double, lateShare: Double = 0, firstBucketBytes: Double = Self.firstBucketBytes,
        bucketBytes: Double = Self.bucketBytes, backwardShare: Double = Self.defaultBackwardShare
    ) {
        precondition(gradientBytes.isFinite && gradientBytes >= 0, "gradient bytes must be finite and non-negative")
        precondition(lateShare >= 0 && lateShare <= 1, "the late share is a share of the bytes")
        precondition(firstBucketBytes > 0 && bucketBytes > 0, "buckets hold bytes")
        precondition(backwardShare > 0 && backwardShare <= 1, "the backward share is a share of compute")
        self.backwardShare = backwardShare
        guard gradientBytes > 0 else {
            (shares, readyAt) = ([1], [1])
            return
        }
        // Bytes ready in proportion to the backward pass's progress, before the late ones.
        let early = gradientBytes * (1 - lateShare)
        var shares: [Double] = []
        var readyAt: [Double] = []
        var filled = 0.0
        var cap = firstBucketBytes
        // One bucket per 25 MiB: about a hundred for the zoo's largest gradient (2.6 GB).
        while filled < gradientBytes {
            let size = min(cap, gradientBytes - filled)
            filled += size
            shares.append(size / gradientBytes)
            readyAt.append(filled < early ? filled / early : 1)
            cap = bucketBytes
        }
        self.shares = shares
        self.readyAt = readyAt
    }

    /// The buckets of `model` under DDP's defaults.
    public init(model: ZooModel) {
        self.init(gradientBytes: model.gradientBytes, lateShare: model.lateGradientShare)
    }

    /// Seconds per iteration of `compute` seconds of compute and an all-reduce of `communication` seconds (see the
    /// type's notes).
    public func stepSeconds(compute c: Double, communication: Double) -> Double {
        guard communication > 0 else { return c }
        let start = (1 - backwardShare) * c
        let backward = backwardShare * c
        var end = 0.0
        for i in shares.indices {
            end = max(start + backward * readyAt[i], end) + shares[i] * communication
        }
        return end
    }
}
