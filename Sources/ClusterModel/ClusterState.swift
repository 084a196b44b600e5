/// Who holds which GPU right now, plus the free counts placement needs, as flat arrays.
///
/// The engine owns one; policies see it read-only inside a snapshot and plan on their own copy
/// (copy-on-write makes that copy cost one `memcpy` of a few kilobytes, and only when they plan).
public struct ClusterState: Sendable {
    /// The cluster's shape.
    public let topology: Topology
    /// The job holding each GPU, as `JobID.raw`, or -1 when free.
    public private(set) var owner: [Int32]
    /// Free GPUs per node.
    public private(set) var freeOnNode: [Int32]
    /// Free GPUs per GPU-type index.
    public private(set) var freeOfType: [Int32]
    /// GPUs held by some job.
    public private(set) var busyGPUs: Int

    /// A cluster with every GPU free.
    public init(topology: Topology) {
        self.topology = topology
        owner = Array(repeating: -1, count: topology.gpuCount)
        freeOnNode = topology.nodeGPUCount
        var byType = Array(repeating: Int32(0), count: topology.gpuTypes.count)
        for t in topology.gpuTypeIndex { byType[Int(t)] += 1 }
        freeOfType = byType
        busyGPUs = 0
    }

    /// Total free GPUs.
    @inlinable public var freeGPUs: Int { topology.gpuCount - busyGPUs }

    /// Whether `gpu` is free.
    @inlinable public func isFree(_ gpu: GPUID) -> Bool { owner[gpu.index] < 0 }

    /// Free GPUs of type index `t`, or of any type when `t` is nil.
    @inlinable public func freeCount(typeIndex t: Int?) -> Int {
        guard let t else { return freeGPUs }
        return Int(freeOfType[t])
    }

    /// Gives `gpus` to `job`. Throws, changing nothing, if any GPU is unknown, repeated or already held.
    /// - Complexity: O(k) for k GPUs.
    public mutating func allocate(_ gpus: [GPUID], to job: JobID) throws(AllocationError) {
        guard !gpus.isEmpty else { throw .empty(job) }
        // One pass that claims as it checks (O(k), where a separate duplicate check is O(k²)); on a problem the
        // GPUs claimed so far are handed back before throwing, so nothing changes.
        for (i, g) in gpus.enumerated() {
            var problem: AllocationError?
            if g.index < 0 || g.index >= owner.count {
                problem = .unknownGPU(g)
            } else if owner[g.index] == job.raw {
                problem = .duplicate(g, job)
            } else if owner[g.index] >= 0 {
                problem = .busy(g, heldBy: JobID(Int(owner[g.index])), wanted: job)
            }
            if let problem {
                for claimed in gpus[..<i] { owner[claimed.index] = -1 }
                throw problem
            }
            owner[g.index] = job.raw
        }
        for g in gpus {
            freeOnNode[topology.gpuNode[g.index].index] -= 1
            freeOfType[Int(topology.gpuTypeIndex[g.index])] -= 1
        }
        busyGPUs += gpus.count
    }

    /// Gives `gpus` to `job` without checking them: for callers that have already checked that the GPUs exist,
    /// are distinct and are free (the engine validates a whole round of decisions before applying any). Debug
    /// builds still check.
    /// - Complexity: O(k) for k GPUs.
    public mutating func claimValidated(_ gpus: [GPUID], for job: JobID) {
        for g in gpus {
            assert(owner[g.index] < 0, "\(g) is not free")
            owner[g.index] = job.raw
            freeOnNode[topology.gpuNode[g.index].index] -= 1
            freeOfType[Int(topology.gpuTypeIndex[g.index])] -= 1
        }
        busyGPUs += gpus.count
    }

    /// Takes `gpus` back from `job`. Throws, changing nothing, if `job` does not hold all of them.
    /// - Complexity: O(k) for k GPUs.
    public mutating func release(_ gpus: [GPUID], from job: JobID) throws(AllocationError) {
        for (i, g) in gpus.enumerated() {
            guard g.index >= 0 && g.index < owner.count else { throw .unknownGPU(g) }
            guard owner[g.index] == job.raw else {
                throw .notHeld(g, by: job, heldBy: owner[g.index] < 0 ? nil : JobID(Int(owner[g.index])))
            }
            for j in 0..<i where gpus[j] == g { throw .duplicate(g, job) }
        }
        for g in gpus {
            owner[g.index] = -1
            freeOnNode[topology.gpuNode[g.index].index] += 1
            freeOfType[Int(topology.gpuTypeIndex[g.index])] += 1
        }
        busyGPUs -= gpus.count
    }

    /// Checks that `gpus` exist, are distinct and are all free, without changing anything.
    public func validateFree(_ gpus: [GPUID], for job: JobID) throws(AllocationError) {
        guard !gpus.isEmpty else { throw .empty(job) }
        for (i, g) in gpus.enumerated() {
            guard g.index >= 0 && g.index < owner.count else { throw .unknownGPU(g) }
            guard owner[g.index] < 0 else { throw .busy(g, heldBy: JobID(Int(owner[g.index])), wanted: job) }
            // Placements are small (≤ a few hundred GPUs), so a quadratic duplicate check beats allocating a set.
            for j in 0..<i where gpus[j] == g { throw .duplicate(g, job) }
        }
    }
}

/// Why an allocation or release was refused.
public enum AllocationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The GPU index is outside the cluster.
    case unknownGPU(GPUID)
    /// The GPU is already held by another job.
    case busy(GPUID, heldBy: JobID, wanted: JobID)
    /// The same GPU appears twice in one placement.
    case duplicate(GPUID, JobID)
    /// A placement with no GPUs.
    case empty(JobID)
    /// A release of a GPU the job does not hold.
    case notHeld(GPUID, by: JobID, heldBy: JobID?)

    public var description: String {
        switch self {
        case .unknownGPU(let g): return "\(g) does not exist in this cluster"
        case .busy(let g, let holder, let wanted): return "\(g) is already held by \(holder), cannot give it to \(wanted)"
        case .duplicate(let g, let j): return "\(g) appears twice in the placement of \(j)"
        case .empty(let j): return "placement of \(j) has no GPUs"
        case .notHeld(let g, let j, let holder):
            return "\(j) releases \(g), which is held by \(holder.map(\.description) ?? "nobody")"
        }
    }
}
