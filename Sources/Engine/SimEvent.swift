import ClusterModel

/// Everything that can happen in a simulation. One enum, so a new kind of event makes the compiler list
/// every `switch` that must handle it.
public enum SimEvent: Sendable, Equatable {
    /// A job is submitted.
    case arrival(JobID)
    /// A running job reaches the end of its work. The one pending per job: a speed change re-times it in the queue,
    /// a preemption, resize or kill cancels it (`EventKey`), so it never fires for a job that no longer runs.
    case completion(JobID)
    /// A job's timed transition (restoring, checkpointing, resizing) ends; cancelled if the job is killed first.
    case transitionEnd(JobID)
    /// A running goodput job reaches the next share of its training, where its gradient noise scale steps
    /// (`EfficiencyProfile`): its rate is re-priced. Re-timed whenever its speed is set, cancelled when it stops.
    case noiseScaleStep(JobID)
    /// The policy's wake-up; a later wake-up request moves it.
    case policyTimer
    /// The policy runs (once per instant, after every arrival, completion and timer of that instant).
    case schedulingRound
    /// A node or GPU fails (optional failure processes, `FailureModel`): the jobs holding it are killed and it is
    /// down until its repair.
    case failure(FailureTarget)
    /// A failed node or GPU is repaired.
    case repair(FailureTarget)
}

/// What fails: a whole node (every GPU of it) or one GPU.
public enum FailureTarget: Sendable, Equatable, CustomStringConvertible {
    case node(NodeID)
    case gpu(GPUID)

    public var description: String {
        switch self {
        case .node(let n): return "node \(n.index)"
        case .gpu(let g): return "\(g)"
        }
    }
}

/// Order of different events at the same instant.
public enum EventPhase: UInt8, Sendable {
    /// Completions and transition ends first: GPUs freed at t are free for jobs arriving at t. Failures and
    /// repairs too, in the order they were scheduled.
    case completion = 0
    /// Then arrivals, so a round at t sees every job submitted at t.
    case arrival = 1
    /// Then policy timers and the one scheduling round that sees everything that happened at t.
    case schedulingRound = 2
}

/// The keys of the events that are pending at most once each (per job, or once per run) in the simulation's
/// `EventQueue`, so that re-timing or cancelling one moves or removes it in place instead of leaving a stale entry
/// behind. Job i's three keys are adjacent (3i, 3i + 1, 3i + 2); the policy timer's comes after every job's.
enum EventKey {
    /// Keys a run with `jobs` jobs needs.
    static func count(jobs: Int) -> Int { 3 * jobs + 1 }
    /// Job i's completion.
    @inline(__always) static func completion(_ i: Int) -> Int { 3 * i }
    /// The end of job i's timed transition.
    @inline(__always) static func transitionEnd(_ i: Int) -> Int { 3 * i + 1 }
    /// Job i's next noise-scale step.
    @inline(__always) static func noiseScaleStep(_ i: Int) -> Int { 3 * i + 2 }
    /// The policy's wake-up, in a run with `jobs` jobs.
    @inline(__always) static func policyTimer(jobs: Int) -> Int { 3 * jobs }
}
