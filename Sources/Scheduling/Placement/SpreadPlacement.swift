import ClusterModel

/// Spread: one GPU per node, round-robin over the nodes with the most free GPUs, as many nodes as possible.
///
/// The opposite of packing, kept as a baseline: it balances load per node but puts every ring hop on the
/// network, which is what topology-aware placement avoids (Gavel's "unconsolidated" placements).
/// - Complexity: O(N log N + k) for N nodes and k GPUs.
public struct SpreadPlacement: PlacementStrategy {
    public static let name = "spread"

    /// Creates the strategy.
    public init() {}

    public func choose(count: Int, types: GPUTypeMask, in cluster: ClusterState) -> [GPUID]? {
        let topo = cluster.topology
        guard let nodes = cluster.nodesByMostFree(atLeast: count, types: types) else { return nil }
        // Free GPUs of each candidate node, lowest index first; take one from each node per pass.
        var free: [[Int]] = nodes.map { n in topo.gpus(of: NodeID(n)).filter { cluster.owner[$0] < 0 } }
        var chosen: [GPUID] = []
        var pass = 0
        while chosen.count < count {
            for k in free.indices where pass < free[k].count && chosen.count < count {
                chosen.append(GPUID(free[k][pass]))
            }
            pass += 1
        }
        free.removeAll()
        // Ring order: grouped by node, nodes in the order chosen.
        return chosen.sorted { (topo.gpuNode[$0.index], $0) < (topo.gpuNode[$1.index], $1) }
    }
}
