/// The static shape of a cluster: racks, nodes, GPUs and their types, as flat arrays indexed by ID.
///
/// Built once from a `ClusterSpec`; never changes during a run. GPUs of a node are numbered contiguously,
/// so "the GPUs of node n" is the range `firstGPU[n] ..< firstGPU[n] + gpuCount[n]`.
///
/// An immutable final class rather than a struct: every `ClusterState`, snapshot and planner refers to the one
/// topology of the run, and a class makes that one reference instead of eight array references to retain and
/// release each time a snapshot is handed to a policy (measured: about 10% of a FIFO round).
public final class Topology: Sendable {
    /// Rack names, by `RackID`.
    public let rackNames: [String]
    /// The template of each node (with its fitted GPU type).
    public let nodeTemplates: [NodeTemplate]
    /// The rack of each node.
    public let nodeRack: [RackID]
    /// Index of each node's first GPU.
    public let nodeFirstGPU: [Int32]
    /// GPUs per node.
    public let nodeGPUCount: [Int32]
    /// The node of each GPU.
    public let gpuNode: [NodeID]
    /// The GPU-type index (into `gpuTypes`) of each GPU.
    public let gpuTypeIndex: [Int32]
    /// The distinct GPU types present, in order of first appearance.
    public let gpuTypes: [GPUType]
    /// The GPU-type index of each node's GPUs (all GPUs of a node share one type).
    public let nodeTypeIndex: [Int32]
    /// Number of GPUs of each type, by type index (policies ask for it per job per round).
    private let countOfType: [Int]

    /// Builds a topology from racks of node templates.
    public init(racks: [(name: String, nodes: [NodeTemplate])]) {
        var rackNames: [String] = []
        var templates: [NodeTemplate] = []
        var nodeRack: [RackID] = []
        var firstGPU: [Int32] = []
        var gpuCount: [Int32] = []
        var gpuNode: [NodeID] = []
        var gpuType: [Int32] = []
        var types: [GPUType] = []
        for (r, rack) in racks.enumerated() {
            rackNames.append(rack.name)
            for t in rack.nodes {
                let node = NodeID(templates.count)
                templates.append(t)
                nodeRack.append(RackID(r))
                firstGPU.append(Int32(gpuNode.count))
                gpuCount.append(Int32(t.gpuCount))
                var ti = types.firstIndex(of: t.gpuType)
                if ti == nil {
                    types.append(t.gpuType)
                    ti = types.count - 1
                }
                for _ in 0..<t.gpuCount {
                    gpuNode.append(node)
                    gpuType.append(Int32(ti!))
                }
            }
        }
        self.rackNames = rackNames
        self.nodeTemplates = templates
        self.nodeRack = nodeRack
        self.nodeFirstGPU = firstGPU
        self.nodeGPUCount = gpuCount
        self.gpuNode = gpuNode
        self.gpuTypeIndex = gpuType
        self.gpuTypes = types
        self.nodeTypeIndex = firstGPU.map { gpuType[Int($0)] }
        var counts = Array(repeating: 0, count: types.count)
        for t in gpuType { counts[Int(t)] += 1 }
        self.countOfType = counts
    }

    /// Number of GPUs in the cluster.
    @inlinable public var gpuCount: Int { gpuNode.count }
    /// Number of nodes.
    @inlinable public var nodeCount: Int { nodeTemplates.count }
    /// Number of racks.
    @inlinable public var rackCount: Int { rackNames.count }

    /// The GPUs of `node`, in index order.
    @inlinable public func gpus(of node: NodeID) -> Range<Int> {
        let first = Int(nodeFirstGPU[node.index])
        return first..<(first + Int(nodeGPUCount[node.index]))
    }

    /// The index into `gpuTypes` of the type called `name`, or nil when the cluster has no such GPU.
    public func typeIndex(named name: String) -> Int? { gpuTypes.firstIndex { $0.name == name } }

    /// The GPU-type index of every GPU on `node` (all GPUs of a node share one type).
    @inlinable public func typeIndex(of node: NodeID) -> Int { Int(nodeTypeIndex[node.index]) }

    /// Number of GPUs of type index `t` in the whole cluster.
    /// - Complexity: O(1).
    public func gpuCount(ofType t: Int) -> Int { t >= 0 && t < countOfType.count ? countOfType[t] : 0 }
}
