import ClusterModel
import Scheduling

/// What a round's decisions validated so far would change, layered over the engine's state, so that each
/// decision is checked against the state the earlier ones leave without touching the real state.
///
/// Entries are stamped with the round they belong to instead of being cleared: starting a round is one
/// increment, and a lookup is an array read (no hashing; this runs for every GPU of every start).
struct RoundOverlay {
    /// The round whose entries are live.
    private(set) var round: UInt32 = 0
    private var gpuStamp: [UInt32]
    private var gpuOwner: [Int32]
    /// Per GPU, the last decision that listed it (duplicate detection within one decision).
    private var listedBy: [UInt32]
    private var decision: UInt32 = 0
    private var jobStamp: [UInt32]
    private var jobState: [JobState]
    /// GPU lists of the jobs this round changed, newest last. A short list searched from the end instead of an
    /// array of one list per job: only preemptions and reallocations read it, and a run has 100k jobs.
    private var jobGPUs: [(job: Int32, gpus: [GPUID])] = []

    init(gpuCount: Int, jobCount: Int) {
        gpuStamp = Array(repeating: 0, count: gpuCount)
        gpuOwner = Array(repeating: -1, count: gpuCount)
        listedBy = Array(repeating: 0, count: gpuCount)
        jobStamp = Array(repeating: 0, count: jobCount)
        jobState = Array(repeating: .pending, count: jobCount)
    }

    /// Forgets every entry of the previous round.
    mutating func beginRound() {
        round &+= 1
        jobGPUs.removeAll(keepingCapacity: true)
    }

    /// Starts checking a new decision's GPU list for duplicates.
    mutating func beginDecision() { decision &+= 1 }

    /// Marks `gpu` as listed by the current decision; false if it already was (a duplicate).
    mutating func list(_ gpu: GPUID) -> Bool {
        if listedBy[gpu.index] == decision { return false }
        listedBy[gpu.index] = decision
        return true
    }

    /// The holder of `gpu` (`JobID.raw`, -1 free) once this round's decisions so far are applied, given its
    /// holder before the round.
    @inline(__always) func owner(of gpu: GPUID, else current: Int32) -> Int32 {
        gpuStamp[gpu.index] == round ? gpuOwner[gpu.index] : current
    }

    /// Records that `gpu` will be held by `job` (-1: free).
    mutating func setOwner(of gpu: GPUID, to job: Int32) {
        gpuStamp[gpu.index] = round
        gpuOwner[gpu.index] = job
    }

    /// The state of job `i` once this round's decisions so far are applied, given its state before the round.
    func state(of i: Int, else current: JobState) -> JobState { jobStamp[i] == round ? jobState[i] : current }

    /// The GPUs of job `i` once this round's decisions so far are applied.
    func gpus(of i: Int, in jobs: [JobStatus]) -> [GPUID] {
        guard jobStamp[i] == round else { return jobs[i].gpus }
        return jobGPUs.last { $0.job == Int32(i) }!.gpus
    }

    /// Records job `i`'s state and GPUs after a decision.
    mutating func set(job i: Int, state: JobState, gpus: [GPUID]) {
        jobStamp[i] = round
        jobState[i] = state
        jobGPUs.append((Int32(i), gpus))
    }
}
