import ClusterModel

/// The GPUs a job holds and what share of each.
///
/// Today every allocation is exclusive (`share` is `.whole`): the engine refuses anything else. The share
/// is part of the record so that GPU sharing (several jobs time- or space-sharing one GPU) extends the
/// record instead of changing every place that reads it.
public struct Allocation: Sendable, Equatable {
    /// The GPUs, in the order the placement gave them.
    public var gpus: [GPUID]
    /// The share of each GPU, in thousandths (1000 = the whole GPU).
    public var shareMilli: UInt16

    /// The share of a GPU held exclusively.
    public static let whole: UInt16 = 1000
    /// No GPUs.
    public static let none = Allocation(gpus: [], shareMilli: whole)

    /// An allocation of `gpus`, exclusive unless a share is given.
    @inlinable public init(gpus: [GPUID], shareMilli: UInt16 = Allocation.whole) {
        self.gpus = gpus
        self.shareMilli = shareMilli
    }

    /// Whether every GPU is held exclusively.
    @inlinable public var isExclusive: Bool { shareMilli == Self.whole }
    /// GPUs held.
    @inlinable public var count: Int { gpus.count }
}
