import ClusterModel
import DequeModule
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
    public let queue: Deque<JobID>
    /// Running jobs, by (expected end, JobID): the order in which they will release their GPUs.
    public let running: [JobID]
    /// GPU ownership and free counts.
    public let cluster: ClusterState

    /// Creates a snapshot; `running` may be in any order (it is sorted here).
    public init<Q: Sequence>(now: SimTime, jobs: [JobStatus], queue: Q, running: [JobID], cluster: ClusterState)
    where Q.Element == JobID {
        self.init(
            now: now, jobs: jobs, queue: Deque(queue),
            runningByExpectedEnd: running.sorted { Self.endsBefore($0, $1, jobs) }, cluster: cluster)
    }

    /// Creates a snapshot from a running list already sorted by (expected end, JobID), as the engine keeps it.
    public init(now: SimTime, jobs: [JobStatus], queue: Deque<JobID>, runningByExpectedEnd: [JobID], cluster: ClusterState) {
        self.now = now
        self.jobs = jobs
        self.queue = queue
        self.running = runningByExpectedEnd
        self.cluster = cluster
    }

    /// The order of `running`: expected end, then JobID.
    @inlinable public static func endsBefore(_ a: JobID, _ b: JobID, _ jobs: [JobStatus]) -> Bool {
        let ea = jobs[a.index].expectedEnd ?? .never
        let eb = jobs[b.index].expectedEnd ?? .never
        return ea != eb ? ea < eb : a < b
    }

    /// The cluster's shape.
    @inlinable public var topology: Topology { cluster.topology }

    /// The status of `job`, without copying it.
    @inlinable public subscript(job: JobID) -> JobStatus {
        _read { yield jobs[job.index] }
    }

    /// Free GPUs whose type is in `mask`.
    public func freeGPUs(in mask: GPUTypeMask) -> Int {
        var n = 0
        for t in 0..<cluster.freeOfType.count where mask.contains(t) { n += Int(cluster.freeOfType[t]) }
        return n
    }
}
