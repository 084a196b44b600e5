import ClusterModel
import DequeModule
import Performance
import SimKernel

/// The read-only view of the simulation a policy decides from.
///
/// A struct of copy-on-write arrays: handing it to a policy copies nothing, and because it is a value the
/// policy cannot change the engine's state through it. The throughput oracle is the one shared object: it
/// answers what-if questions about speed and caches the answers for later rounds.
public struct ClusterSnapshot {
    /// Current simulated time.
    public let now: SimTime
    /// Every job of the run, indexed by `JobID` (includes pending and finished ones).
    public let jobs: [JobStatus]
    /// Waiting jobs (queued or preempted), in submission order.
    public let queue: Deque<JobID>
    /// Running jobs, by (expected end, JobID): the order in which they will release their GPUs.
    public let running: [JobID]
    /// GPU ownership, down GPUs (failed, awaiting repair: `cluster.isDown`, `cluster.downGPUs`) and free counts,
    /// which exclude down GPUs.
    public let cluster: ClusterState
    /// Every job's remaining work and current rate.
    public let progress: JobProgress
    /// Isolated speed of any job on any GPU set or GPU type; nil when the snapshot was built without one.
    public let oracle: ThroughputOracle?
    /// How long the run's checkpoints, restores, resizes and migrations take.
    public let transitionCosts: any TransitionCostModel
    /// How jobs sharing a GPU slow each other and how many may share one (`cluster.maxJobsPerGPU` agrees).
    public let sharing: GPUSharingModel
    /// The GPUs whose holders (or up/down state) changed since the engine last asked this run's policy, with
    /// repeats, in no particular order; nil when unknown (a snapshot built outside the engine, or too many changes).
    /// A policy that keeps an index over the cluster between rounds updates it from these instead of rescanning.
    public let changedGPUs: [Int32]?
    /// Each job's state by `JobID`, the same as `jobs[i].state`, one byte a job: for scans of many jobs that read little
    /// else (a `JobStatus` is over 400 bytes, and reading one per job per round missed the cache in the ITP replays).
    public let states: [JobState]
    /// Each job's GPU count and eligible types by `JobID`, the same as `jobs[i].gpuCount` and `jobs[i].eligibleTypes`
    /// (fixed when the run is set up), for the same scans.
    public let shapes: [JobShape]
    /// The run's distinct shapes, each job's among them, and the jobs of `queue` by shape.
    public let queuedShapes: QueuedShapes

    /// Creates a snapshot; `running` may be in any order (it is sorted here). Without `progress`, every job's
    /// remaining work is read as its whole work at one unit per second (for tests of policies that ignore it).
    public init<Q: Sequence>(
        now: SimTime, jobs: [JobStatus], queue: Q, running: [JobID], cluster: ClusterState,
        progress: JobProgress? = nil, oracle: ThroughputOracle? = nil, transitionCosts: any TransitionCostModel = FreeTransitions(),
        sharing: GPUSharingModel? = nil
    ) where Q.Element == JobID {
        self.init(
            now: now, jobs: jobs, queue: Deque(queue),
            runningByExpectedEnd: running.sorted { Self.endsBefore($0, $1, jobs) }, cluster: cluster,
            progress: progress ?? JobProgress(
                work: jobs.map { $0.estimatedDuration.seconds }, referenceRate: Array(repeating: 1, count: jobs.count)),
            oracle: oracle, transitionCosts: transitionCosts,
            sharing: sharing ?? GPUSharingModel(maxJobsPerGPU: cluster.maxJobsPerGPU))
    }

    /// Creates a snapshot from a running list already sorted by (expected end, JobID), as the engine keeps it.
    public init(
        now: SimTime, jobs: [JobStatus], queue: Deque<JobID>, runningByExpectedEnd: [JobID], cluster: ClusterState,
        progress: JobProgress, oracle: ThroughputOracle?, transitionCosts: any TransitionCostModel,
        sharing: GPUSharingModel, changedGPUs: [Int32]? = nil, states: [JobState]? = nil, shapes: [JobShape]? = nil,
        queuedShapes: QueuedShapes? = nil
    ) {
        precondition(states.map { $0.count == jobs.count } ?? true, "one state per job")
        precondition(shapes.map { $0.count == jobs.count } ?? true, "one shape per job")
        // NOTE: not compared with `jobs` here (O(jobs) per round in checked builds); the engine checks its states after
        // every event (`Simulation.invariantViolation`) and derives its shapes once from the same statuses.
        self.states = states ?? jobs.map(\.state)
        self.shapes = shapes ?? jobs.map(JobShape.init)
        self.queuedShapes = queuedShapes ?? QueuedShapes(shapes: self.shapes, queue: queue)
        precondition(self.queuedShapes.shapeOf.count == jobs.count, "one queued shape per job")
        self.now = now
        self.jobs = jobs
        self.queue = queue
        self.running = runningByExpectedEnd
        self.cluster = cluster
        self.progress = progress
        self.oracle = oracle
        self.transitionCosts = transitionCosts
        self.costsAreFree = transitionCosts is FreeTransitions
        self.sharing = sharing
        self.changedGPUs = changedGPUs
    }

    /// Whether `transitionCosts` is `FreeTransitions` (every answer 0), so that asking it can be skipped.
    private let costsAreFree: Bool

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

    /// GPUs of the cluster, free or not, of the types `job` may run on.
    public func eligibleGPUCount(of job: JobID) -> Int {
        let topo = topology
        var n = 0
        for t in 0..<topo.gpuTypes.count where jobs[job.index].eligibleTypes.contains(t) { n += topo.gpuCount(ofType: t) }
        return n
    }

    /// Share of `job`'s work done now, 0...1.
    public func progressShare(of job: JobID) -> Double {
        let total = WorkRate.units(of: jobs[job.index].spec)
        return total > 0 ? min(1, max(0, 1 - remainingWork(of: job) / total)) : 0
    }

    /// Work units `job` has left now (iterations, or reference seconds).
    @inlinable public func remainingWork(of job: JobID) -> Double { progress.remaining(job.index, at: now) }

    /// Seconds `job` needs to finish: at its current speed while it runs; otherwise at `waitingRate` work units per
    /// second (its reference speed, requested size packed, when nil), plus what is left of a timed transition it is in.
    public func estimatedRemainingTime(of job: JobID, waitingRate: Double? = nil) -> Double {
        // NOTE: fields are read one by one; binding `jobs[i]` to a local would copy the whole status (and retain
        // its strings), which preemptive policies pay for every job of every round.
        let i = job.index
        let left = progress.remaining(i, at: now)
        let rate = progress.entries[i].workRate
        if jobs[i].state == .running && rate > 0 { return left / rate }
        let transition = jobs[i].transitionEnd.map { max(0, ($0 - now).seconds) } ?? 0
        return transition + left / (waitingRate ?? progress.entries[i].referenceRate)
    }

    /// Service `job` has received so far: time and GPU-time holding GPUs, including the open interval.
    public func attainedService(of job: JobID) -> AttainedService {
        let i = job.index
        var s = AttainedService(seconds: jobs[i].runSeconds, gpuSeconds: jobs[i].gpuSeconds)
        if let since = jobs[i].heldSince {
            let dt = (now - since).seconds
            s.seconds += dt
            s.gpuSeconds += dt * Double(jobs[i].allocation.gpus.count)
        }
        return s
    }

    /// Whether preempting the running `job` frees its GPUs in the same round: true when its checkpoint is free.
    /// Otherwise it keeps them while it checkpoints, and a policy must not plan another job onto them this round.
    public func preemptionFreesGPUsAtOnce(_ job: JobID) -> Bool {
        // NOTE: free transitions (the default) are not asked: the question copied the job's whole status, at every
        // preemption of a preemptive policy's round.
        if costsAreFree { return true }
        let j = jobs[job.index]
        return transitionCosts.seconds(.checkpoint, job: j, from: j.gpus, to: []) == 0
    }

}

/// How much of the cluster a job has consumed: the quantity least-attained-service policies order by.
public struct AttainedService: Sendable, Equatable {
    /// Seconds holding GPUs.
    public var seconds: Double
    /// GPU-seconds held (seconds × GPUs, summed over allocation intervals).
    public var gpuSeconds: Double

    /// Creates a value.
    public init(seconds: Double, gpuSeconds: Double) {
        self.seconds = seconds
        self.gpuSeconds = gpuSeconds
    }
}
