import ClusterModel

/// A policy's scratch copy of the cluster for one round: places jobs with the run's strategy and
/// remembers what it handed out, so that several starts in one round never pick the same GPU.
public struct PlacementPlanner {
    /// The cluster as it will be once this round's starts so far are applied.
    public private(set) var cluster: ClusterState
    /// The run's placement strategy.
    public let strategy: any PlacementStrategy

    /// Creates a planner over `cluster`.
    public init(cluster: ClusterState, strategy: any PlacementStrategy) {
        self.cluster = cluster
        self.strategy = strategy
    }

    /// Free GPUs (in the plan) whose type is in `mask`.
    public func freeGPUs(in mask: GPUTypeMask) -> Int {
        var n = 0
        for t in 0..<cluster.freeOfType.count where mask.contains(t) { n += Int(cluster.freeOfType[t]) }
        return n
    }

    /// Chooses GPUs for `job` and reserves them in the plan; nil (and no change) when it does not fit.
    public mutating func place(_ job: borrowing JobStatus) -> [GPUID]? {
        place(job.id, count: job.gpuCount, types: job.eligibleTypes)
    }

    /// Chooses `count` GPUs of `types` for job `id` and reserves them in the plan; nil when they do not fit.
    public mutating func place(_ id: JobID, count: Int, types: GPUTypeMask) -> [GPUID]? {
        guard freeGPUs(in: types) >= count, let gpus = strategy.choose(count: count, types: types, in: cluster) else {
            return nil
        }
        // A strategy that returns taken or duplicate GPUs has a bug. The GPUs are handed back unreserved so
        // that the engine's check rejects the start with a message naming them, instead of hiding the bug.
        try? cluster.allocate(gpus, to: id)
        return gpus
    }

    /// Records in the plan that job `id` joins `gpus` in `mode` (GPU sharing), for a policy that checked them: up,
    /// not held by `id`, under the per-GPU job limit, and shared in `mode` if shared at all.
    public mutating func share(_ gpus: [GPUID], for id: JobID, mode: SharingMode) {
        cluster.joinValidated(gpus, for: id, mode: mode)
    }

    /// Reserves GPUs a policy chose itself (free ones, e.g. for a migration) for job `id`; false, changing nothing,
    /// when any is not free.
    @discardableResult
    public mutating func claim(_ gpus: [GPUID], for id: JobID) -> Bool {
        do { try cluster.allocate(gpus, to: id) } catch { return false }
        return true
    }

    /// Returns `job`'s GPUs to the plan (for a policy that preempts in the same round).
    public mutating func release(_ gpus: [GPUID], of job: JobID) {
        try? cluster.release(gpus, from: job)
    }

    /// Returns a running job's whole allocation, as the round's snapshot lists it, to the plan: for a policy that
    /// preempts it in this round and has not released or moved any of its GPUs in the plan before (so it holds each
    /// once). Unlike `release`, nothing is checked (debug builds still check): preemptive rounds release thousands of
    /// allocations, and the checks were most of the cost.
    public mutating func releaseAllocation(_ gpus: [GPUID], of job: JobID) {
        cluster.releaseValidated(gpus, from: job)
    }
}
