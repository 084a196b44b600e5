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
    /// restarts of jobs larger than the free room on any one node come here). One pass counts every rack's pick and
    /// stops once no rack can beat the best one found: nodes come in non-increasing free count, so a rack still short
    /// of `count` by m GPUs after p picks ends with at least p + ⌈m / f⌉ picks when the node just read had f free; once
    /// that exceeds the best complete rack's picks for every rack still short, the best cannot change (complete racks
    /// stop picking; a tie would go to the lower rack, hence "exceeds"). The nodes read are kept, so the winner's (or,
    /// when no rack holds the job, the whole cluster's prefix) are listed without a second pass. Nothing is allocated on
    /// the heap but the result (a node list and two per-rack arrays were most of such a placement's cost).
    private func takeAcrossNodes(_ count: Int, in cluster: ClusterState) -> [GPUID] {
        let topo = cluster.topology
        let racks = topo.rackCount
        let nodeRack = topo.nodeRack
        let nodes: [Int] = withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * racks + topo.nodeCount) { buf in
            buf.initialize(repeating: 0)
            // buf[rack]: nodes picked in the rack; buf[racks + rack]: free GPUs they hold; from 2 × racks: nodes read.
            let seenAt = 2 * racks
            var seen = 0
            var bestRack = -1
            cluster.freeIndex.visitNodesByMostFree { node, free in
                buf[seenAt + seen] = node
                seen += 1
                let rack = nodeRack[node].index
                if buf[racks + rack] < count {
                    buf[rack] += 1
                    buf[racks + rack] += free
                    // The fewest picks among complete racks, ties to the lowest rack.
                    if buf[racks + rack] >= count
                        && (bestRack < 0 || buf[rack] < buf[bestRack] || (buf[rack] == buf[bestRack] && rack < bestRack)) {
                        bestRack = rack
                    }
                }
                guard bestRack >= 0 else { return true }
                for r in 0..<racks where buf[racks + r] < count {
                    if buf[r] + (count - buf[racks + r] + free - 1) / free <= buf[bestRack] { return true }
                }
                return false
            }
            var nodes: [Int] = []
            if bestRack >= 0 {
                let want = buf[bestRack]
                nodes.reserveCapacity(want)
                for k in 0..<seen where nodes.count < want && nodeRack[buf[seenAt + k]].index == bestRack {
                    nodes.append(buf[seenAt + k])
                }
            } else {
                // No rack holds the job: every node was read; the fullest-free ones of the whole cluster.
                var got = 0
                for k in 0..<seen where got < count {
                    nodes.append(buf[seenAt + k])
                    got += Int(cluster.freeOnNode[buf[seenAt + k]])
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
