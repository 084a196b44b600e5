import ClusterModel

// MARK: - Fabric parameters

/// How the links between nodes and racks are built; every default derives from the node templates.
///
/// With the defaults, GPU↔switch links take the template's `intraNode` (bandwidth, α), each NIC link takes the
/// template's `nic` (bandwidth, α), and each rack's ToR↔spine link gets Σ(NIC bandwidth of the rack's nodes) /
/// `oversubscription`. Scenarios override per template (`nodeOverrides`) or per link class (efficiencies,
/// spine latency).
public struct FabricSpec: Sendable, Equatable {
    /// ToR→spine oversubscription ratio: rack uplink = Σ NIC bandwidth of the rack / ratio (1 = non-blocking).
    public var oversubscription: Double
    /// Extra per-step latency of each ToR↔spine hop, seconds (default 0: the template NIC α is end to end).
    public var spineLatencySeconds: Double
    /// Efficiency multiplier for GPU↔switch links (default 1: template figures are already achievable).
    public var intraNodeEfficiency: Double
    /// Efficiency multiplier for NIC↔ToR links (default 1: template figures are already achievable).
    public var nicEfficiency: Double
    /// Efficiency multiplier for ToR↔spine links (default 1).
    public var spineEfficiency: Double
    /// Per-template replacements of the intra-node and NIC parameters, matched by template name.
    public var nodeOverrides: [NodeFabricOverride]

    /// Creates a fabric spec; every argument defaults to "as the templates say, non-blocking".
    public init(
        oversubscription: Double = 1, spineLatencySeconds: Double = 0, intraNodeEfficiency: Double = 1,
        nicEfficiency: Double = 1, spineEfficiency: Double = 1, nodeOverrides: [NodeFabricOverride] = []
    ) {
        self.oversubscription = oversubscription
        self.spineLatencySeconds = spineLatencySeconds
        self.intraNodeEfficiency = intraNodeEfficiency
        self.nicEfficiency = nicEfficiency
        self.spineEfficiency = spineEfficiency
        self.nodeOverrides = nodeOverrides
    }

    /// The template with this spec's override for its name applied (the first matching override wins).
    public func effective(_ template: NodeTemplate) -> NodeTemplate {
        guard let o = nodeOverrides.first(where: { $0.templateName == template.name }) else { return template }
        var t = template
        if let p = o.intraNode { t.intraNode = p }
        if let k = o.nicCount { t.nicCount = k }
        if let p = o.nic { t.nic = p }
        if let c = o.tcpStreamBytesPerSecond { t.tcpStreamBytesPerSecond = c.isFinite ? c : nil }
        if let k = o.socketsPerConnection { t.socketsPerConnection = k }
        if let f = o.flatRing { t.flatRing = f }
        if let c = o.nodePairBytesPerSecond { t.nodePairBytesPerSecond = c.isFinite ? c : nil }
        return t
    }
}

/// Replaces some fabric parameters of every node built from one template.
public struct NodeFabricOverride: Sendable, Equatable {
    /// The node template's catalog name, e.g. "dgx-a100".
    public var templateName: String
    /// Replacement GPU↔switch bandwidth and α, or nil to keep the template's.
    public var intraNode: LinkParameters?
    /// Replacement NIC count, or nil to keep the template's.
    public var nicCount: Int?
    /// Replacement per-NIC bandwidth and α, or nil to keep the template's.
    public var nic: LinkParameters?
    /// Replacement per-TCP-stream rate cap, bytes per second (`.infinity`: uncapped), or nil to keep the template's.
    public var tcpStreamBytesPerSecond: Double?
    /// Replacement TCP streams per NCCL connection, or nil to keep the template's.
    public var socketsPerConnection: Int?
    /// Replacement ring layout (true: NCCL's flat ring), or nil to keep the template's.
    public var flatRing: Bool?
    /// Replacement node-pair cap (`NodeTemplate.nodePairBytesPerSecond`), bytes per second (`.infinity`: the two
    /// directions independent), or nil to keep the template's.
    public var nodePairBytesPerSecond: Double?

    /// Creates an override.
    public init(
        templateName: String, intraNode: LinkParameters? = nil, nicCount: Int? = nil, nic: LinkParameters? = nil,
        tcpStreamBytesPerSecond: Double? = nil, socketsPerConnection: Int? = nil, flatRing: Bool? = nil,
        nodePairBytesPerSecond: Double? = nil
    ) {
        self.nodePairBytesPerSecond = nodePairBytesPerSecond
        self.tcpStreamBytesPerSecond = tcpStreamBytesPerSecond
        self.socketsPerConnection = socketsPerConnection
        self.flatRing = flatRing
        self.templateName = templateName
        self.intraNode = intraNode
        self.nicCount = nicCount
        self.nic = nic
    }
}
