/// Dense, typed indices for the entities of a simulation.
///
/// Entities live in arrays indexed by these IDs (struct-of-arrays), never in dictionaries, so iteration
/// order is always index order and lookups cost one array access.

/// A GPU, numbered 0..<totalGPUs across the whole cluster, node by node.
public struct GPUID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The index.
    public var raw: Int32
    /// Creates an ID from an index.
    @inlinable public init(_ raw: Int) { self.raw = Int32(raw) }
    /// The index as `Int`.
    @inlinable public var index: Int { Int(raw) }
    @inlinable public static func < (a: GPUID, b: GPUID) -> Bool { a.raw < b.raw }
    public var description: String { "gpu\(raw)" }
}

/// A node (server), numbered 0..<nodeCount in the order the cluster file lists them.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The index.
    public var raw: Int32
    /// Creates an ID from an index.
    @inlinable public init(_ raw: Int) { self.raw = Int32(raw) }
    /// The index as `Int`.
    @inlinable public var index: Int { Int(raw) }
    @inlinable public static func < (a: NodeID, b: NodeID) -> Bool { a.raw < b.raw }
    public var description: String { "node\(raw)" }
}

/// A rack (one ToR switch), numbered in the order the cluster file lists them.
public struct RackID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The index.
    public var raw: Int32
    /// Creates an ID from an index.
    @inlinable public init(_ raw: Int) { self.raw = Int32(raw) }
    /// The index as `Int`.
    @inlinable public var index: Int { Int(raw) }
    @inlinable public static func < (a: RackID, b: RackID) -> Bool { a.raw < b.raw }
    public var description: String { "rack\(raw)" }
}

/// A job, numbered 0..<jobCount in submission order (ties by the order of the input).
public struct JobID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The index.
    public var raw: Int32
    /// Creates an ID from an index.
    @inlinable public init(_ raw: Int) { self.raw = Int32(raw) }
    /// The index as `Int`.
    @inlinable public var index: Int { Int(raw) }
    @inlinable public static func < (a: JobID, b: JobID) -> Bool { a.raw < b.raw }
    public var description: String { "job\(raw)" }
}
