/// The built-in model zoo.
///
/// Compute times are per-iteration seconds at the reference per-GPU batch, taken from public measurements
/// (each model's source is given beside it and in `schedlab info models`). Gradient bytes are parameters × 4 (fp32 gradients, as
/// PyTorch DDP all-reduces them even under AMP) unless stated. Memory footprints are estimates [derived]
/// used only to keep a model off GPUs that are obviously too small.
public enum ModelZoo {
    /// Every zoo model, in listing order.
    public static let all: [ZooModel] = [
        // NVIDIA DeepLearningExamples ResNet-50 v1.5 (PyTorch 21.03), AMP, batch 256/GPU:
        // A100-80 2470 img/s → 0.1036 s; V100-16 1200 img/s → 0.2133 s; V100-32 1156 img/s → 0.2215 s.
        // 25.6 M parameters → 102.4 MB fp32 gradients.
        ZooModel(
            name: "resnet50", referenceBatchPerGPU: 256,
            measuredComputeSeconds: [("a100-80", 256.0 / 2470), ("v100-16", 256.0 / 1200), ("v100-32", 256.0 / 1156)],
            gradientBytes: 25.6e6 * 4, memoryGB: 14,
            source: "NVIDIA DeepLearningExamples resnet50v1.5 README (AMP, bs 256)"),
        // Gavel simulation_throughputs.json, ResNet-18 (CIFAR-10, bs 128) on V100: 17.99 steps/s.
        // 11.2 M parameters → 44.7 MB.
        ZooModel(
            name: "resnet18", referenceBatchPerGPU: 128,
            measuredComputeSeconds: [("v100-16", 1 / 17.99)],
            gradientBytes: 11.2e6 * 4, memoryGB: 4,
            source: "Gavel scheduler/simulation_throughputs.json (V100, bs 128)"),
        // Pollux testbed traces (petuum/adaptdl simulator/traces, placements.csv): BERT fine-tuning, local
        // batch 8, 703 ms/iteration on one T4. BERT-base: 110 M parameters → 440 MB. γ = 1.3 solves
        // (703^γ + 92^γ)^(1/γ) = 741: the same file's 4-GPU single-node step (741 ms) and sync time (92 ms).
        ZooModel(
            name: "bert-base", referenceBatchPerGPU: 8,
            measuredComputeSeconds: [("t4", 0.703)],
            gradientBytes: 110e6 * 4, memoryGB: 10,
            source: "Pollux traces placements.csv (T4, local bsz 8)", overlapGamma: 1.3),
        // Gavel, Transformer (WMT16, bs 128) on V100: 5.45 steps/s. ~65 M parameters [unverified] → 260 MB.
        ZooModel(
            name: "transformer", referenceBatchPerGPU: 128,
            measuredComputeSeconds: [("v100-16", 1 / 5.45)],
            gradientBytes: 65e6 * 4, memoryGB: 12,
            source: "Gavel scheduler/simulation_throughputs.json (V100, bs 128)"),
        // Gavel, LM (LSTM on Wikitext-2, bs 20) on V100: 64.74 steps/s. ~28 M parameters [unverified] → 112 MB.
        ZooModel(
            name: "lm", referenceBatchPerGPU: 20,
            measuredComputeSeconds: [("v100-16", 1 / 64.74)],
            gradientBytes: 28e6 * 4, memoryGB: 6,
            source: "Gavel scheduler/simulation_throughputs.json (V100, bs 20)"),
        // A 1.3 B-parameter GPT, 8 sequences of 2048 tokens per GPU: FLOPs ≈ 6·N·tokens = 1.28e14 per
        // iteration; at 45% of A100's 312 TFLOP/s that is 0.91 s [derived; MFU unverified]. bf16 gradients
        // (2.6 GB); Adam mixed precision needs ~16 B/parameter plus activations ≈ 40 GB [derived].
        ZooModel(
            name: "gpt-1.3b", referenceBatchPerGPU: 8,
            measuredComputeSeconds: [("a100-80", 6 * 1.3e9 * 8 * 2048 / (312e12 * 0.45))],
            gradientBytes: 1.3e9 * 2, memoryGB: 40,
            source: "FLOPs = 6·params·tokens at 45% MFU [derived]"),
    ]

    /// The model called `name`, or nil.
    public static func named(_ name: String) -> ZooModel? { all.first { $0.name == name } }

    /// Index of the model called `name` in `all`, or nil.
    public static func index(named name: String) -> Int? { all.firstIndex { $0.name == name } }

    /// All zoo names, for error messages.
    public static var names: [String] { all.map(\.name) }
}
