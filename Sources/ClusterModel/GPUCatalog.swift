/// The GPU types SchedLab knows, by catalog name.
///
/// Peak numbers are vendor datasheet figures (NVIDIA's A100, H100, V100, T4 and L4 datasheets); each entry names its
/// source in `schedlab info gpus`.
/// Host-link figures are achievable PCIe rates [derived]: Gen3 x16 ≈ 12, Gen4 ≈ 25, Gen5 ≈ 50 GB/s per
/// direction (line rates 15.75 / 31.5 / 63 GB/s at 128b/130b, less protocol overhead).
public enum GPUCatalog {
    /// Every known GPU type, in a fixed order (that order is the `info gpus` listing).
    public static let all: [GPUType] = [
        // NVIDIA V100 SXM2 datasheet: 125 TFLOP/s FP16 tensor, 900 GB/s HBM2. [unverified here; standard figure]
        GPUType(name: "v100-16", fp16TFLOPS: 125, memoryGB: 16, memoryBandwidthGBps: 900, hostLinkGBps: 12,
                source: "NVIDIA V100 datasheet (SXM2)"),
        GPUType(name: "v100-32", fp16TFLOPS: 125, memoryGB: 32, memoryBandwidthGBps: 900, hostLinkGBps: 12,
                source: "NVIDIA V100 datasheet (SXM2)"),
        // A100 SXM4: 312 dense FP16/BF16; 1,555 GB/s (40 GB) and 2,039 GB/s (80 GB). glennklockwood.com A100 page.
        GPUType(name: "a100-40", fp16TFLOPS: 312, memoryGB: 40, memoryBandwidthGBps: 1555, hostLinkGBps: 25,
                source: "NVIDIA A100 datasheet via glennklockwood.com/garden/processors/A100"),
        GPUType(name: "a100-80", fp16TFLOPS: 312, memoryGB: 80, memoryBandwidthGBps: 2039, hostLinkGBps: 25,
                source: "NVIDIA A100 datasheet via glennklockwood.com/garden/processors/A100"),
        // H100 SXM5: 989.4 dense, 80 GB HBM3 at 3.35 TB/s. glennklockwood.com H100 page.
        GPUType(name: "h100", fp16TFLOPS: 989.4, memoryGB: 80, memoryBandwidthGBps: 3350, hostLinkGBps: 50,
                source: "NVIDIA H100 SXM5 datasheet via glennklockwood.com/garden/processors/h100"),
        // H200 SXM: same die as H100, 141 GB HBM3e at 4.8 TB/s. [bandwidth from NVIDIA's H200 page, unverified]
        GPUType(name: "h200", fp16TFLOPS: 989.4, memoryGB: 141, memoryBandwidthGBps: 4800, hostLinkGBps: 50,
                source: "NVIDIA H200 product page"),
        // L4: 121 dense FP16 tensor, 24 GB GDDR6 at 300 GB/s, PCIe Gen4 x16.
        GPUType(name: "l4", fp16TFLOPS: 121, memoryGB: 24, memoryBandwidthGBps: 300, hostLinkGBps: 25,
                source: "NVIDIA L4 datasheet via hmc-tech.com; 300 GB/s per fpsbench"),
        // T4: 65 FP16 tensor, 16 GB GDDR6 at 320 GB/s, PCIe Gen3 x16.
        GPUType(name: "t4", fp16TFLOPS: 65, memoryGB: 16, memoryBandwidthGBps: 320, hostLinkGBps: 12,
                source: "NVIDIA T4 datasheet via hmc-tech.com"),
        // A10: 125 dense FP16 tensor, 24 GB GDDR6 at 600 GB/s, PCIe Gen4 x16. [unverified here]
        GPUType(name: "a10", fp16TFLOPS: 125, memoryGB: 24, memoryBandwidthGBps: 600, hostLinkGBps: 25,
                source: "NVIDIA A10 datasheet"),
        // P100 PCIe: 18.7 TFLOP/s FP16 (no tensor cores), 16 GB HBM2 at 732 GB/s, PCIe Gen3 x16. Needed by the
        // Alibaba openb and PAI 2020 traces. [NVIDIA Tesla P100 datasheet; unverified here]
        GPUType(name: "p100", fp16TFLOPS: 18.7, memoryGB: 16, memoryBandwidthGBps: 732, hostLinkGBps: 12,
                source: "NVIDIA Tesla P100 PCIe datasheet"),
        // Alibaba's openb node list names two GPU models only as "G2" and "G3" (anonymised; 4,392 and 312 GPUs).
        // Their real numbers are unknown: SchedLab gives them T4-class figures [assumption] so that trace jobs,
        // which carry no model and run their recorded durations, can be placed on them. Do not compare speeds.
        GPUType(name: "g2", fp16TFLOPS: 65, memoryGB: 16, memoryBandwidthGBps: 320, hostLinkGBps: 12,
                source: "Alibaba openb anonymised model; T4-class figures assumed"),
        GPUType(name: "g3", fp16TFLOPS: 65, memoryGB: 16, memoryBandwidthGBps: 320, hostLinkGBps: 12,
                source: "Alibaba openb anonymised model; T4-class figures assumed"),
    ]

    /// The type called `name`, or nil.
    public static func named(_ name: String) -> GPUType? { all.first { $0.name == name } }

    /// All catalog names, for error messages.
    public static var names: [String] { all.map(\.name) }
}
