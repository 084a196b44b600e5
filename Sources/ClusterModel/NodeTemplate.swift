/// A kind of server: its GPUs and the links they use inside and out of the node.
public struct NodeTemplate: Sendable, Equatable {
    /// Catalog name, e.g. "dgx-a100".
    public var name: String
    /// One-line description for `schedlab info templates`.
    public var summary: String
    /// The GPU type fitted by default (a scenario may override it for PCIe servers).
    public var gpuType: GPUType
    /// GPUs per node.
    public var gpuCount: Int
    /// Which fabric connects GPUs inside the node.
    public var intraNodeClass: LinkClass
    /// Per-GPU achievable bus bandwidth and per-step latency inside the node.
    public var intraNode: LinkParameters
    /// Number of NICs towards the ToR.
    public var nicCount: Int
    /// Achievable bandwidth of one NIC (bytes/s) and the per-step latency of inter-node collectives.
    public var nic: LinkParameters
    /// Where the numbers come from.
    public var source: String

    /// Creates a node template.
    public init(
        name: String, summary: String, gpuType: GPUType, gpuCount: Int, intraNodeClass: LinkClass,
        intraNode: LinkParameters, nicCount: Int, nic: LinkParameters, source: String
    ) {
        self.name = name
        self.summary = summary
        self.gpuType = gpuType
        self.gpuCount = gpuCount
        self.intraNodeClass = intraNodeClass
        self.intraNode = intraNode
        self.nicCount = nicCount
        self.nic = nic
        self.source = source
    }

    /// The same template with another GPU type fitted.
    public func with(gpuType: GPUType) -> NodeTemplate {
        var copy = self
        copy.gpuType = gpuType
        return copy
    }
}
