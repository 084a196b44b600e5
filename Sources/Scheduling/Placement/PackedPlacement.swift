import ClusterModel

/// Packed (consolidated): as few nodes as possible, then as few racks.
///
/// A job that fits in one node goes to the node with the fewest free GPUs that still holds it (best fit,
/// which keeps whole nodes free for large jobs). A larger job takes the fullest-free nodes of the single
/// rack that needs the fewest nodes; if no rack can hold it, the fullest-free nodes of the whole cluster.
/// Ties go to the lowest index, so the choice is deterministic.
/// - Complexity: with any GPU type allowed, O(GPUs per node × N / 64) for a one-node fit and O(N) for a multi-node
///   one, for N nodes (`ClusterState.freeIndex`); restricted to some types, O(N log N).
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
        // One node, best fit. Any type allowed (every placement on a one-type cluster): the cluster's index of nodes by
        // free count answers it (a scan of every node's count at every placement was a visible share of preemptive
        // runs, which place a job at every restart); `total` is then only needed when no node fits. Otherwise the
        // scan reads the free counts through a buffer pointer (checked reads through `free` cost twice as much).
        var best = -1
        var total = 0
        if anyType {
            if let node = cluster.freeIndex.bestFit(count) { return take(count, from: [node], in: cluster) }
            // Every GPU type allowed: the free GPUs of the whole cluster, which `ClusterState` keeps per type in step
            // with the nodes' counts (a sum over the free-count index read every word of it at every such placement).
            for t in cluster.freeOfType { total += Int(t) }
            assert(total == cluster.freeIndex.totalFree, "free GPUs per type and per node disagree")
            guard total >= count else { return nil }
            return takeAcrossNodes(count, in: cluster)
        } else {
            var bestFree = Int.max
            freeOnNode.withUnsafeBufferPointer { freeOnNode in
                nodeType.withUnsafeBufferPointer { nodeType in
                    for node in 0..<freeOnNode.count {
                        let f = types.contains(Int(nodeType[node])) ? Int(freeOnNode[node]) : 0
                        total += f
                        if f >= count && f < bestFree {
                            best = node
                            bestFree = f
                            // An exact fit is the best fit, and the first one found is the lowest-indexed: nothing
                            // later can win, so the rest of the scan is skipped. `total` is only needed when no node fits.
                            if f == count { break }
                        }
                    }
                }
            }
        }
        if best >= 0 { return take(count, from: [best], in: cluster) }
        guard total >= count else { return nil }

        // Several nodes: fullest-free first (ties by lowest index), inside the rack that needs the fewest nodes (any
        // type allowed: `takeAcrossNodes`). The eligible nodes' counts are read once and sorted.
        var freeCount = [Int](repeating: 0, count: topo.nodeCount)
        var byFree: [Int] = []
        byFree.reserveCapacity(topo.nodeCount)
        for node in 0..<topo.nodeCount {
            let f = free(node)
            freeCount[node] = f
            if f > 0 { byFree.append(node) }
        }
        byFree.sort { (freeCount[$0], -$0) > (freeCount[$1], -$1) }
        func freeOf(_ node: Int) -> Int { freeCount[node] }
        // Each rack's pick is the prefix of `byFree` within that rack that reaches `count`: one pass over `byFree`
        // counts every rack's at once (a pass per rack was O(racks × nodes), most of a placement on 64 racks), and the
        // winner's nodes are listed afterwards (a list per rack was an allocation per rack at every placement).
        var rackPicked = [Int](repeating: 0, count: topo.rackCount)
        var rackGot = [Int](repeating: 0, count: topo.rackCount)
        for node in byFree {
            let rack = topo.nodeRack[node].index
            guard rackGot[rack] < count else { continue }
            rackPicked[rack] += 1
            rackGot[rack] += freeOf(node)
        }
        var bestRack = -1
        for rack in 0..<topo.rackCount where rackGot[rack] >= count {
            if bestRack < 0 || rackPicked[rack] < rackPicked[bestRack] { bestRack = rack }
        }
        if bestRack >= 0 {
            var nodes: [Int] = []
            nodes.reserveCapacity(rackPicked[bestRack])
            for node in byFree where nodes.count < rackPicked[bestRack] && topo.nodeRack[node].index == bestRack {
                nodes.append(node)
            }
            return take(count, from: nodes, in: cluster)
        }
        var picked: [Int] = []
        var got = 0
        for node in byFree where got < count {
            picked.append(node)
            got += freeOf(node)
        }
        return take(count, from: picked, in: cluster)
    }

    /// `choose`'s several-node placement with every GPU type allowed: the same picks as the sorted list, read from the
    /// cluster's free-count index, which lists the nodes fullest-free first, ties by lowest index (most preemptive
    /// restarts of jobs larger than the free room on any one node come here). One pass counts every rack's pick, a
    /// second lists the winner's nodes (or the whole cluster's prefix): no list of nodes and no per-rack arrays are
    /// allocated (they were most of such a placement's cost).
    private func takeAcrossNodes(_ count: Int, in cluster: ClusterState) -> [GPUID] {
        let topo = cluster.topology
        let racks = topo.rackCount
        let index = cluster.freeIndex
        let nodes: [Int] = withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * racks) { counters in
            counters.initialize(repeating: 0)
            // counters[rack]: nodes picked in the rack; counters[racks + rack]: free GPUs they hold.
            index.forEachNodeByMostFree { node, free in
                let rack = topo.nodeRack[node].index
                guard counters[racks + rack] < count else { return }
                counters[rack] += 1
                counters[racks + rack] += free
            }
            var bestRack = -1
            for rack in 0..<racks where counters[racks + rack] >= count {
                if bestRack < 0 || counters[rack] < counters[bestRack] { bestRack = rack }
            }
            var nodes: [Int] = []
            if bestRack >= 0 {
                let want = counters[bestRack]
                nodes.reserveCapacity(want)
                index.forEachNodeByMostFree { node, _ in
                    if nodes.count < want && topo.nodeRack[node].index == bestRack { nodes.append(node) }
                }
            } else {
                var got = 0
                index.forEachNodeByMostFree { node, free in
                    if got < count {
                        nodes.append(node)
                        got += free
                    }
                }
            }
            return nodes
        }
        return take(count, from: nodes, in: cluster)
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
