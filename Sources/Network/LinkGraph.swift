import ClusterModel

// MARK: - The link graph

/// The cluster's fabric as directed links in flat arrays indexed by `LinkID`, with routing between GPUs.
///
/// Built once from a `Topology` and a `FabricSpec`:
/// - per GPU, an up link (`gpuToSwitch`) and a down link (`switchToGPU`) to its node's NVSwitch or PCIe switch,
///   at the template's `intraNode` bandwidth and α. With an NVSwitch every GPU pair in a node is equal; a
///   DGX-1-style hybrid cube-mesh (pairs with different NVLink counts) is not modeled (left out on purpose:
///   no shipped template needs it; it would add per-pair links and a routing table for that node class);
/// - per node, `nicCount` NICs, each with an up (`nicUp`) and a down (`nicDown`) link to the rack's ToR at the
///   template's `nic` bandwidth and α. Local GPU i of a node with g GPUs uses NIC ⌊i·nicCount/g⌋ (GPU–NIC
///   affinity: the NIC behind the same PCIe switch, as on DGX where GPU i pairs with NIC i);
/// - per rack, an uplink (`torUp`) and a downlink (`torDown`) to the spine, each of capacity
///   Σ(NIC bandwidth of the rack's nodes) / `FabricSpec.oversubscription`.
///
/// Link IDs are laid out as: GPU g → 2g (up), 2g+1 (down); then NIC k → 2G+2k (up), 2G+2k+1 (down); then
/// rack r → 2G+2K+2r (up), +1 (down), with G GPUs and K NICs in the cluster.
///
/// The graph deliberately has no GPU→NIC PCIe hop: the template NIC figures are already per-NIC achievable
/// GPUDirect rates, and a GPU's host link only binds when one GPU has a NIC to itself faster than its PCIe
/// link (none of the shipped templates).
public struct LinkGraph: Sendable {
    /// The topology the graph was built from (immutable, shared).
    public let topology: Topology
    /// The fabric parameters the graph was built with.
    public let spec: FabricSpec
    /// Every link, by `LinkID`.
    public let links: [Link]
    /// Every link's capacity (bandwidth × efficiency), by `LinkID`: what the max-min solver shares.
    public let capacities: [Double]
    /// Each GPU's up link to its switch, by GPU index.
    public let gpuUpLink: [LinkID]
    /// Each GPU's down link from its switch, by GPU index.
    public let gpuDownLink: [LinkID]
    /// Each GPU's NIC (global NIC index), by GPU index.
    public let gpuNIC: [Int32]
    /// The node of each NIC, by global NIC index.
    public let nicNode: [NodeID]
    /// Index of each node's first NIC.
    public let nodeFirstNIC: [Int32]
    /// Each NIC's up link to the ToR, by global NIC index.
    public let nicUpLink: [LinkID]
    /// Each NIC's down link from the ToR, by global NIC index.
    public let nicDownLink: [LinkID]
    /// Each rack's uplink to the spine, by rack index.
    public let rackUpLink: [LinkID]
    /// Each rack's downlink from the spine, by rack index.
    public let rackDownLink: [LinkID]
    /// Each node's inter-node connection cap (`NodeTemplate.connectionCapBytesPerSecond`), by node index.
    public let nodeConnectionCap: [Double]
    /// Whether each node's template runs NCCL's flat ring (`NodeTemplate.flatRing`), by node index.
    public let nodeFlatRing: [Bool]
    /// Each node's node-pair cap (`NodeTemplate.nodePairBytesPerSecond`; `.infinity`: none), by node index.
    public let nodePairCap: [Double]
    /// Whether any node has a finite node-pair cap (else `connectionCaps(sources:destinations:)` skips the pair count).
    public let hasNodePairCaps: Bool

    /// Builds the link graph of `topology` under `spec`.
    /// - Complexity: O(GPUs + NICs + racks).
    public init(topology: Topology, spec: FabricSpec = FabricSpec()) {
        precondition(spec.oversubscription > 0, "oversubscription must be positive")
        let gpuCount = topology.gpuCount
        let templates = topology.nodeTemplates.map { spec.effective($0) }
        var nodeFirstNIC: [Int32] = []
        var nicNode: [NodeID] = []
        for (n, t) in templates.enumerated() {
            precondition(t.nicCount >= 1, "node template \(t.name) needs at least one NIC")
            nodeFirstNIC.append(Int32(nicNode.count))
            nicNode.append(contentsOf: repeatElement(NodeID(n), count: t.nicCount))
        }
        let nicCount = nicNode.count
        var links: [Link] = []
        links.reserveCapacity(2 * (gpuCount + nicCount + topology.rackCount))
        var gpuUp: [LinkID] = []
        var gpuDown: [LinkID] = []
        var gpuNIC: [Int32] = []
        for g in 0..<gpuCount {
            let node = topology.gpuNode[g]
            let t = templates[node.index]
            let local = g - Int(topology.nodeFirstGPU[node.index])
            let perNode = Int(topology.nodeGPUCount[node.index])
            gpuNIC.append(nodeFirstNIC[node.index] + Int32(local * t.nicCount / perNode))
            for kind in [LinkKind.gpuToSwitch, .switchToGPU] {
                let id = LinkID(links.count)
                links.append(Link(
                    id: id, kind: kind, owner: Int32(g), bandwidth: t.intraNode.bandwidthBytesPerSecond,
                    latency: t.intraNode.latencySeconds, efficiency: spec.intraNodeEfficiency))
                if kind == .gpuToSwitch { gpuUp.append(id) } else { gpuDown.append(id) }
            }
        }
        var nicUp: [LinkID] = []
        var nicDown: [LinkID] = []
        var rackNICBandwidth = [Double](repeating: 0, count: topology.rackCount)
        for k in 0..<nicCount {
            let node = nicNode[k]
            let t = templates[node.index]
            rackNICBandwidth[topology.nodeRack[node.index].index] += t.nic.bandwidthBytesPerSecond
            for kind in [LinkKind.nicUp, .nicDown] {
                let id = LinkID(links.count)
                links.append(Link(
                    id: id, kind: kind, owner: Int32(k), bandwidth: t.nic.bandwidthBytesPerSecond,
                    latency: t.nic.latencySeconds, efficiency: spec.nicEfficiency))
                if kind == .nicUp { nicUp.append(id) } else { nicDown.append(id) }
            }
        }
        var rackUp: [LinkID] = []
        var rackDown: [LinkID] = []
        for r in 0..<topology.rackCount {
            for kind in [LinkKind.torUp, .torDown] {
                let id = LinkID(links.count)
                links.append(Link(
                    id: id, kind: kind, owner: Int32(r), bandwidth: rackNICBandwidth[r] / spec.oversubscription,
                    latency: spec.spineLatencySeconds, efficiency: spec.spineEfficiency))
                if kind == .torUp { rackUp.append(id) } else { rackDown.append(id) }
            }
        }
        self.topology = topology
        self.spec = spec
        self.links = links
        self.capacities = links.map(\.capacity)
        self.gpuUpLink = gpuUp
        self.gpuDownLink = gpuDown
        self.gpuNIC = gpuNIC
        self.nicNode = nicNode
        self.nodeFirstNIC = nodeFirstNIC
        self.nicUpLink = nicUp
        self.nicDownLink = nicDown
        self.rackUpLink = rackUp
        self.rackDownLink = rackDown
        self.nodeConnectionCap = templates.map(\.connectionCapBytesPerSecond)
        self.nodeFlatRing = templates.map(\.flatRing)
        self.nodePairCap = templates.map { $0.nodePairBytesPerSecond ?? .infinity }
        self.hasNodePairCaps = self.nodePairCap.contains { $0.isFinite }
    }

    /// Number of links.
    @inlinable public var linkCount: Int { links.count }
    /// Number of NICs in the cluster.
    @inlinable public var nicCount: Int { nicNode.count }

    /// The link with ID `id`.
    @inlinable public subscript(id: LinkID) -> Link { links[id.index] }

    // MARK: - Routing

    /// The links a transfer from GPU `a` to GPU `b` crosses, in order.
    ///
    /// Same node: [a's up, b's down]. Same rack: [a's NIC up, b's NIC down]. Different racks: [a's NIC up,
    /// a's rack uplink, b's rack downlink, b's NIC down]. Empty when `a == b`.
    /// - Complexity: O(1).
    public func path(fromGPU a: GPUID, toGPU b: GPUID) -> [LinkID] {
        if a == b { return [] }
        let na = topology.gpuNode[a.index]
        let nb = topology.gpuNode[b.index]
        if na == nb { return [gpuUpLink[a.index], gpuDownLink[b.index]] }
        let up = nicUpLink[Int(gpuNIC[a.index])]
        let down = nicDownLink[Int(gpuNIC[b.index])]
        let ra = topology.nodeRack[na.index]
        let rb = topology.nodeRack[nb.index]
        if ra == rb { return [up, down] }
        return [up, rackUpLink[ra.index], rackDownLink[rb.index], down]
    }

    /// Appends the links of `path(fromGPU:toGPU:)` to `links`, without building an array for them.
    public func appendPath(fromGPU a: GPUID, toGPU b: GPUID, to links: inout [LinkID]) {
        if a == b { return }
        let na = topology.gpuNode[a.index]
        let nb = topology.gpuNode[b.index]
        if na == nb {
            links.append(gpuUpLink[a.index])
            links.append(gpuDownLink[b.index])
            return
        }
        links.append(nicUpLink[Int(gpuNIC[a.index])])
        let ra = topology.nodeRack[na.index]
        let rb = topology.nodeRack[nb.index]
        if ra != rb {
            links.append(rackUpLink[ra.index])
            links.append(rackDownLink[rb.index])
        }
        links.append(nicDownLink[Int(gpuNIC[b.index])])
    }

    /// Per-step latency α of a path: the largest latency of its GPU and NIC links plus the latency of each
    /// ToR↔spine hop it crosses.
    ///
    /// The template α is an end-to-end per-step figure (fitted from an nccl-tests size sweep), not a per-hop
    /// one, so the up and down halves of one hop are not added; spine hops (default 0 s) add on top.
    /// - Complexity: O(path length).
    public func stepLatency<Path: Collection<LinkID>>(of path: Path) -> Double {
        var endpoint = 0.0
        var spine = 0.0
        for l in path {
            let link = links[l.index]
            if link.kind.isSpine { spine += link.latency } else { endpoint = max(endpoint, link.latency) }
        }
        return endpoint + spine
    }

    /// The rate cap of one collective connection from GPU `a` to GPU `b`: `.infinity` inside a node, else the lower
    /// of the two nodes' connection caps (a TCP stream is limited at both ends; `NodeTemplate.connectionCapBytesPerSecond`).
    /// - Complexity: O(1).
    @inlinable public func connectionCap(fromGPU a: GPUID, toGPU b: GPUID) -> Double {
        let na = topology.gpuNode[a.index].index
        let nb = topology.gpuNode[b.index].index
        if na == nb { return .infinity }
        return min(nodeConnectionCap[na], nodeConnectionCap[nb])
    }

    /// The global index of GPU `g`'s NIC.
    @inlinable public func nic(of g: GPUID) -> Int { Int(gpuNIC[g.index]) }

    /// A readable name for link `id`, e.g. "gpu3.up", "nic5.down", "rack1.up".
    public func name(of id: LinkID) -> String {
        let l = links[id.index]
        switch l.kind {
        case .gpuToSwitch: return "gpu\(l.owner).up"
        case .switchToGPU: return "gpu\(l.owner).down"
        case .nicUp: return "nic\(l.owner).up"
        case .nicDown: return "nic\(l.owner).down"
        case .torUp: return "\(topology.rackNames[Int(l.owner)]).up"
        case .torDown: return "\(topology.rackNames[Int(l.owner)]).down"
        }
    }
}
