import ClusterModel
import Models

/// A synthetic training iteration standing in for a zoo model on real hardware: `gemmCount` square GEMMs of
/// `gemmSize` whose FLOPs match the model's per-iteration FLOPs, then (data parallel over `gpus` > 1 GPUs) an
/// all-reduce of the model's gradient bytes.
public struct SyntheticStep: Codable, Equatable, Sendable {
    /// Zoo model name.
    public var model: String
    /// The model's FLOPs per iteration per GPU (`flopsPerIteration(model:)`).
    public var targetFLOPs: Double
    /// Square GEMM size n.
    public var gemmSize: Int
    /// GEMMs per iteration.
    public var gemmCount: Int
    /// Element type of the GEMMs.
    public var precision: Precision
    /// GPUs running the step data parallel (each runs all the GEMMs).
    public var gpus: Int
    /// Bytes all-reduced per iteration per GPU (0 on one GPU).
    public var allReduceBytes: Int

    /// Creates a step.
    public init(model: String, targetFLOPs: Double, gemmSize: Int, gemmCount: Int, precision: Precision, gpus: Int,
                allReduceBytes: Int) {
        self.model = model
        self.targetFLOPs = targetFLOPs
        self.gemmSize = gemmSize
        self.gemmCount = gemmCount
        self.precision = precision
        self.gpus = gpus
        self.allReduceBytes = allReduceBytes
    }

    /// FLOPs one GPU executes per iteration: gemmCount · 2n³.
    public var executedFLOPs: Double { Double(gemmCount) * GEMMSizing.flops(m: gemmSize, n: gemmSize, k: gemmSize) }

    /// The same step on one GPU without the all-reduce (what each time-sharing job runs).
    public var singleGPU: SyntheticStep {
        var s = self
        s.gpus = 1
        s.allReduceBytes = 0
        return s
    }

    /// The step standing in for `model` on `gpus` GPUs, with GEMM sizes drawn from `sizes`; nil when the model has no
    /// FLOPs estimate. Gradient bytes are the zoo's (only all-reduced when `gpus` > 1).
    public static func make(model: ZooModel, precision: Precision, sizes: [Int], gpus: Int) -> SyntheticStep? {
        guard let flops = flopsPerIteration(model: model.name) else { return nil }
        let (n, count) = GEMMSizing.choose(flops: flops, sizes: sizes)
        return SyntheticStep(model: model.name, targetFLOPs: flops, gemmSize: n, gemmCount: count, precision: precision,
                             gpus: gpus, allReduceBytes: gpus > 1 ? Int(model.gradientBytes.rounded()) : 0)
    }

    /// One model's FLOPs per training iteration at its zoo reference batch, with how it was derived.
    public struct FLOPsEstimate: Sendable, Equatable {
        /// Zoo model name.
        public var model: String
        /// FLOPs per iteration per GPU (forward, backward; optimizer ignored).
        public var flops: Double
        /// How the figure was obtained.
        public var derivation: String
    }

    /// Per-iteration FLOPs of every zoo model, all [derived] (none measured). Training costs ≈ 3× the forward pass
    /// (backward ≈ 2× forward) for CNNs, and ≈ 6·parameters·tokens for transformers and LMs (Kaplan et al. 2020: 2N per
    /// token forward, 4N backward).
    public static let flopsTable: [FLOPsEstimate] = [
        FLOPsEstimate(
            model: "resnet50", flops: 3 * 4.1e9 * 256,
            derivation: "[derived] 3 × 4.1 GFLOP forward per 224² image × 256 images; the 4.1 G figure commonly quoted for "
                + "ResNet-50 v1.5 counts multiply-accumulates, so true FLOPs may be up to 2× higher [assumption]"),
        FLOPsEstimate(
            model: "resnet18", flops: 3 * 0.56e9 * 128,
            derivation: "[derived] 3 × 0.56 GFLOP forward per 32² CIFAR image (CIFAR ResNet-18, multiply-accumulates as "
                + "commonly quoted) × 128 images"),
        FLOPsEstimate(
            model: "bert-base", flops: 6 * 110e6 * 8 * 384,
            derivation: "[derived] 6 × 110 M parameters × 8 sequences × 384 tokens (SQuAD-style fine-tuning length "
                + "[assumption]; attention FLOPs ignored)"),
        FLOPsEstimate(
            model: "transformer", flops: 6 * 65e6 * 128 * 64,
            derivation: "[derived] 6 × 65 M parameters × 128 sentence pairs × 64 tokens each [assumption: ~64 subword "
                + "tokens per WMT16 pair, source and target together]"),
        FLOPsEstimate(
            model: "lm", flops: 6 * 28e6 * 20 * 35,
            derivation: "[derived] 6 × 28 M parameters × 20 sequences × 35 tokens (BPTT length of the PyTorch "
                + "word_language_model example [assumption]); the 6N rule overcounts an LSTM's embedding lookups"),
        FLOPsEstimate(
            model: "gpt-1.3b", flops: 6 * 1.3e9 * 8 * 2048,
            derivation: "[derived] 6 × 1.3 B parameters × 8 sequences × 2,048 tokens (as in the zoo entry)"),
        // The Pollux-artifact models, at their reference (largest local) batch.
        FLOPsEstimate(
            model: "bert-squad", flops: 6 * 110e6 * 12 * 384,
            derivation: "[derived] 6 × 110 M parameters × 12 sequences × 384 tokens (as bert-base, at the artifact's largest "
                + "local batch)"),
        FLOPsEstimate(
            model: "resnet18-cifar10", flops: 3 * 0.56e9 * 1024,
            derivation: "[derived] 3 × 0.56 GFLOP forward per 32² CIFAR image × 1,024 images (as resnet18)"),
        FLOPsEstimate(
            model: "deepspeech2", flops: 6 * 41.2e6 * 80 * 250,
            derivation: "[derived] 6 × 41.2 M parameters (the zoo's count) × 80 utterances × 250 frames after the convolutions' stride "
                + "[assumption: ~5 s VoxForge utterances]; the 6N rule ignores the convolutions"),
        FLOPsEstimate(
            model: "resnet50-imagenet", flops: 3 * 4.1e9 * 200,
            derivation: "[derived] 3 × 4.1 GFLOP forward per 224² image × 200 images (as resnet50)"),
        FLOPsEstimate(
            model: "neumf", flops: 6 * 1.6e6 * 32768,
            derivation: "[derived] 6 × 1.6 M parameters × 32,768 user-item pairs; overcounts the embedding lookups, "
                + "of which each pair touches only its own rows"),
        FLOPsEstimate(
            model: "yolov3", flops: 3 * 65.9e9 * 8,
            derivation: "[derived] 3 × 65.9 GFLOP forward per 416² image (YOLOv3 paper; input size [assumption]) × 8 images"),
    ]

    /// FLOPs per training iteration of the zoo model `model` at its reference batch, or nil when unknown.
    public static func flopsPerIteration(model: String) -> Double? {
        flopsTable.first { $0.model == model }?.flops
    }
}
