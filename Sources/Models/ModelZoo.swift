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
        // from every simulator/traces/<app>/validation-<batch>.csv (φ per validated batch and tenth of training, see
        // `EfficiencyProfile`), the local-batch bounds from the placements, the batch bounds from the validated batch
        // sizes, the epoch caps from simulator/applications.py.
        // Tests/ModelsTests/PolluxZooTests recomputes every number from copies of those files.
        // BERT-base fine-tuned on SQuAD v1.1: 110 M parameters → 440 MB.
        pollux(
            "bert-squad", local: 4...12, alpha: 0.212971, atMax: 0.907026, gradientBytes: 110e6 * 4, memoryGB: 10,
            batches: 12...384, iterationsPerEpoch: 7387, epochs: 2, noise: [
                12: [422.966, 1124.3],
                24: [1073.09, 3784.31],
                48: [1440.27, 7639.44],
                96: [2206.24, 6705.49],
                192: [4895.18, 86655.4],
                384: [11219.9, 12790.9],
            ], app: "bert"),
        // ResNet-18 on CIFAR-10: 11.2 M parameters → 44.7 MB.
        pollux(
            "resnet18-cifar10", local: 32...1024, alpha: 0.017233, atMax: 0.69739, gradientBytes: 11.2e6 * 4, memoryGB: 4,
            batches: 128...4096, iterationsPerEpoch: 391, epochs: 100,
            noise: [
                128: [272.412, 1554.14, 2519.84, 3301.96, 4274.97, 5487.47, 7919.34, 13146.4, 22266.7, 29988.2],
                256: [437.631, 2131.52, 3306.76, 4656.21, 6525.29, 9399.36, 13490.8, 22705.3, 28529.1, 33414.4],
                512: [764.273, 2836.91, 4559.16, 6575.85, 9487.69, 13620, 22893.3, 39258.6, 50772.3, 58868.2],
                1024: [889.984, 3254.05, 5112.05, 7686.46, 11078, 19140.6, 34754.5, 46984.9, 76245.4, 71142.3],
                2048: [939.253, 4083.44, 6544.99, 9071.93, 13572.4, 25132.5, 56770.8, 81125.1, 117055, 106004],
                4096: [928.99, 4007.81, 6658.84, 9684.67, 13741.4, 24126.1, 51757.2, 103714, 142788, 144707],
            ], app: "cifar10"),
        // DeepSpeech2 on VoxForge, the model the Pollux testbed trained: petuum/adaptdl (osdi21-artifact)
        // `benchmark/models/deepspeech2/train.py` defaults (`--hidden-size 800`, `--hidden-layers 5`, `--rnn-type gru`,
        // bidirectional, 16 kHz, 20 ms windows; `adaptdljob.yaml` overrides none of them) and `model.py`'s layers,
        // counted by hand [derived] (an earlier entry took deepspeech.pytorch's 5 × bidirectional LSTM of 1024, ≈ 86 M):
        //   conv 1×32×41×11 + 32 = 14,464; conv 32×32×21×11 + 32 = 236,576; their BatchNorm2d 2 × 64 = 128
        //   RNN input: 161 frequency bins → ⌊(161 + 40 − 41)/2⌋ + 1 = 81 → ⌊(81 + 20 − 21)/2⌋ + 1 = 41; × 32 channels = 1312
        //   GRU, per direction 3·(h·(i + h) + 2h), h = 800, two directions (their outputs are summed, so the next
        //   layer's input is h): layer 1, i = 1312: 2 × 5,073,600 = 10,147,200; layers 2–5, i = 800: 4 × 2 × 3,844,800
        //   = 30,758,400; BatchNorm1d(800) before layers 2–5: 4 × 1,600 = 6,400
        //   head: BatchNorm1d(800) 1,600 + Linear 800 × 29 labels, no bias, 23,200 (29: deepspeech.pytorch's
        //   labels.json, `_'A–Z` and space [assumption; the file is not in the artifact])
        //   total 41,187,968 parameters → 164.8 MB of fp32 gradients.
        pollux(
            "deepspeech2", local: 10...80, alpha: 0.0912821, atMax: 2.41541, gradientBytes: 41_187_968 * 4, memoryGB: 12,
            batches: 20...640, iterationsPerEpoch: 357, epochs: 80,
            noise: [
                20: [41.8203, 689.383, 2553.43, 12013, 21353.4, 36005.9, 578621, 1.44969e+06, 211683, 223015],
                40: [72.7541, 957.432, 3775.54, 16492.7, 94740.6, 78964.4, 285430, 191623, 256323, 282449],
                80: [102.375, 1219.36, 5676.24, 17859.7, 30255.1, 31960, 62225.1, 37080, 38668.1, 30823.7],
                160: [158.352, 1308.44, 5991.24, 27121.3, 25388.3, 38429.1, 58198.2, 23840.5, 37630.4, 49337.6],
                320: [183.636, 1394.75, 3880.79, 7942.14, 28138.6, 139904, 148548, 186112, 36563.5, 48255.6],
                640: [198.927, 1191.6, 2612.93, 4684.3, 11889.8, 60944.6, 152034, 228751, 135602, 92332.3],
            ], app: "deepspeech2"),
        // ResNet-50 on ImageNet: 25.6 M parameters → 102.4 MB.
        pollux(
            "resnet50-imagenet", local: 20...200, alpha: 0.0784449, atMax: 0.920085, gradientBytes: 25.6e6 * 4, memoryGB: 14,
            batches: 200...12800, iterationsPerEpoch: 6406, epochs: 90,
            noise: [
                200: [3696.63, 5683.39, 5983.63, 9323.65, 11474.3, 11296.1, 12387.6, 14388.8, 14258.4, 14326.9],
                400: [4402.04, 7239.66, 7805.01, 15245.3, 19701.1, 18760.3, 21941.2, 29105.3, 28917.4, 29057.7],
                800: [4219.56, 7667.19, 8416.13, 20821.8, 27992.8, 26111.2, 33953.2, 55564.3, 54457.8, 54423.1],
                1600: [4427.2, 8139.6, 9024.68, 25769.3, 33933.1, 30476.1, 45032.8, 93296.5, 89720.2, 88288.9],
                3200: [4694.45, 9109.94, 10018.9, 29620.5, 37322.8, 33180.5, 55427.3, 151071, 135192, 127930],
                6400: [4369.16, 9977, 10980.6, 32289.1, 40045.5, 35253, 62427.4, 185728, 163936, 148559],
                12800: [5667.53, 11126.6, 12251.4, 35608.5, 46173.9, 39390, 67981.9, 231797, 196417, 177713],
            ], app: "imagenet"),
        // NeuMF on MovieLens-1M: 32-factor GMF and a 3-layer MLP over 6040 users and 3706 items ≈ 1.6 M parameters
        // [derived; factor count unverified] → 6.4 MB. Pollux pins it to one GPU at batch 32768 (simulator.py).
        // Its embeddings are the first layer, so their gradients come out at the end of the backward pass: with 9,746
        // users and items, 32 GMF and 128 MLP factors each, 1,559,360 of ≈ 1,602,657 parameters (MLP 256→128→64→32
        // and the 64→1 output: 43,297) [derived from the same unverified factor count], a late share of 0.973.
        late(0.973, pollux(
            "neumf", local: 32...32768, alpha: 0.00735266, atMax: 0.0214993, gradientBytes: 1.6e6 * 4, memoryGB: 2,
            batches: 256...32768, iterationsPerEpoch: 19418, epochs: 10,
            noise: [
                256: [18565.3, 7.66948e+06, 297479, 6.90185e+06, 7.49008e+06, 2.07662e+07, 1.83078e+07, 4.78307e+07, 3.92497e+07, 5.91315e+07],
                512: [872113, 1.32116e+07, 2.5689e+06, 7.73391e+06, 2.97992e+07, 2.3122e+07, 1.94735e+07, 4.57806e+07, 5.22638e+07, 4.39769e+07],
                1024: [28822.7, 1.33501e+06, 938862, 3.25018e+06, 2.30684e+07, 2.42299e+07, 1.68897e+07, 2.94168e+07, 1.28358e+07, 4.30323e+07],
                2048: [249351, 660891, 834948, 912571, 7.1086e+06, 7.31543e+06, 6.13907e+06, 4.01477e+07, 2.5578e+07, 1.0379e+07],
                4096: [160963, 889554, 738074, 1.45776e+06, 3.34531e+06, 6.11473e+06, 5.82512e+06, 1.42589e+07, 1.50696e+07, 1.62739e+07],
                8192: [41493.2, 865266, 878177, 894251, 4.83498e+06, 6.25212e+06, 5.22539e+06, 1.09221e+07, 2.1593e+07, 3.56196e+07],
                16384: [119760, 1.15843e+06, 1.23383e+06, 978064, 5.5109e+06, 7.91853e+06, 5.04183e+06, 2.46766e+07, 5.3365e+07, 3.47264e+07],
                32768: [207153, 1.86692e+06, 1.69731e+06, 1.68411e+06, 4.19304e+06, 8.12421e+06, 7.09518e+06, 5.7014e+07, 6.502e+07, 6.36909e+07],
            ],
            app: "ncf", pinned: 32768)),
        // YOLOv3 (Darknet-53) on PASCAL VOC: 61.9 M parameters → 248 MB; local batch at most 8 (applications.py).
        pollux(
            "yolov3", local: 4...8, alpha: 0.216391, atMax: 0.410789, gradientBytes: 61.9e6 * 4, memoryGB: 12,
            batches: 8...512, iterationsPerEpoch: 2069, epochs: 50,
            noise: [
                8: [61.1751, 328.251, 379.843, 520.498, 466.926, 594.644, 718.066, 1162.3, 2048.06, 5200.94],
                16: [61.1408, 324.59, 384.276, 483.953, 428.767, 562.897, 658.127, 1037.38, 2478.74, 7308.59],
                32: [60.1328, 330.089, 336.76, 445.003, 467.366, 599.59, 716.563, 1272.3, 2281.34, 5277.24],
                64: [60.7653, 343.712, 382.138, 421.053, 465.386, 560.006, 812.736, 1121.22, 2042.8, 6895.89],
                128: [56.7117, 350.332, 393.879, 428.849, 516.722, 615.635, 892.802, 1173.46, 1627.9, 5618.02],
                256: [56.0443, 378.041, 378.112, 458.189, 568.095, 609.882, 877.143, 1241.34, 1661.33, 2150.49],
                512: [58.0165, 370.758, 418.549, 475.596, 545.776, 699.281, 902.101, 1113.95, 1811.27, 1957.83],
            ], app: "yolov3"),
    ]

    /// A model of the Pollux artifact on T4: reference batch = the largest local batch, compute α + β·local.
    /// `model` with `lateGradientShare` = `share`.
    private static func late(_ share: Double, _ model: ZooModel) -> ZooModel {
        var m = model
        m.lateGradientShare = share
        return m
    }

    private static func pollux(
        _ name: String, local: ClosedRange<Int>, alpha: Double, atMax: Double, gradientBytes: Double, memoryGB: Double,
        batches: ClosedRange<Int>, iterationsPerEpoch: Double, epochs: Int, noise: KeyValuePairs<Int, [Double]>, app: String,
        pinned: Int? = nil
    ) -> ZooModel {
        var m = ZooModel(
            name: name, referenceBatchPerGPU: local.upperBound, measuredComputeSeconds: [("t4", atMax)],
            gradientBytes: gradientBytes, memoryGB: memoryGB,
            source: "Pollux artifact petuum/adaptdl simulator/traces/\(app) (T4 placements.csv, validation-*.csv)")
        m.computeInterceptSeconds = alpha
        m.efficiency = EfficiencyProfile(
            baseBatch: batches.lowerBound, maxBatch: batches.upperBound, localBatch: local,
            iterationsPerEpoch: iterationsPerEpoch, epochs: epochs, noiseBatches: noise.map(\.key), noiseScale: noise.map(\.value),
            pinnedBatch: pinned)
        return m
    }

    /// What the compute-time scaling of a sharded batch needs of a model, by zoo index: flat tables for the hot rate
    /// path, because reading a model out of `all` copies it (a retain and a release of each of its arrays and strings,
    /// which showed in profiles of every re-rate).
    public static let batchComputeTables: [BatchComputeEntry] = all.map {
        BatchComputeEntry(
            referenceBatchPerGPU: $0.referenceBatchPerGPU, computeInterceptShare: $0.computeInterceptShare,
            scalesPlainly: $0.computeInterceptSeconds == 0 && $0.efficiency == nil, maxLocalBatch: $0.efficiency?.localBatch.upperBound)
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
