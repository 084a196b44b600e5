/// One calibrated GEMM: a square size and precision, its median time and throughput.
public struct GEMMMeasurement: Codable, Equatable, Sendable {
    /// Element type.
    public var precision: Precision
    /// Square size n (m = n = k).
    public var size: Int
    /// Median seconds per GEMM.
    public var seconds: Double
    /// 2n³ / seconds, in TFLOP/s.
    public var tflops: Double
    /// `tflops` over the matched catalog entry's dense FP16/BF16 tensor peak; nil when the GPU is not in the catalog.
    /// For fp32 this is still relative to that FP16/BF16 peak (the catalog holds no FP32 figure).
    public var fractionOfCatalogPeak: Double?

    /// Creates a measurement.
    public init(precision: Precision, size: Int, seconds: Double, tflops: Double, fractionOfCatalogPeak: Double?) {
        self.precision = precision
        self.size = size
        self.seconds = seconds
        self.tflops = tflops
        self.fractionOfCatalogPeak = fractionOfCatalogPeak
    }
}

/// One calibrated copy size: its median time and bandwidth.
public struct BandwidthMeasurement: Codable, Equatable, Sendable {
    /// Bytes per copy.
    public var bytes: Int
    /// Median seconds per copy.
    public var seconds: Double
    /// Bytes moved (read + write for device copies, as the CUDA backend's `CopyDirection.bytesMoved` counts) / seconds, in GB/s (1e9 bytes).
    public var gbps: Double

    /// Creates a measurement.
    public init(bytes: Int, seconds: Double, gbps: Double) {
        self.bytes = bytes
        self.seconds = seconds
        self.gbps = gbps
    }
}

/// One calibrated all-reduce size, with nccl-tests' algbw and busbw.
public struct AllReducePoint: Codable, Equatable, Sendable {
    /// Bytes per rank.
    public var bytes: Int
    /// Median seconds per all-reduce.
    public var seconds: Double
    /// bytes / seconds, GB/s.
    public var algbwGBps: Double
    /// algbw × 2(n−1)/n, GB/s.
    public var busbwGBps: Double

    /// Creates a point.
    public init(bytes: Int, seconds: Double, algbwGBps: Double, busbwGBps: Double) {
        self.bytes = bytes
        self.seconds = seconds
        self.algbwGBps = algbwGBps
        self.busbwGBps = busbwGBps
    }
}

/// The calibrated all-reduce: every size, and the α–β model fitted to them.
public struct AllReduceCalibration: Codable, Equatable, Sendable {
    /// Ranks (GPUs) taking part.
    public var gpus: Int
    /// One point per size.
    public var points: [AllReducePoint]
    /// Fitted intercept α, seconds (may be slightly negative from noise; predictions clamp it at 0).
    public var alphaSeconds: Double
    /// Fitted bus bandwidth, GB/s.
    public var busBandwidthGBps: Double

    /// Creates a calibration.
    public init(gpus: Int, points: [AllReducePoint], alphaSeconds: Double, busBandwidthGBps: Double) {
        self.gpus = gpus
        self.points = points
        self.alphaSeconds = alphaSeconds
        self.busBandwidthGBps = busBandwidthGBps
    }
}
