import ClusterModel

extension ClusterState {
    /// The nodes of an allowed type with a free GPU, most free GPUs first, ties to the lowest index; nil when their
    /// free GPUs together are fewer than `count`.
    ///
    /// The node order that both `spread` (one GPU per node per pass) and `most-free` (whole nodes) walk.
    /// - Complexity: O(N log N) for N nodes.
    func nodesByMostFree(atLeast count: Int, types: GPUTypeMask) -> [Int]? {
        let nodes = (0..<topology.nodeCount)
            .filter { freeOnNode[$0] > 0 && types.contains(Int(topology.nodeTypeIndex[$0])) }
            .sorted { (freeOnNode[$0], -$0) > (freeOnNode[$1], -$1) }
        guard nodes.reduce(0, { $0 + Int(freeOnNode[$1]) }) >= count else { return nil }
        return nodes
    }
}
