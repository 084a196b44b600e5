import ClusterModel
import Engine
import Scheduling
import SimKernel
import Workload

/// One job of a hand-built snapshot.
public struct SnapshotJob {
    public var spec: JobSpec
    public var state: JobState
    /// GPUs held (running jobs only).
    public var gpus: [Int]
    /// Expected end in seconds (running jobs only).
    public var expectedEnd: Double?

    /// A waiting (queued) job.
    public static func queued(_ spec: JobSpec) -> SnapshotJob { SnapshotJob(spec: spec, state: .queued, gpus: [], expectedEnd: nil) }
    /// A running job on `gpus` until `end`.
    public static func running(_ spec: JobSpec, on gpus: [Int], since: Double = 0, until end: Double) -> SnapshotJob {
        SnapshotJob(spec: spec, state: .running, gpus: gpus, expectedEnd: end)
    }
}

/// A snapshot at `now` with `jobs` (IDs must be 0..<n in order): eligible types and estimates come from
/// `JobSetup` as in the engine; the queue holds waiting jobs by ID, `running` the running ones in list order.
public func makeSnapshot(topology: Topology, now: Double, jobs: [SnapshotJob]) -> ClusterSnapshot {
    var cluster = ClusterState(topology: topology)
    var statuses: [JobStatus] = []
    var queue: [JobID] = []
    var running: [JobID] = []
    for (i, j) in jobs.enumerated() {
        precondition(j.spec.id.index == i, "snapshot jobs must be numbered 0..<n in order")
        let mask = JobSetup.eligibleTypes(for: j.spec, in: topology)
        let ref = JobSetup.referenceTemplate(for: mask, in: topology)!
        var s = JobStatus(
            spec: j.spec, eligibleTypes: mask,
            estimatedDuration: JobSetup.estimatedDuration(for: j.spec, template: topology.nodeTemplates[ref]))
        s.state = j.state
        if j.state == .running {
            let gpus = j.gpus.map(GPUID.init)
            try! cluster.allocate(gpus, to: j.spec.id)
            s.gpus = gpus
            s.firstStart = .zero
            s.heldSince = .zero
            s.expectedEnd = j.expectedEnd.map { SimTime.seconds($0) }
            running.append(j.spec.id)
        } else if j.state.isWaiting {
            queue.append(j.spec.id)
        }
        statuses.append(s)
    }
    return ClusterSnapshot(now: .seconds(now), jobs: statuses, queue: queue, running: running, cluster: cluster)
}

/// Runs one round of `policy` on `snapshot` with `placement`.
public func decide(
    _ policy: any SchedulingPolicy, on snapshot: ClusterSnapshot, placement: any PlacementStrategy = FirstFitPlacement()
) -> [SchedulingDecision] {
    var p = policy
    var planner = PlacementPlanner(cluster: snapshot.cluster, strategy: placement)
    return p.schedule(snapshot, planner: &planner)
}

/// `.start(job, gpus)` with plain integers.
public func start(_ job: Int, _ gpus: [Int]) -> SchedulingDecision { .start(JobID(job), gpus: gpus.map(GPUID.init)) }
