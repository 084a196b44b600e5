import ClusterModel

/// Ready-made node templates and topologies for tests.
public enum ClusterFixtures {
    /// The catalog's DGX A100 template (8× a100-80 on NVSwitch, 8 NICs of 24 GB/s).
    public static var dgxA100Template: NodeTemplate { NodeTemplateCatalog.named("dgx-a100")! }

    /// `nodes` DGX A100 nodes spread round-robin-free over `racks` racks: the first rack gets the first
    /// ceil(nodes/racks) nodes, and so on. Racks are named "r0", "r1", ...
    public static func dgxA100(nodes: Int, racks: Int = 1) -> Topology {
        precondition(nodes >= 1 && racks >= 1 && racks <= nodes)
        let perRack = (nodes + racks - 1) / racks
        var layout: [[NodeTemplate]] = []
        var left = nodes
        for _ in 0..<racks {
            let k = min(perRack, left)
            layout.append(Array(repeating: dgxA100Template, count: k))
            left -= k
        }
        return topology(nodesPerRack: layout)
    }

    /// A small custom node for micro scenarios: `gpus` GPUs of catalog type `gpuType` (default t4) on PCIe,
    /// intra-node 10 GB/s / 5 µs, one NIC of 10 GB/s / 10 µs.
    public static func micro(gpus: Int = 4, gpuType: String = "t4", name: String? = nil) -> NodeTemplate {
        NodeTemplate(
            name: name ?? "micro-\(gpus)-\(gpuType)", summary: "test node", gpuType: GPUCatalog.named(gpuType)!,
            gpuCount: gpus, intraNodeClass: .pcie,
            intraNode: LinkParameters(bandwidthBytesPerSecond: 10e9, latencySeconds: 5e-6),
            nicCount: 1, nic: LinkParameters(bandwidthBytesPerSecond: 10e9, latencySeconds: 10e-6),
            source: "SimTestSupport")
    }

    /// The 4-GPU micro node.
    public static var micro4: NodeTemplate { micro(gpus: 4) }

    /// A topology from racks given as lists of node templates; racks are named "r0", "r1", ...
    public static func topology(nodesPerRack: [[NodeTemplate]]) -> Topology {
        Topology(racks: nodesPerRack.enumerated().map { (name: "r\($0.offset)", nodes: $0.element) })
    }

    /// `racks` racks of `nodesPerRack` micro nodes of `gpusPerNode` GPUs each.
    public static func microCluster(racks: Int = 1, nodesPerRack: Int, gpusPerNode: Int = 4) -> Topology {
        topology(nodesPerRack: Array(repeating: Array(repeating: micro(gpus: gpusPerNode), count: nodesPerRack), count: racks))
    }
}
