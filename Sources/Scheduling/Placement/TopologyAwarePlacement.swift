import ClusterModel

/// Topology-aware: an NVLink/NVSwitch island (one node) first, then one ToR (one rack), then the fewest spine
/// crossings (fewest racks), and equal GPUs per node where possible so the all-reduce can be hierarchical.
///
/// 1. The job fits in one node: the node with the fewest free GPUs that holds it (best fit).
/// 2. It fits in one rack: among racks that can hold it with whole-node chunks of equal size g (g = GPUs per
///    node, then smaller divisors of the job), the rack using the fewest nodes, ties to the rack with the fewest
///    free GPUs (keeping emptier racks for larger jobs); without equal chunks, the fullest-free nodes of the
///    fitting rack with the fewest free GPUs.
/// 3. Otherwise: racks by most free GPUs until the job fits (fewest racks crossing the spine), fullest-free
///    nodes first inside each.
/// Ties go to the lowest index. - Complexity: O(N log N) for N nodes.
public struct TopologyAwarePlacement: PlacementStrategy {
    public static let name = "topology-aware"

    /// Creates the strategy.
    public init() {}

    public func choose(count: Int, types: GPUTypeMask, in cluster: ClusterState) -> [GPUID]? {
        let topo = cluster.topology
        func free(_ node: Int) -> Int {
            types.contains(Int(topo.nodeTypeIndex[node])) ? Int(cluster.freeOnNode[node]) : 0
        }
        var total = 0
        var best = -1
        for node in 0..<topo.nodeCount {
            let f = free(node)
            total += f
            if f >= count && (best < 0 || f < free(best)) { best = node }
        }
        guard total >= count else { return nil }
        if best >= 0 { return take(count, from: [(best, count)], in: cluster) }

        // Nodes of each rack, fullest-free first.
        var rackNodes = Array(repeating: [Int](), count: topo.rackCount)
        for node in 0..<topo.nodeCount where free(node) > 0 { rackNodes[topo.nodeRack[node].index].append(node) }
        for r in rackNodes.indices { rackNodes[r].sort { (free($0), -$0) > (free($1), -$1) } }
        let rackFree = rackNodes.map { $0.reduce(0) { $0 + free($1) } }

        // 2. One rack, equal chunks preferred.
        let maxPerNode = topo.nodeGPUCount.map(Int.init).max() ?? 1
        var bestPlan: (plan: [(Int, Int)], nodes: Int, rackFree: Int)?
        for r in rackNodes.indices where rackFree[r] >= count {
            var plan: [(Int, Int)]?
            for g in stride(from: min(maxPerNode, count), through: 1, by: -1) where count % g == 0 {
                let hosts = rackNodes[r].filter { free($0) >= g }
                if hosts.count >= count / g {
                    plan = hosts.prefix(count / g).map { ($0, g) }
                    break
                }
            }
            if plan == nil { plan = greedy(count, rackNodes[r], free) }
            let candidate = (plan: plan!, nodes: plan!.count, rackFree: rackFree[r])
            if bestPlan == nil || (candidate.nodes, candidate.rackFree) < (bestPlan!.nodes, bestPlan!.rackFree) {
                bestPlan = candidate
            }
        }
        if let bestPlan { return take(count, from: bestPlan.plan, in: cluster) }

        // 3. Fewest racks: the racks with the most free GPUs first.
        let racks = rackNodes.indices.sorted { (rackFree[$0], -$0) > (rackFree[$1], -$1) }
        return take(count, from: greedy(count, racks.flatMap { rackNodes[$0] }, free), in: cluster)
    }

    /// Whole free capacity of `nodes` in order until `count` GPUs are planned.
    private func greedy(_ count: Int, _ nodes: [Int], _ free: (Int) -> Int) -> [(Int, Int)] {
        var plan: [(Int, Int)] = []
        var left = count
        for node in nodes where left > 0 {
            let k = min(left, free(node))
            plan.append((node, k))
            left -= k
        }
        return plan
    }

    /// The lowest-numbered free GPUs of each planned (node, GPUs) pair, in plan order.
    private func take(_ count: Int, from plan: [(Int, Int)], in cluster: ClusterState) -> [GPUID] {
        var chosen: [GPUID] = []
        chosen.reserveCapacity(count)
        for (node, k) in plan {
            var taken = 0
            for g in cluster.topology.gpus(of: NodeID(node)) where cluster.owner[g] < 0 && taken < k {
                chosen.append(GPUID(g))
                taken += 1
            }
        }
        return chosen
    }
}
