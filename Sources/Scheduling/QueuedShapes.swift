import ClusterModel
import DequeModule
import SimKernel

/// The run's distinct job shapes (GPU count, eligible types), each job's shape among them, and the waiting jobs of each
/// shape in queue (JobID) order; the engine keeps the lists in step with its queue (`ClusterSnapshot.queuedShapes`).
///
/// A policy that passes over waiting jobs whose shape cannot start in a round (Gandiva: free GPUs and hosts' room only
/// shrink within a round) can walk the queue shape by shape, merging the lists of the shapes still within reach,
/// instead of reading the shape of every job in an overloaded cluster's queue only to pass over most of them.
public struct QueuedShapes: Sendable, Equatable {
    /// The distinct shapes, ascending by GPU count, then by the types' bit mask.
    public let table: [JobShape]
    /// Each job's index in `table`, by JobID.
    public let shapeOf: [Int32]
    /// The waiting jobs of each shape (by index in `table`), ascending. Deques: a FIFO-like policy starts the jobs at
    /// their fronts, and removing the first of an array moved all the rest.
    public private(set) var members: [Deque<JobID>]

    /// The shapes of `shapes` (one per job, by JobID), with the jobs of `queue` waiting; `queue` must be ascending (a
    /// queue in submission order, as the engine keeps it).
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
        var members = Array(repeating: Deque<JobID>(), count: table.count)
        var last: JobID?
        for id in queue {
            precondition(last.map { $0 < id } ?? true, "the queue must be in JobID order: \(id) follows \(last!)")
            members[Int(shapeOf[id.index])].append(id)
            last = id
        }
        self.members = members
    }

    /// Jobs of shape `k` waiting.
    public func waiting(_ k: Int) -> Int { members[k].count }

    /// Lists `id` as having joined the queue.
    public mutating func enqueue(_ id: JobID) {
        let k = Int(shapeOf[id.index])
        // Arrivals come in JobID order, so this is usually an append.
        if let last = members[k].last, !(last < id) {
            let at = members[k].lowerBound(of: id)
            precondition(at == members[k].count || members[k][at] != id, "\(id) is already listed as waiting")
            members[k].insert(id, at: at)
        } else {
            members[k].append(id)
        }
    }

    /// Lists `id` as having left the queue.
    public mutating func dequeue(_ id: JobID) {
        let k = Int(shapeOf[id.index])
        let at = members[k].lowerBound(of: id)
        precondition(at < members[k].count && members[k][at] == id, "\(id) left the queue, but was not listed as waiting")
        members[k].remove(at: at)
    }
}
