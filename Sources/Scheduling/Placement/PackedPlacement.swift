import ClusterModel

/// Packed (consolidated): as few nodes as possible, then as few racks.
///
/// A job that fits in one node goes to the node with the fewest free GPUs that still holds it (best fit,
/// which keeps whole nodes free for large jobs). A larger job takes the fullest-free nodes of the single
/// rack that needs the fewest nodes; if no rack can hold it, the fullest-free nodes of the whole cluster.
/// Ties go to the lowest index, so the choice is deterministic.
/// - Complexity: O(N log N) for N nodes per placement.
public struct PackedPlacement: PlacementStrategy {
    public static let name = "packed"

    /// Creates the strategy.
    public init() {}

    public func choose(count: Int, types: GPUTypeMask, in cluster: ClusterState) -> [GPUID]? {
        let topo = cluster.topology
        let anyType = types.bits & GPUTypeMask.all(topo).bits == GPUTypeMask.all(topo).bits
        let freeOnNode = cluster.freeOnNode
        let nodeType = topo.nodeTypeIndex
        func free(_ node: Int) -> Int {
            anyType || types.contains(Int(nodeType[node])) ? Int(freeOnNode[node]) : 0
        }
        // One node, best fit.
        var best = -1
        var bestFree = Int.max
        var total = 0
        for node in 0..<topo.nodeCount {
            let f = free(node)
            total += f
            if f >= count && f < bestFree {
                best = node
                bestFree = f
            }
        }
        if best >= 0 { return take(count, from: [best], in: cluster) }
        guard total >= count else { return nil }

        // Several nodes: fullest-free first, inside the rack that needs the fewest nodes.
        let byFree = (0..<topo.nodeCount).filter { free($0) > 0 }.sorted { (free($0), -$0) > (free($1), -$1) }
        var bestRack: (nodes: [Int], rack: Int)?
        for rack in 0..<topo.rackCount {
            var picked: [Int] = []
            var got = 0
            for node in byFree where topo.nodeRack[node].index == rack {
                picked.append(node)
                got += free(node)
                if got >= count { break }
            }
            if got >= count, bestRack == nil || picked.count < bestRack!.nodes.count {
                bestRack = (picked, rack)
            }
        }
        if let bestRack { return take(count, from: bestRack.nodes, in: cluster) }
        var picked: [Int] = []
        var got = 0
        for node in byFree where got < count {
            picked.append(node)
            got += free(node)
        }
        return take(count, from: picked, in: cluster)
    }

    /// The lowest-numbered free GPUs of `nodes`, in the given node order, until `count` are taken.
    private func take(_ count: Int, from nodes: [Int], in cluster: ClusterState) -> [GPUID] {
        var chosen: [GPUID] = []
        chosen.reserveCapacity(count)
        for node in nodes {
            for g in cluster.topology.gpus(of: NodeID(node)) where cluster.owner[g] < 0 {
                chosen.append(GPUID(g))
                if chosen.count == count { return chosen }
            }
        }
        return chosen
    }
}
