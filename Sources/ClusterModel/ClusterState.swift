/// Who holds which GPU right now, which GPUs are down (failed, awaiting repair), plus the free counts placement
/// needs, as flat arrays.
///
/// A GPU is free, held by one or more jobs, or down. Its first holder is its `owner`; with GPU sharing
/// (`maxJobsPerGPU` > 1) further jobs join it as guests (`guests`, `guestCount`, `sharingMode`), and a shared GPU
/// counts once in `busyGPUs`. When the owner leaves, the oldest guest becomes the owner, so `owner[g] < 0` still
/// means "no job holds it". A down GPU is neither free nor busy: the free counts exclude it, its
/// owner slot holds `ClusterState.downOwner` (a positive sentinel, so the usual `owner[g] < 0` test of placement
/// code never sees it as free), and `allocate` refuses it. It can only go down once no job holds it (the engine
/// kills the jobs on a failed GPU first). Failures may overlap (a GPU failure on a node that then fails too): a
/// GPU stays down until every failure that took it down is repaired (`downCount`).
///
/// The engine owns one; policies see it read-only inside a snapshot and plan on their own copy
/// (copy-on-write makes that copy cost one `memcpy` of a few kilobytes, and only when they plan).
public struct ClusterState: Sendable {
    /// The cluster's shape.
    public let topology: Topology
    /// The job holding each GPU, as `JobID.raw`; -1 when free; `downOwner` when down.
    public internal(set) var owner: [Int32]
    /// Outstanding failures that hold each GPU down (0 = up).
    public internal(set) var downCount: [Int32]
    /// GPUs that are down.
    public internal(set) var downGPUs: Int
    /// Free GPUs per node.
    public internal(set) var freeOnNode: [Int32]
    /// The nodes grouped by their free count (`freeOnNode`), for best-fit placement without a scan.
    public internal(set) var freeIndex: FreeCountIndex
    /// Free GPUs per GPU-type index.
    public internal(set) var freeOfType: [Int32]
    /// GPUs held by some job.
    public internal(set) var busyGPUs: Int
    /// Most jobs that may hold one GPU at once (1: every GPU is held exclusively).
    public let maxJobsPerGPU: Int
    /// The jobs holding each GPU besides its owner, in joining order: `maxJobsPerGPU - 1` slots per GPU, starting at
    /// `g * (maxJobsPerGPU - 1)`; only the first `guestCount[g]` are meaningful.
    public internal(set) var guests: [Int32]
    /// Guests on each GPU (holders besides the owner).
    public internal(set) var guestCount: [UInt8]
    /// How each GPU with guests is shared (`SharingMode.rawValue`; 0 while it has none).
    public internal(set) var sharingMode: [UInt8]
    /// GPUs held by two or more jobs.
    public internal(set) var sharedGPUs: Int
    /// Guests over all GPUs: the job–GPU holdings beyond one per busy GPU.
    public internal(set) var totalGuests: Int
    /// Whether changes are noted in `changedGPUs` (see `mirror(into:)`); off unless turned on.
    package var tracksChanges = false
    /// While tracking: the GPUs whose entries changed since the last `mirror(into:)`, with repeats, at most one
    /// GPU count of them; `changesOverflowed` when more were changed (a mirror then copies everything).
    package internal(set) var changedGPUs: [Int32] = []
    package internal(set) var changesOverflowed = false

    /// A cluster with every GPU free; up to `maxJobsPerGPU` jobs may share a GPU (1 to 8).
    public init(topology: Topology, maxJobsPerGPU: Int = 1) {
        precondition((1...8).contains(maxJobsPerGPU), "maxJobsPerGPU must be 1 to 8")
        self.topology = topology
        self.maxJobsPerGPU = maxJobsPerGPU
        guests = Array(repeating: -1, count: topology.gpuCount * (maxJobsPerGPU - 1))
        guestCount = Array(repeating: 0, count: maxJobsPerGPU > 1 ? topology.gpuCount : 0)
        sharingMode = Array(repeating: 0, count: maxJobsPerGPU > 1 ? topology.gpuCount : 0)
        sharedGPUs = 0
        totalGuests = 0
        owner = Array(repeating: -1, count: topology.gpuCount)
        freeOnNode = topology.nodeGPUCount
        freeIndex = FreeCountIndex(freeOnNode: topology.nodeGPUCount, capacity: topology.nodeGPUCount)
        var byType = Array(repeating: Int32(0), count: topology.gpuTypes.count)
        for t in topology.gpuTypeIndex { byType[Int(t)] += 1 }
        freeOfType = byType
        busyGPUs = 0
        downCount = Array(repeating: 0, count: topology.gpuCount)
        downGPUs = 0
    }

    /// Notes that GPU `g`'s entries changed, when tracking changes.
    @inline(__always) mutating func noteChange(_ g: Int) {
        guard tracksChanges else { return }
        if changedGPUs.count < owner.count { changedGPUs.append(Int32(g)) } else { changesOverflowed = true }
    }

    /// Changes node `n`'s free count by `delta`, keeping `freeIndex` in step.
    @inline(__always) mutating func adjustFree(_ n: Int, by delta: Int32) {
        let old = freeOnNode[n]
        freeOnNode[n] = old + delta
        freeIndex.move(n, from: old, to: old + delta)
    }

    /// The owner slot of a down GPU: positive, so that `owner[g] < 0` ("free") is false for it, and never a job.
    public static let downOwner = Int32.max

    /// Total free GPUs (neither held nor down).
    @inlinable public var freeGPUs: Int { topology.gpuCount - busyGPUs - downGPUs }

    /// Whether `gpu` is free.
    @inlinable public func isFree(_ gpu: GPUID) -> Bool { owner[gpu.index] < 0 }

    /// Whether `gpu` is down (failed, awaiting repair).
    @inlinable public func isDown(_ gpu: GPUID) -> Bool { owner[gpu.index] == Self.downOwner }

    /// The job holding `gpu`, or nil when it is free or down.
    @inlinable public func holder(of gpu: GPUID) -> JobID? {
        let o = owner[gpu.index]
        return o >= 0 && o != Self.downOwner ? JobID(Int(o)) : nil
    }

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
            } else if owner[g.index] == Self.downOwner {
                problem = .down(g, wanted: job)
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
            adjustFree(topology.gpuNode[g.index].index, by: -1)
            freeOfType[Int(topology.gpuTypeIndex[g.index])] -= 1
            noteChange(g.index)
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
            noteChange(g.index)
            adjustFree(topology.gpuNode[g.index].index, by: -1)
            freeOfType[Int(topology.gpuTypeIndex[g.index])] -= 1
        }
        busyGPUs += gpus.count
    }

    /// Takes `gpus` back from `job`. Throws, changing nothing, if `job` does not hold all of them.
    /// - Complexity: O(k) for k GPUs.
    public mutating func release(_ gpus: [GPUID], from job: JobID) throws(AllocationError) {
        for (i, g) in gpus.enumerated() {
            guard g.index >= 0 && g.index < owner.count else { throw .unknownGPU(g) }
            guard holds(job, g) else { throw .notHeld(g, by: job, heldBy: holder(of: g)) }
            for j in 0..<i where gpus[j] == g { throw .duplicate(g, job) }
        }
        releaseValidated(gpus, from: job)
    }

    /// Takes `gpus` back from `job` without checking them: for callers that know `job` holds each of them once (the
    /// engine releases the GPU list it gave the job, and checks its lists against the holders after every event in
    /// debug builds). The checks of `release` (a quadratic duplicate search per placement) were most of its cost on
    /// the restart path of preemptive policies. Debug builds still check.
    /// - Complexity: O(k) for k GPUs.
    public mutating func releaseValidated(_ gpus: [GPUID], from job: JobID) {
        #if SIM_INTERNAL_CHECKS
        for (i, g) in gpus.enumerated() {
            assert(holds(job, g), "\(job) does not hold \(g)")
            assert(!gpus[..<i].contains(g), "\(g) appears twice in the release of \(job)")
        }
        #endif
        for g in gpus {
            noteChange(g.index)
            if maxJobsPerGPU > 1 && guestCount[g.index] > 0 {
                leaveShared(g, job)
                continue
            }
            owner[g.index] = -1
            adjustFree(topology.gpuNode[g.index].index, by: 1)
            freeOfType[Int(topology.gpuTypeIndex[g.index])] += 1
            busyGPUs -= 1
        }
    }

    /// Checks that `gpus` exist, are distinct and are all free, without changing anything.
    public func validateFree(_ gpus: [GPUID], for job: JobID) throws(AllocationError) {
        guard !gpus.isEmpty else { throw .empty(job) }
        for (i, g) in gpus.enumerated() {
            guard g.index >= 0 && g.index < owner.count else { throw .unknownGPU(g) }
            guard owner[g.index] != Self.downOwner else { throw .down(g, wanted: job) }
            guard owner[g.index] < 0 else { throw .busy(g, heldBy: JobID(Int(owner[g.index])), wanted: job) }
            // Placements are small (≤ a few hundred GPUs), so a quadratic duplicate check beats allocating a set.
            for j in 0..<i where gpus[j] == g { throw .duplicate(g, job) }
        }
    }

    /// Adds one outstanding failure to each of `gpus` (distinct); those that were up go down. Returns how many
    /// went down. Throws, changing nothing, if one is unknown or held by a job (kill its jobs first).
    /// - Complexity: O(k) for k GPUs.
    @discardableResult
    public mutating func markDown(_ gpus: [GPUID]) throws(AllocationError) -> Int {
        for g in gpus {
            guard g.index >= 0 && g.index < owner.count else { throw .unknownGPU(g) }
            if let j = holder(of: g) { throw .heldWhileFailing(g, heldBy: j) }
        }
        var wentDown = 0
        for g in gpus {
            noteChange(g.index)
            downCount[g.index] += 1
            guard downCount[g.index] == 1 else { continue }
            owner[g.index] = Self.downOwner
            adjustFree(topology.gpuNode[g.index].index, by: -1)
            freeOfType[Int(topology.gpuTypeIndex[g.index])] -= 1
            wentDown += 1
        }
        downGPUs += wentDown
        return wentDown
    }

    /// Removes one outstanding failure from each of `gpus` (distinct); those with none left come back up, free.
    /// Returns how many came up. Throws, changing nothing, if one is unknown or not down.
    /// - Complexity: O(k) for k GPUs.
    @discardableResult
    public mutating func markRepaired(_ gpus: [GPUID]) throws(AllocationError) -> Int {
        for g in gpus {
            guard g.index >= 0 && g.index < owner.count else { throw .unknownGPU(g) }
            guard downCount[g.index] > 0 else { throw .notDown(g) }
        }
        var cameUp = 0
        for g in gpus {
            noteChange(g.index)
            downCount[g.index] -= 1
            guard downCount[g.index] == 0 else { continue }
            owner[g.index] = -1
            adjustFree(topology.gpuNode[g.index].index, by: 1)
            freeOfType[Int(topology.gpuTypeIndex[g.index])] += 1
            cameUp += 1
        }
        downGPUs -= cameUp
        return cameUp
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
    /// The GPU is down (failed, awaiting repair).
    case down(GPUID, wanted: JobID)
    /// A GPU taken down while a job still holds it.
    case heldWhileFailing(GPUID, heldBy: JobID)
    /// A repair of a GPU that is not down.
    case notDown(GPUID)

    public var description: String {
        switch self {
        case .unknownGPU(let g): return "\(g) does not exist in this cluster"
        case .busy(let g, let holder, let wanted): return "\(g) is already held by \(holder), cannot give it to \(wanted)"
        case .duplicate(let g, let j): return "\(g) appears twice in the placement of \(j)"
        case .empty(let j): return "placement of \(j) has no GPUs"
        case .notHeld(let g, let j, let holder):
            return "\(j) releases \(g), which is held by \(holder.map(\.description) ?? "nobody")"
        case .down(let g, let j): return "\(g) is down (failed, awaiting repair), cannot give it to \(j)"
        case .heldWhileFailing(let g, let j): return "\(g) cannot go down while \(j) holds it"
        case .notDown(let g): return "\(g) is repaired but is not down"
        }
    }
}
