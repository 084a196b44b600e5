import ClusterModel
import SimKernel

/// The run's distinct job shapes (GPU count, eligible types), each job's shape among them, and how many jobs of each
/// shape wait in the queue; the engine keeps the counts in step with its queue (`ClusterSnapshot.queuedShapes`).
///
/// A policy that passes over waiting jobs whose shape cannot start in a round (Gandiva: free GPUs and hosts' room only
/// shrink within a round) can stop its scan of the queue once every shape still ahead of it is out of reach, instead of
/// reading the shape of every job left in an overloaded cluster's queue.
public struct QueuedShapes: Sendable, Equatable {
    /// The distinct shapes, ascending by GPU count, then by the types' bit mask.
    public let table: [JobShape]
    /// Each job's index in `table`, by JobID.
    public let shapeOf: [Int32]
    /// Jobs of each shape (by index in `table`) in the queue.
    public private(set) var waiting: [Int32]

    /// The shapes of `shapes` (one per job, by JobID), with the jobs of `queue` waiting.
    public init<Q: Sequence>(shapes: [JobShape], queue: Q) where Q.Element == JobID {
        func key(_ x: JobShape) -> (UInt64, UInt64) { (UInt64(UInt32(bitPattern: x.gpuCount)), x.eligibleTypes.bits) }
        var keys = shapes.map(key)
        keys.sort { $0 < $1 }
        var table: [JobShape] = []
        for (i, k) in keys.enumerated() where i == 0 || k != keys[i - 1] {
            table.append(JobShape(gpuCount: Int32(truncatingIfNeeded: k.0), eligibleTypes: GPUTypeMask(bits: k.1)))
        }
        self.table = table
        self.shapeOf = shapes.map { x in Int32(table.partitionPoint { key($0) < key(x) }) }
        self.waiting = Array(repeating: 0, count: table.count)
        for id in queue { waiting[Int(shapeOf[id.index])] += 1 }
    }

    /// Counts `id` as having joined the queue.
    public mutating func enqueue(_ id: JobID) { waiting[Int(shapeOf[id.index])] += 1 }

    /// Counts `id` as having left the queue.
    public mutating func dequeue(_ id: JobID) {
        let k = Int(shapeOf[id.index])
        precondition(waiting[k] > 0, "\(id) left the queue, but no job of its shape was counted in it")
        waiting[k] -= 1
    }
}
