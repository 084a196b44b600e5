import ClusterModel

/// First fit: the lowest-numbered free GPUs of an allowed type, wherever they are.
///
/// The placement of a topology-blind batch scheduler; cheap and fragmenting.
/// - Complexity: O(GPUs) per placement.
public struct FirstFitPlacement: PlacementStrategy {
    public static let name = "first-fit"

    /// Creates the strategy.
    public init() {}

    public func choose(count: Int, types: GPUTypeMask, in cluster: ClusterState) -> [GPUID]? {
        let topo = cluster.topology
        var chosen: [GPUID] = []
        chosen.reserveCapacity(count)
        for node in 0..<topo.nodeCount where cluster.freeOnNode[node] > 0 {
            let nodeID = NodeID(node)
            guard types.contains(topo.typeIndex(of: nodeID)) else { continue }
            for g in topo.gpus(of: nodeID) where cluster.owner[g] < 0 {
                chosen.append(GPUID(g))
                if chosen.count == count { return chosen }
            }
        }
        return nil
    }
}
