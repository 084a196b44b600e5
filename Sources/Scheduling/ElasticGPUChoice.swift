import ClusterModel

/// Which GPUs an elastic job gains when it grows and keeps when it shrinks, chosen to keep its ring on the
/// fastest links: a node's NVLink/NVSwitch (or PCIe) island first, then its rack's ToR, then the spine.
public enum ElasticGPUChoice {
    /// `count` free GPUs of `types` to add to a job holding `held`: first on the nodes it already uses (most free
    /// first), then on other nodes of its racks, then elsewhere, each group by most free GPUs then node order; nil
    /// when fewer are free.
    public static func extra(_ count: Int, for held: [GPUID], types: GPUTypeMask, in cluster: ClusterState) -> [GPUID]? {
        guard count > 0 else { return [] }
        let topo = cluster.topology
        var usedNode = Array(repeating: false, count: topo.nodeCount)
        var usedRack = Array(repeating: false, count: topo.rackCount)
        for g in held {
            let n = topo.gpuNode[g.index].index
            usedNode[n] = true
            usedRack[topo.nodeRack[n].index] = true
        }
        func free(_ n: Int) -> Int { types.contains(Int(topo.nodeTypeIndex[n])) ? Int(cluster.freeOnNode[n]) : 0 }
        // Tier 0: its nodes; 1: its racks; 2: elsewhere. Within a tier, nodes with more free GPUs first.
        let order = (0..<topo.nodeCount).filter { free($0) > 0 }.sorted { a, b in
            func tier(_ n: Int) -> Int { usedNode[n] ? 0 : usedRack[topo.nodeRack[n].index] ? 1 : 2 }
            return (tier(a), -free(a), a) < (tier(b), -free(b), b)
        }
        var out: [GPUID] = []
        for n in order {
            for g in topo.gpus(of: NodeID(n)) where cluster.isFree(GPUID(g)) {
                out.append(GPUID(g))
                if out.count == count { return out }
            }
        }
        return nil
    }

    /// The `count` GPUs of `held` to keep when shrinking: those on the nodes holding most of them (ties to the lower
    /// node), so the ring that remains crosses as few nodes as possible; in `held`'s order.
    public static func keep(_ count: Int, of held: [GPUID], topology topo: Topology) -> [GPUID] {
        guard count < held.count else { return held }
        var perNode: [Int: Int] = [:]
        for g in held { perNode[topo.gpuNode[g.index].index, default: 0] += 1 }
        let ranked = held.sorted { a, b in
            let na = topo.gpuNode[a.index].index, nb = topo.gpuNode[b.index].index
            return (-perNode[na]!, na, a.raw) < (-perNode[nb]!, nb, b.raw)
        }
        let kept = Set(ranked.prefix(count))
        return held.filter { kept.contains($0) }
    }
}
