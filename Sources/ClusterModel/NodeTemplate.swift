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
    /// Largest rate of one TCP stream between two of these nodes, bytes per second; nil when a connection is limited
    /// only by the NIC (RDMA fabrics). A cloud's per-flow limit, e.g. EC2's 5 Gb/s per flow outside a cluster
    /// placement group and 10 Gb/s inside one (Amazon EC2 User Guide, "Amazon EC2 instance network bandwidth").
    public var tcpStreamBytesPerSecond: Double?
    /// TCP streams NCCL opens per connection of its socket transport: NCCL_SOCKET_NTHREADS × NCCL_NSOCKS_PERTHREAD
    /// (NCCL user guide, "Environment Variables"; both default to 1 where NCCL does not recognise the cloud's NIC).
    public var socketsPerConnection: Int = 1
    /// True when collectives run NCCL's flat ring through every rank (each channel's ring enters and leaves every
    /// node once) rather than SchedLab's two-level plan (intra-node reduce-scatter, one inter-node ring per local
    /// rank, intra-node all-gather); see `AllReducePlan`.
    public var flatRing: Bool = false
    /// Largest combined rate, both directions together, of one job's connections between two of these nodes, bytes
    /// per second; nil when the two directions are independent. Where it is set, a collective's flows between one pair
    /// of nodes (a two-node ring sends one each way) split it equally, each still under its connection cap; a ring over
    /// three or more nodes has one flow per pair and is held only by min(connection cap, this). See `LinkGraph`'s
    /// `connectionCaps(sources:destinations:)` and README "Network model fidelity" for the mechanism and its evidence.
    public var nodePairBytesPerSecond: Double?

    /// The rate cap of one inter-node connection: `tcpStreamBytesPerSecond` × `socketsPerConnection`, or
    /// `.infinity` when the streams are not capped.
    public var connectionCapBytesPerSecond: Double {
        tcpStreamBytesPerSecond.map { $0 * Double(socketsPerConnection) } ?? .infinity
    }

    /// Creates a node template.
    public init(
        name: String, summary: String, gpuType: GPUType, gpuCount: Int, intraNodeClass: LinkClass,
        intraNode: LinkParameters, nicCount: Int, nic: LinkParameters, source: String,
        tcpStreamBytesPerSecond: Double? = nil, socketsPerConnection: Int = 1, flatRing: Bool = false,
        nodePairBytesPerSecond: Double? = nil
    ) {
        self.nodePairBytesPerSecond = nodePairBytesPerSecond
        self.tcpStreamBytesPerSecond = tcpStreamBytesPerSecond
        self.socketsPerConnection = socketsPerConnection
        self.flatRing = flatRing
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
