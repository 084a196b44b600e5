/// The kinds of link a collective can cross, from fastest to slowest in a typical cluster.
public enum LinkClass: String, Sendable, Codable, CaseIterable {
    /// NVLink through an NVSwitch: every GPU pair in the node is equal.
    case nvswitch
    /// PCIe switch inside a node (no NVLink).
    case pcie
    /// The node's NICs towards the top-of-rack switch.
    case nic
}

/// Bandwidth and latency of a link class, as a collective sees it.
public struct LinkParameters: Sendable, Equatable, Codable {
    /// Achievable per-GPU bandwidth for ring collectives (bus bandwidth), bytes per second.
    public var bandwidthBytesPerSecond: Double
    /// Latency paid per collective step (α), seconds.
    public var latencySeconds: Double

    /// Creates link parameters.
    public init(bandwidthBytesPerSecond: Double, latencySeconds: Double) {
        self.bandwidthBytesPerSecond = bandwidthBytesPerSecond
        self.latencySeconds = latencySeconds
    }
}
