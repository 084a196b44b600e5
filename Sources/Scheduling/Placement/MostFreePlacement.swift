import ClusterModel

/// Most free first (worst fit by node): all the free GPUs of the node with the most free GPUs, then of the next, until
/// the job has its count; ties to the lowest node index.
///
/// This is how the Pollux artifact's Tiresias places a job it starts (petuum/adaptdl, branch `osdi21-artifact`,
/// `simulator/tiresias.py`, "Allocate resources": repeatedly `free_gpus.most_common(1)`, taking
/// `min(count, still needed)` GPUs of that node; `Counter.most_common` orders ties by insertion, which is node
/// order). A small job lands on the emptiest node, which fragments the cluster, and a large job takes whatever nodes
/// have the most free GPUs, however many that is: unlike `packed` it never looks for the fewest nodes, and unlike
/// `spread` it takes a node's free GPUs whole. Ring order is the order the nodes were taken in.
/// - Complexity: O(N log N + k) for N nodes and k GPUs.
public struct MostFreePlacement: PlacementStrategy {
    public static let name = "most-free"

    /// Creates the strategy.
    public init() {}

    public func choose(count: Int, types: GPUTypeMask, in cluster: ClusterState) -> [GPUID]? {
        let topo = cluster.topology
        // Taking a node's GPUs either takes all of them (it drops to zero free) or finishes the job, so repeatedly
        // taking the node with the most free GPUs is one pass over the nodes sorted by free GPUs, descending.
        guard let nodes = cluster.nodesByMostFree(atLeast: count, types: types) else { return nil }
        var chosen: [GPUID] = []
        chosen.reserveCapacity(count)
        for node in nodes {
            for g in topo.gpus(of: NodeID(node)) where cluster.owner[g] < 0 {
                chosen.append(GPUID(g))
                if chosen.count == count { return chosen }
            }
        }
        return chosen
    }
}
