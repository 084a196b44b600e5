// MARK: - Link identity and parameters

/// A directed link of the fabric, numbered densely 0..<linkCount by `LinkGraph`.
public struct LinkID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The index.
    public var raw: Int32
    /// Creates an ID from an index.
    @inlinable public init(_ raw: Int) { self.raw = Int32(raw) }
    /// The index as `Int`.
    @inlinable public var index: Int { Int(raw) }
    @inlinable public static func < (a: LinkID, b: LinkID) -> Bool { a.raw < b.raw }
    public var description: String { "link\(raw)" }
}

/// What a link connects, and in which direction.
///
/// Every physical cable or port is modeled as two independent directed links (full duplex), so traffic
/// one way never slows traffic the other way, as on NVLink, PCIe and InfiniBand.
public enum LinkKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// A GPU's port into its node's NVSwitch or PCIe switch (GPU → switch).
    case gpuToSwitch
    /// The switch's port towards a GPU (switch → GPU).
    case switchToGPU
    /// A NIC's uplink towards its rack's ToR switch (NIC → ToR).
    case nicUp
    /// The ToR's downlink towards a NIC (ToR → NIC).
    case nicDown
    /// A rack's aggregate uplink from its ToR to the spine (ToR → spine).
    case torUp
    /// A rack's aggregate downlink from the spine to its ToR (spine → ToR).
    case torDown

    public var description: String {
        switch self {
        case .gpuToSwitch: return "gpu-up"
        case .switchToGPU: return "gpu-down"
        case .nicUp: return "nic-up"
        case .nicDown: return "nic-down"
        case .torUp: return "tor-up"
        case .torDown: return "tor-down"
        }
    }

    /// True for the ToR↔spine links, whose latency adds to a path's per-step latency (see `LinkGraph.stepLatency`).
    @inlinable public var isSpine: Bool { self == .torUp || self == .torDown }
}

/// One directed link: what it connects, how fast it is and how long a step across it waits.
///
/// `bandwidth` is the figure the node template or fabric spec gives; `capacity` = bandwidth × efficiency is what
/// the max-min solver shares between flows. The efficiency defaults to 1.0 because SchedLab's node templates
/// already hold *achievable* NCCL figures (e.g. 232 GB/s all-reduce busbw on NVLink3, 24 GB/s per HDR NIC),
/// not line rates; set it below 1 only when a scenario gives line rates (NCCL reaches about 0.82 of NVLink4 line
/// rate, 370 of 450 GB/s, per github.com/NVIDIA/nccl-tests issue 212, and 46–48 of 50 GB/s on IB NDR, issue 290).
/// This is the role of SimGrid's LV08 bandwidth factor (0.97 for TCP; Velho and Legrand, "Accuracy study and
/// improvement of network simulation in the SimGrid framework", SIMUTools 2009).
public struct Link: Sendable, Equatable {
    /// The link's dense ID.
    public var id: LinkID
    /// What the link connects.
    public var kind: LinkKind
    /// The GPU index (gpu links), global NIC index (NIC links) or rack index (ToR links) the link belongs to.
    public var owner: Int32
    /// Nominal bandwidth in bytes per second, one direction.
    public var bandwidth: Double
    /// Per-step latency α in seconds (see `LinkGraph.stepLatency` for how a path combines them).
    public var latency: Double
    /// Multiplier applied to `bandwidth` to get the shareable capacity (default 1: figures are already achievable).
    public var efficiency: Double

    /// Creates a link.
    public init(id: LinkID, kind: LinkKind, owner: Int32, bandwidth: Double, latency: Double, efficiency: Double = 1) {
        self.id = id
        self.kind = kind
        self.owner = owner
        self.bandwidth = bandwidth
        self.latency = latency
        self.efficiency = efficiency
    }

    /// Capacity the flows on this link share, bytes per second: bandwidth × efficiency.
    @inlinable public var capacity: Double { bandwidth * efficiency }
}
