import ClusterModel
import SimKernel

/// The read-only view of the simulation a policy decides from.
///
/// A struct of copy-on-write arrays: handing it to a policy copies nothing, and because it is a value the
/// policy cannot change the engine's state through it.
public struct ClusterSnapshot: Sendable {
    /// Current simulated time.
    public let now: SimTime
    /// Every job of the run, indexed by `JobID` (includes pending and finished ones).
    public let jobs: [JobStatus]
    /// Waiting jobs (queued or preempted), in submission order.
    public let queue: [JobID]
    /// Running jobs, in the order they started.
    public let running: [JobID]
    /// GPU ownership and free counts.
    public let cluster: ClusterState

    /// Creates a snapshot.
    public init(now: SimTime, jobs: [JobStatus], queue: [JobID], running: [JobID], cluster: ClusterState) {
        self.now = now
        self.jobs = jobs
        self.queue = queue
        self.running = running
        self.cluster = cluster
    }

    /// The cluster's shape.
    @inlinable public var topology: Topology { cluster.topology }

    /// The status of `job`.
    @inlinable public subscript(job: JobID) -> JobStatus { jobs[job.index] }

    /// Free GPUs whose type is in `mask`.
    public func freeGPUs(in mask: GPUTypeMask) -> Int {
        var n = 0
        for t in 0..<cluster.freeOfType.count where mask.contains(t) { n += Int(cluster.freeOfType[t]) }
        return n
    }
}
