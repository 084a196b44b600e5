import ClusterModel

/// A set of GPU types (indices into `Topology.gpuTypes`), as a bit mask.
public struct GPUTypeMask: Sendable, Equatable {
    /// Bit t set means type index t is allowed.
    public var bits: UInt64
    /// Creates a mask from bits.
    @inlinable public init(bits: UInt64) { self.bits = bits }
    /// Every type of a topology.
    public static func all(_ topology: Topology) -> GPUTypeMask {
        GPUTypeMask(bits: topology.gpuTypes.count >= 64 ? .max : (UInt64(1) << UInt64(topology.gpuTypes.count)) - 1)
    }
    /// Whether type index `t` is allowed.
    @inlinable public func contains(_ t: Int) -> Bool { bits & (UInt64(1) << UInt64(t)) != 0 }
    /// Whether no type is allowed.
    @inlinable public var isEmpty: Bool { bits == 0 }
}
