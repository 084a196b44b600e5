import Foundation

/// What `schedlab hw calibrate` measured on one machine; a scenario can reference it to override catalog figures.
///
/// Plain data about a GPU type, so it lives with the catalog it overrides: the CUDA backend produces it, scenarios
/// read it, and neither needs the other.
public struct HardwareProfile: Codable, Equatable, Sendable {
    /// Format version of this JSON.
    public static let currentSchema = 1

    /// Format version.
    public var schema: Int
    /// Device 0's name, e.g. "NVIDIA H100 80GB HBM3".
    public var gpuName: String
    /// The GPUCatalog entry matched from the name and memory, or nil.
    public var catalogMatch: String?
    /// That entry's dense FP16/BF16 peak, TFLOP/s.
    public var catalogPeakFP16TFLOPS: Double?
    /// Device 0's memory, bytes.
    public var memoryBytes: Int
    /// CUDA driver version, e.g. "12.4".
    public var driverVersion: String
    /// CUDA runtime version.
    public var runtimeVersion: String
    /// NCCL version, when loaded.
    public var ncclVersion: String?
    /// Visible GPUs.
    public var deviceCount: Int
    /// When it was measured (ISO 8601, UTC; a measurement record, so wall-clock).
    public var measuredAt: String
    /// Timed repetitions per point (each point is their median).
    public var repetitions: Int
    /// cuBLAS GEMM throughput per precision and size.
    public var gemm: [GEMMMeasurement]
    /// Device-memory bandwidth (device-to-device copies, read + write counted).
    public var deviceMemory: [BandwidthMeasurement]
    /// Pinned host to device.
    public var hostToDevice: [BandwidthMeasurement]
    /// Device to pinned host.
    public var deviceToHost: [BandwidthMeasurement]
    /// Device 0 to device 1 (empty with one GPU).
    public var peerToPeer: [BandwidthMeasurement]
    /// NCCL all-reduce over all GPUs (nil with one GPU or without NCCL).
    public var allReduce: AllReduceCalibration?
    /// Anything skipped or worth knowing about the measurement.
    public var notes: [String]

    /// Creates a profile.
    public init(
        gpuName: String, catalogMatch: String?, catalogPeakFP16TFLOPS: Double?, memoryBytes: Int, driverVersion: String,
        runtimeVersion: String, ncclVersion: String?, deviceCount: Int, measuredAt: String, repetitions: Int,
        gemm: [GEMMMeasurement], deviceMemory: [BandwidthMeasurement], hostToDevice: [BandwidthMeasurement],
        deviceToHost: [BandwidthMeasurement], peerToPeer: [BandwidthMeasurement], allReduce: AllReduceCalibration?,
        notes: [String]
    ) {
        self.schema = Self.currentSchema
        self.gpuName = gpuName
        self.catalogMatch = catalogMatch
        self.catalogPeakFP16TFLOPS = catalogPeakFP16TFLOPS
        self.memoryBytes = memoryBytes
        self.driverVersion = driverVersion
        self.runtimeVersion = runtimeVersion
        self.ncclVersion = ncclVersion
        self.deviceCount = deviceCount
        self.measuredAt = measuredAt
        self.repetitions = repetitions
        self.gemm = gemm
        self.deviceMemory = deviceMemory
        self.hostToDevice = hostToDevice
        self.deviceToHost = deviceToHost
        self.peerToPeer = peerToPeer
        self.allReduce = allReduce
        self.notes = notes
    }

    // MARK: - What the speed model uses

    /// The figures a speed model can use in place of catalog peaks: the best measured rate of each kind.
    public struct Effective: Equatable, Sendable {
        /// Best measured fp16 GEMM throughput, TFLOP/s (nil if not measured).
        public var fp16TFLOPS: Double?
        /// Best measured bf16 GEMM throughput, TFLOP/s.
        public var bf16TFLOPS: Double?
        /// Best measured device-memory bandwidth, GB/s.
        public var memoryBandwidthGBps: Double?
    }

    /// The best measured fp16 and bf16 TFLOP/s and device-memory bandwidth.
    public var effective: Effective {
        func best(_ p: Precision) -> Double? { gemm.filter { $0.precision == p }.map(\.tflops).max() }
        return Effective(fp16TFLOPS: best(.fp16), bf16TFLOPS: best(.bf16),
                         memoryBandwidthGBps: deviceMemory.map(\.gbps).max())
    }

    /// `gpu` with its FP16/BF16 throughput and memory bandwidth replaced by the effective (measured) ones, where
    /// measured. The throughput is the larger of fp16 and bf16 (the catalog keeps one figure for both).
    ///
    /// Measured rates are achieved rates, not peaks: compare a GPU so overridden only with others overridden from
    /// profiles too, never with catalog peaks, or the comparison mixes the two.
    public func applied(to gpu: GPUType) -> GPUType {
        var g = gpu
        let e = effective
        if let t = [e.fp16TFLOPS, e.bf16TFLOPS].compactMap({ $0 }).max() { g.fp16TFLOPS = t }
        if let bw = e.memoryBandwidthGBps { g.memoryBandwidthGBps = bw }
        g.source = "hardware profile of \(gpuName) measured \(measuredAt) (catalog: \(gpu.source))"
        return g
    }

    /// Calibrated GEMM throughput at square size `size` and `precision`, TFLOP/s: the measured point, or linear
    /// interpolation in log₂(size) between the nearest measured sizes, clamped to the smallest and largest; nil when
    /// that precision was not measured.
    public func tflops(precision: Precision, size: Int) -> Double? {
        let points = gemm.filter { $0.precision == precision }.sorted { $0.size < $1.size }
        guard let first = points.first, let last = points.last else { return nil }
        if let exact = points.first(where: { $0.size == size }) { return exact.tflops }
        if size <= first.size { return first.tflops }
        if size >= last.size { return last.tflops }
        let upper = points.firstIndex { $0.size > size }!
        let a = points[upper - 1], b = points[upper]
        let t = (log2(Double(size)) - log2(Double(a.size))) / (log2(Double(b.size)) - log2(Double(a.size)))
        return a.tflops + t * (b.tflops - a.tflops)
    }

    // MARK: - Files

    /// Reads a profile from a JSON file.
    public static func read(from url: URL) throws -> HardwareProfile {
        try JSONDecoder().decode(HardwareProfile.self, from: Data(contentsOf: url))
    }

    /// The profile as pretty-printed JSON with sorted keys (stable diffs).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
