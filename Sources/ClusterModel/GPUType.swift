/// A GPU model: what the speed model needs to know about one accelerator.
public struct GPUType: Sendable, Equatable, Codable {
    /// Catalog name used in scenarios and traces, e.g. "a100-80".
    public var name: String
    /// Dense FP16/BF16 tensor-core throughput, TFLOP/s (no sparsity).
    public var fp16TFLOPS: Double
    /// Device memory, GB.
    public var memoryGB: Double
    /// Device-memory bandwidth, GB/s.
    public var memoryBandwidthGBps: Double
    /// Host link (PCIe) achievable bandwidth per direction, GB/s; bounds what one GPU can push through NICs.
    public var hostLinkGBps: Double
    /// Where the numbers come from.
    public var source: String

    /// Creates a GPU type.
    public init(
        name: String, fp16TFLOPS: Double, memoryGB: Double, memoryBandwidthGBps: Double, hostLinkGBps: Double,
        source: String
    ) {
        self.name = name
        self.fp16TFLOPS = fp16TFLOPS
        self.memoryGB = memoryGB
        self.memoryBandwidthGBps = memoryBandwidthGBps
        self.hostLinkGBps = hostLinkGBps
        self.source = source
    }
}
