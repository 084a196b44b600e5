import Models

/// Which mechanism combines a data-parallel iteration's compute and all-reduce into its step (`network.overlap`).
public enum OverlapKind: String, Sendable, CaseIterable {
    /// Pollux's (T_c^γ + T_n^γ)^(1/γ), with the zoo model's γ or the scenario's (`StepTimeModel`); the default.
    case exponent
    /// PyTorch DDP's gradient buckets, each reduced once the backward pass has produced it (`GradientBuckets`).
    case ddpBuckets = "ddp-buckets"
}

/// How one model's iteration combines compute and communication.
public enum OverlapModel: Sendable, Hashable {
    /// Pollux's overlap with exponent γ.
    case exponent(Double)
    /// DDP's bucket queue.
    case buckets(GradientBuckets)

    /// The overlap of `model` under `kind`; `gamma` for `.exponent` when the model has no γ of its own.
    public init(model: ZooModel, kind: OverlapKind, gamma: Double) {
        switch kind {
        case .exponent: self = .exponent(model.overlapGamma ?? gamma)
        case .ddpBuckets: self = .buckets(GradientBuckets(model: model))
        }
    }

    /// Seconds per iteration of `compute` seconds of compute and an all-reduce of `communication` seconds.
    public func stepSeconds(compute: Double, communication: Double) -> Double {
        switch self {
        case .exponent(let gamma): return StepTimeModel.overlap(compute: compute, communication: communication, gamma: gamma)
        case .buckets(let buckets): return buckets.stepSeconds(compute: compute, communication: communication)
        }
    }

    /// The exponent γ, or nil for the bucket queue.
    public var gamma: Double? {
        if case .exponent(let gamma) = self { return gamma }
        return nil
    }
}
