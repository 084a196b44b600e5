import ClusterModel

/// Chooses which free GPUs a job gets. Strategies are swappable and know nothing about queue order.
public protocol PlacementStrategy: Sendable {
    /// Catalog name, used in scenarios and the results database.
    static var name: String { get }
    /// `count` free GPUs whose type is in `types`, or nil when they cannot be found.
    func choose(count: Int, types: GPUTypeMask, in cluster: ClusterState) -> [GPUID]?
}

extension PlacementStrategy {
    /// The strategy's catalog name.
    public var name: String { Self.name }
}

/// The placement strategies SchedLab ships. Adding one is a file in Placement/ plus one line here.
public enum PlacementCatalog {
    /// Every strategy, by name.
    public static let all: [(name: String, summary: String, make: @Sendable () -> any PlacementStrategy)] = [
        (FirstFitPlacement.name, "lowest-numbered free GPUs, wherever they are", { FirstFitPlacement() }),
        (PackedPlacement.name, "fewest nodes (best-fit node for small jobs), then fewest racks", { PackedPlacement() }),
        (SpreadPlacement.name, "one GPU per node across as many nodes as possible", { SpreadPlacement() }),
        (MostFreePlacement.name, "the node with the most free GPUs first, all of them, then the next (Pollux artifact's Tiresias)",
         { MostFreePlacement() }),
        (TopologyAwarePlacement.name, "one node, else one rack with equal GPUs per node, else fewest racks",
         { TopologyAwarePlacement() }),
    ]

    /// The strategy called `name`, or nil.
    public static func make(_ name: String) -> (any PlacementStrategy)? { all.first { $0.name == name }?.make() }

    /// All names, for error messages.
    public static var names: [String] { all.map(\.name) }
}
