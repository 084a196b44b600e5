import ClusterModel

/// A GPU set's shape: what a speed model can see of it, with node and rack identities removed, so that sets
/// the cluster's symmetry maps onto each other share one cache entry in `ThroughputOracle`.
///
/// Two nodes are interchangeable when they have the same template (links, NICs, GPU count) and GPU type; two racks
/// when they hold the same multiset of node classes (a rack's uplinks are sized from its nodes' NICs). The speed
/// models build their link graph from exactly these, and a collective orders its ranks node by node in order of
/// first appearance (`AllReduceSkeleton`), so the shape lists the nodes in that order, each with its rack
/// relabelled by first appearance (which racks are shared is what loads an uplink), its rack and node classes,
/// and its GPUs' local indices in the order given (which NIC a GPU uses depends on its local index).
public enum PlacementShape {
    /// Node and rack equivalence classes of a topology, as small integers.
    public struct Classes: Sendable {
        /// Each node's class, by node index.
        public let node: [Int32]
        /// Each rack's class, by rack index.
        public let rack: [Int32]

        /// The classes of `topology`'s nodes and racks.
        /// - Complexity: O(nodes × node classes + racks × rack classes).
        public init(_ topology: Topology) {
            var representatives: [Int] = []  // first node of each class
            var node: [Int32] = []
            node.reserveCapacity(topology.nodeCount)
            for n in 0..<topology.nodeCount {
                let same = representatives.firstIndex {
                    topology.nodeTemplates[$0] == topology.nodeTemplates[n]
                        && topology.nodeTypeIndex[$0] == topology.nodeTypeIndex[n]
                        && topology.nodeGPUCount[$0] == topology.nodeGPUCount[n]
                }
                if let c = same {
                    node.append(Int32(c))
                } else {
                    node.append(Int32(representatives.count))
                    representatives.append(n)
                }
            }
            var members = Array(repeating: [Int32](), count: topology.rackCount)
            for n in 0..<topology.nodeCount { members[topology.nodeRack[n].index].append(node[n]) }
            var rackKinds: [[Int32]] = []
            var rack: [Int32] = []
            for r in 0..<topology.rackCount {
                let multiset = members[r].sorted()
                if let c = rackKinds.firstIndex(of: multiset) {
                    rack.append(Int32(c))
                } else {
                    rack.append(Int32(rackKinds.count))
                    rackKinds.append(multiset)
                }
            }
            self.node = node
            self.rack = rack
        }
    }

    /// Reusable buffers for `key(of:_:_:scratch:)`.
    public struct Scratch: Sendable {
        var nodes: [NodeID] = []
        var racks: [RackID] = []
        /// Creates empty buffers.
        public init() {}
    }

    /// The shape of `gpus`: for each node in order of first appearance, its rack's label (racks numbered by first
    /// appearance), rack class, node class and GPU count, then its GPUs' local indices in the order given.
    public static func key(of gpus: [GPUID], _ classes: Classes, _ topology: Topology, scratch: inout Scratch) -> [Int32] {
        scratch.nodes.removeAll(keepingCapacity: true)
        scratch.racks.removeAll(keepingCapacity: true)
        var contiguous = true
        for g in gpus {
            let node = topology.gpuNode[g.index]
            if scratch.nodes.last == node { continue }
            if scratch.nodes.contains(node) { contiguous = false } else { scratch.nodes.append(node) }
        }
        var key: [Int32] = []
        key.reserveCapacity(4 * scratch.nodes.count + gpus.count)
        var next = 0  // with contiguous nodes, where the current node's GPUs start in `gpus`
        for node in scratch.nodes {
            let rack = topology.nodeRack[node.index]
            let label: Int
            if let seen = scratch.racks.firstIndex(of: rack) {
                label = seen
            } else {
                label = scratch.racks.count
                scratch.racks.append(rack)
            }
            key.append(Int32(label))
            key.append(classes.rack[rack.index])
            key.append(classes.node[node.index])
            let countAt = key.count
            key.append(0)
            let first = topology.nodeFirstGPU[node.index]
            var count: Int32 = 0
            if contiguous {
                while next < gpus.count && topology.gpuNode[gpus[next].index] == node {
                    key.append(Int32(gpus[next].index) - first)
                    count += 1
                    next += 1
                }
            } else {
                for g in gpus where topology.gpuNode[g.index] == node {
                    key.append(Int32(g.index) - first)
                    count += 1
                }
            }
            key[countAt] = count
        }
        return key
    }
}
