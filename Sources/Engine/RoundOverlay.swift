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
    /// Per GPU, the round its holder entries belong to; then its holders (`stride` slots, owner first), how many,
    /// and its sharing mode, once this round's decisions so far are applied.
    private var gpuStamp: [UInt32]
    private var holders: [Int32]
    private var holderCount: [UInt8]
    private var mode: [UInt8]
    private let stride: Int
    /// Per GPU, the last decision that listed it (duplicate detection within one decision).
    private var listedBy: [UInt32]
    private var decision: UInt32 = 0
    private var jobStamp: [UInt32]
    private var jobState: [JobState]
    /// GPU lists of the jobs this round changed, newest last. A short list searched from the end instead of an
    /// array of one list per job: only preemptions and reallocations read it, and a run has 100k jobs.
    private var jobGPUs: [(job: Int32, gpus: [GPUID])] = []

    init(gpuCount: Int, jobCount: Int, maxJobsPerGPU: Int = 1) {
        stride = maxJobsPerGPU
        gpuStamp = Array(repeating: 0, count: gpuCount)
        holders = Array(repeating: -1, count: gpuCount * maxJobsPerGPU)
        holderCount = Array(repeating: 0, count: gpuCount)
        mode = Array(repeating: 0, count: gpuCount)
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

    /// The first holder of `gpu` (`JobID.raw`; -1 free, `ClusterState.downOwner` down) once this round's decisions
    /// so far are applied.
    @inline(__always) func owner(of gpu: GPUID, in cluster: ClusterState) -> Int32 {
        guard gpuStamp[gpu.index] == round else { return cluster.owner[gpu.index] }
        return holderCount[gpu.index] > 0 ? holders[gpu.index * stride] : -1
    }

    /// How many jobs hold `gpu` once this round's decisions so far are applied.
    func holderCount(of gpu: GPUID, in cluster: ClusterState) -> Int {
        gpuStamp[gpu.index] == round ? Int(holderCount[gpu.index]) : cluster.holderCount(of: gpu)
    }

    /// Whether job `job` (`JobID.raw`) holds `gpu` once this round's decisions so far are applied.
    func holds(_ job: Int32, _ gpu: GPUID, in cluster: ClusterState) -> Bool {
        guard gpuStamp[gpu.index] == round else { return cluster.holds(JobID(Int(job)), gpu) }
        let base = gpu.index * stride
        for k in 0..<Int(holderCount[gpu.index]) where holders[base + k] == job { return true }
        return false
    }

    /// The holders of `gpu` once this round's decisions so far are applied, owner first.
    func holders(of gpu: GPUID, in cluster: ClusterState) -> [Int32] {
        guard gpuStamp[gpu.index] == round else { return cluster.holders(of: gpu).map(\.raw) }
        let base = gpu.index * stride
        return Array(holders[base..<(base + Int(holderCount[gpu.index]))])
    }

    /// How `gpu` is shared once this round's decisions so far are applied (nil: fewer than two holders).
    func sharing(of gpu: GPUID, in cluster: ClusterState) -> SharingMode? {
        guard gpuStamp[gpu.index] == round else { return cluster.sharing(of: gpu) }
        return SharingMode(rawValue: mode[gpu.index])
    }

    /// Copies `gpu`'s holders from the cluster into this round's entries, once per round.
    private mutating func load(_ gpu: GPUID, from cluster: ClusterState) {
        let g = gpu.index
        guard gpuStamp[g] != round else { return }
        gpuStamp[g] = round
        let base = g * stride
        var n = 0
        if cluster.owner[g] >= 0 && cluster.owner[g] != ClusterState.downOwner {
            holders[base] = cluster.owner[g]
            n = 1
            if stride > 1 {
                let guestBase = g * (stride - 1)
                for k in 0..<Int(cluster.guestCount[g]) {
                    holders[base + n] = cluster.guests[guestBase + k]
                    n += 1
                }
            }
        }
        holderCount[g] = UInt8(n)
        mode[g] = stride > 1 ? cluster.sharingMode[g] : 0
    }

    /// Records that `job` will hold `gpu` too (validated: room, not already a holder), shared in `sharing` if
    /// others hold it.
    mutating func add(_ job: Int32, to gpu: GPUID, sharing: SharingMode?, in cluster: ClusterState) {
        load(gpu, from: cluster)
        let g = gpu.index
        let n = Int(holderCount[g])
        holders[g * stride + n] = job
        holderCount[g] = UInt8(n + 1)
        if n > 0, let sharing { mode[g] = sharing.rawValue }
    }

    /// Records that `job` will no longer hold `gpu`.
    mutating func remove(_ job: Int32, from gpu: GPUID, in cluster: ClusterState) {
        load(gpu, from: cluster)
        let g = gpu.index
        let base = g * stride
        let n = Int(holderCount[g])
        guard let k = (0..<n).first(where: { holders[base + $0] == job }) else { return }
        for m in k..<(n - 1) { holders[base + m] = holders[base + m + 1] }
        holderCount[g] = UInt8(n - 1)
        if n - 1 < 2 { mode[g] = 0 }
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
