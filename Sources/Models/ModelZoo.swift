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
        // The six applications of the Pollux artifact (petuum/adaptdl, branch osdi21-artifact, simulator/): compute
        // from the single-GPU rows (placement "1") of simulator/traces/<app>/placements.csv on one T4, fitted by least
        // squares as α + β·local on step_time − sync_time and quoted at the largest local batch; the efficiency profile
        // from simulator/traces/<app>/validation-<M₀>.csv (see `EfficiencyProfile`), the local-batch bounds from the
        // placements, the batch bounds from the validated batch sizes, the epoch caps from simulator/applications.py.
        // Tests/ModelsTests/PolluxZooTests recomputes every number from copies of those files.
        // BERT-base fine-tuned on SQuAD v1.1: 110 M parameters → 440 MB.
        pollux(
            "bert-squad", local: 4...12, alpha: 0.212971, atMax: 0.907026, gradientBytes: 110e6 * 4, memoryGB: 10,
            batches: 12...384, iterationsPerEpoch: 7387, epochs: 2, noise: [422.966, 1124.3], app: "bert"),
        // ResNet-18 on CIFAR-10: 11.2 M parameters → 44.7 MB.
        pollux(
            "resnet18-cifar10", local: 32...1024, alpha: 0.017233, atMax: 0.69739, gradientBytes: 11.2e6 * 4, memoryGB: 4,
            batches: 128...4096, iterationsPerEpoch: 391, epochs: 100,
            noise: [272.412, 1554.14, 2519.84, 3301.96, 4274.97, 5487.47, 7919.34, 13146.4, 22266.7, 29988.2], app: "cifar10"),
        // DeepSpeech2 on VoxForge: deepspeech.pytorch's five bidirectional LSTM layers of 1024 ≈ 86 M parameters
        // [derived; the artifact does not state the size] → 344 MB.
        pollux(
            "deepspeech2", local: 10...80, alpha: 0.0912821, atMax: 2.41541, gradientBytes: 86e6 * 4, memoryGB: 12,
            batches: 20...640, iterationsPerEpoch: 357, epochs: 80,
            noise: [41.8203, 689.383, 2553.43, 12013, 21353.4, 36005.9, 578621, 1.44969e6, 211683, 223015], app: "deepspeech2"),
        // ResNet-50 on ImageNet: 25.6 M parameters → 102.4 MB.
        pollux(
            "resnet50-imagenet", local: 20...200, alpha: 0.0784449, atMax: 0.920085, gradientBytes: 25.6e6 * 4, memoryGB: 14,
            batches: 200...12800, iterationsPerEpoch: 6406, epochs: 90,
            noise: [3696.63, 5683.39, 5983.63, 9323.65, 11474.3, 11296.1, 12387.6, 14388.8, 14258.4, 14326.9], app: "imagenet"),
        // NeuMF on MovieLens-1M: 32-factor GMF and a 3-layer MLP over 6040 users and 3706 items ≈ 1.6 M parameters
        // [derived; factor count unverified] → 6.4 MB. Pollux pins it to one GPU at batch 32768 (simulator.py).
        pollux(
            "neumf", local: 32...32768, alpha: 0.00735266, atMax: 0.0214993, gradientBytes: 1.6e6 * 4, memoryGB: 2,
            batches: 256...32768, iterationsPerEpoch: 19418, epochs: 10,
            noise: [18565.3, 7.66948e6, 297479, 6.90185e6, 7.49008e6, 2.07662e7, 1.83078e7, 4.78307e7, 3.92497e7, 5.91315e7],
            app: "ncf", pinned: 32768),
        // YOLOv3 (Darknet-53) on PASCAL VOC: 61.9 M parameters → 248 MB; local batch at most 8 (applications.py).
        pollux(
            "yolov3", local: 4...8, alpha: 0.216391, atMax: 0.410789, gradientBytes: 61.9e6 * 4, memoryGB: 12,
            batches: 8...512, iterationsPerEpoch: 2069, epochs: 50,
            noise: [61.1751, 328.251, 379.843, 520.498, 466.926, 594.644, 718.066, 1162.3, 2048.06, 5200.94], app: "yolov3"),
    ]

    /// A model of the Pollux artifact on T4: reference batch = the largest local batch, compute α + β·local.
    private static func pollux(
        _ name: String, local: ClosedRange<Int>, alpha: Double, atMax: Double, gradientBytes: Double, memoryGB: Double,
        batches: ClosedRange<Int>, iterationsPerEpoch: Double, epochs: Int, noise: [Double], app: String, pinned: Int? = nil
    ) -> ZooModel {
        var m = ZooModel(
            name: name, referenceBatchPerGPU: local.upperBound, measuredComputeSeconds: [("t4", atMax)],
            gradientBytes: gradientBytes, memoryGB: memoryGB,
            source: "Pollux artifact petuum/adaptdl simulator/traces/\(app) (T4 placements.csv, validation-\(batches.lowerBound).csv)")
        m.computeInterceptSeconds = alpha
        m.efficiency = EfficiencyProfile(
            baseBatch: batches.lowerBound, maxBatch: batches.upperBound, localBatch: local,
            iterationsPerEpoch: iterationsPerEpoch, epochs: epochs, noiseScale: noise, pinnedBatch: pinned)
        return m
    }

    /// The efficiency profile of each model, by zoo index (a flat table for the hot rate path).
    public static let efficiencyProfiles: [EfficiencyProfile?] = all.map(\.efficiency)

    /// The model called `name`, or nil.
    public static func named(_ name: String) -> ZooModel? { all.first { $0.name == name } }

    /// Index of the model called `name` in `all`, or nil.
    public static func index(named name: String) -> Int? { all.firstIndex { $0.name == name } }

    /// All zoo names, for error messages.
    public static var names: [String] { all.map(\.name) }
}
