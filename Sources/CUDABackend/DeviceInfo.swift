/// What the backend reports about the machine: device 0's name and memory, versions, and the GPU count.
public struct DeviceInfo: Codable, Equatable, Sendable {
    /// Device 0's name as the driver reports it, e.g. "NVIDIA H100 80GB HBM3".
    public var name: String
    /// Device 0's total memory, bytes.
    public var memoryBytes: Int
    /// CUDA driver version as cudaDriverGetVersion encodes it (1000·major + 10·minor).
    public var driverVersion: Int
    /// CUDA runtime version, same encoding.
    public var runtimeVersion: Int
    /// Visible GPUs.
    public var deviceCount: Int
    /// NCCL version as ncclGetVersion encodes it, or nil when NCCL is not loaded.
    public var ncclVersion: Int?
    /// Whether devices 0 and 1 can access each other's memory directly; nil with one GPU.
    public var peerAccess: Bool?

    /// Creates a device description.
    public init(name: String, memoryBytes: Int, driverVersion: Int, runtimeVersion: Int, deviceCount: Int,
                ncclVersion: Int? = nil, peerAccess: Bool? = nil) {
        self.name = name
        self.memoryBytes = memoryBytes
        self.driverVersion = driverVersion
        self.runtimeVersion = runtimeVersion
        self.deviceCount = deviceCount
        self.ncclVersion = ncclVersion
        self.peerAccess = peerAccess
    }

    /// "12.4" for 12040 (the CUDA driver/runtime version encoding).
    public static func cudaVersionString(_ v: Int) -> String { "\(v / 1000).\((v % 1000) / 10)" }

    /// "2.19.3" for 21903 (NCCL ≥ 2.9: 10000·major + 100·minor + patch) or 2708 (older: 1000·major + 100·minor + patch).
    public static func ncclVersionString(_ v: Int) -> String {
        v >= 10000 ? "\(v / 10000).\((v % 10000) / 100).\(v % 100)" : "\(v / 1000).\((v % 1000) / 100).\(v % 100)"
    }
}
