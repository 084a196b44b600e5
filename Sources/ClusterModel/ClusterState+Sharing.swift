/// How the jobs on one shared GPU use it.
public enum SharingMode: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// All of them run at once (space sharing, Gandiva's "packing"); each is slowed by its co-runners, and their
    /// memory footprints must fit the GPU together.
    case packed = 1
    /// They take turns in time slices (Gandiva's suspend/resume time-slicing); only the running one needs the
    /// GPU's memory, the others wait in host memory.
    case timeSliced = 2

    public var description: String { self == .packed ? "packed" : "time-sliced" }
}

/// GPU sharing: several jobs holding one GPU. The owner slot keeps the first holder, so every exclusive-only
/// reader (placement, `isFree`, the free counts) is unchanged; guests live in a flat slot array beside it.
extension ClusterState {
    /// Jobs holding `gpu` (0 when free or down).
    @inlinable public func holderCount(of gpu: GPUID) -> Int {
        let o = owner[gpu.index]
        guard o >= 0 && o != Self.downOwner else { return 0 }
        return maxJobsPerGPU > 1 ? 1 + Int(guestCount[gpu.index]) : 1
    }

    /// Whether `job` holds `gpu`, as its owner or as a guest.
    @inlinable public func holds(_ job: JobID, _ gpu: GPUID) -> Bool {
        let o = owner[gpu.index]
        if o == job.raw { return true }
        guard maxJobsPerGPU > 1, o >= 0, o != Self.downOwner else { return false }
        let base = gpu.index * (maxJobsPerGPU - 1)
        for k in 0..<Int(guestCount[gpu.index]) where guests[base + k] == job.raw { return true }
        return false
    }

    /// The jobs holding `gpu`: its owner first, then its guests in joining order.
    public func holders(of gpu: GPUID) -> [JobID] {
        guard let first = holder(of: gpu) else { return [] }
        var out = [first]
        if maxJobsPerGPU > 1 {
            let base = gpu.index * (maxJobsPerGPU - 1)
            for k in 0..<Int(guestCount[gpu.index]) { out.append(JobID(Int(guests[base + k]))) }
        }
        return out
    }

    /// Calls `body` with each job holding `gpu`, in `holders(of:)`'s order, without building the list (the engine and
    /// policies ask this per changed GPU, and an array per GPU showed in profiles of sharing runs).
    @inlinable public func forEachHolder(of gpu: GPUID, _ body: (JobID) -> Void) {
        let o = owner[gpu.index]
        guard o >= 0 && o != Self.downOwner else { return }
        body(JobID(Int(o)))
        guard maxJobsPerGPU > 1 else { return }
        let base = gpu.index * (maxJobsPerGPU - 1)
        for k in 0..<Int(guestCount[gpu.index]) { body(JobID(Int(guests[base + k]))) }
    }

    /// Whether `a` and `b` are held by the same jobs in the same order (`holders(of: a) == holders(of: b)`, without
    /// building the two lists: policies ask this for every GPU of every running job).
    public func sameHolders(_ a: GPUID, _ b: GPUID) -> Bool {
        let oa = owner[a.index], ob = owner[b.index]
        let heldA = oa >= 0 && oa != Self.downOwner, heldB = ob >= 0 && ob != Self.downOwner
        guard heldA == heldB else { return false }
        guard heldA else { return true }
        guard oa == ob else { return false }
        guard maxJobsPerGPU > 1 else { return true }
        let n = guestCount[a.index]
        guard n == guestCount[b.index] else { return false }
        let slots = maxJobsPerGPU - 1
        let baseA = a.index * slots, baseB = b.index * slots
        for k in 0..<Int(n) where guests[baseA + k] != guests[baseB + k] { return false }
        return true
    }

    /// How `gpu` is shared, or nil when fewer than two jobs hold it.
    @inlinable public func sharing(of gpu: GPUID) -> SharingMode? {
        guard maxJobsPerGPU > 1 else { return nil }
        return SharingMode(rawValue: sharingMode[gpu.index])
    }

    /// Gives `gpus` to `job` as a sharer: a free GPU becomes its own, a held one takes it as a guest in `mode`.
    /// For callers that have validated the list (distinct, up, not held by `job`, under the job limit, and
    /// every held GPU shared in `mode` or not shared yet): the engine validates a round before applying it.
    /// Debug builds still check.
    /// - Complexity: O(k) for k GPUs.
    public mutating func joinValidated(_ gpus: [GPUID], for job: JobID, mode: SharingMode) {
        for g in gpus {
            let i = g.index
            assert(owner[i] != Self.downOwner && !holds(job, g), "\(g) cannot take \(job)")
            noteChange(i)
            if owner[i] < 0 {
                owner[i] = job.raw
                adjustFree(topology.gpuNode[i].index, by: -1)
                freeOfType[Int(topology.gpuTypeIndex[i])] -= 1
                busyGPUs += 1
                continue
            }
            let n = Int(guestCount[i])
            assert(n + 1 < maxJobsPerGPU, "\(g) already has \(n + 1) jobs")
            assert(n == 0 || sharingMode[i] == mode.rawValue, "\(g) is shared another way")
            guests[i * (maxJobsPerGPU - 1) + n] = job.raw
            guestCount[i] = UInt8(n + 1)
            sharingMode[i] = mode.rawValue
            if n == 0 { sharedGPUs += 1 }
            totalGuests += 1
        }
    }

    /// Takes shared `gpu` back from `job` (its owner or a guest); the oldest guest becomes owner if the owner leaves.
    mutating func leaveShared(_ gpu: GPUID, _ job: JobID) {
        let i = gpu.index
        let base = i * (maxJobsPerGPU - 1)
        let n = Int(guestCount[i])
        var k = 0
        if owner[i] == job.raw {
            owner[i] = guests[base]  // promote the oldest guest; slot 0 is removed below
        } else {
            while guests[base + k] != job.raw { k += 1 }
        }
        for m in k..<(n - 1) { guests[base + m] = guests[base + m + 1] }
        guests[base + n - 1] = -1
        guestCount[i] = UInt8(n - 1)
        totalGuests -= 1
        if n == 1 {
            sharingMode[i] = 0
            sharedGPUs -= 1
        }
    }

    /// The sharing part of `invariantViolation`: guests only on held GPUs, within the limit, distinct from each
    /// other and from the owner; the mode set exactly on shared GPUs; the counts agree.
    func sharingInvariantViolation() -> String? {
        guard maxJobsPerGPU > 1 else { return nil }
        var shared = 0
        var total = 0
        let stride = maxJobsPerGPU - 1
        for g in 0..<owner.count {
            let n = Int(guestCount[g])
            if n > stride { return "gpu\(g) has \(n) guests, over the limit of \(maxJobsPerGPU) jobs per GPU" }
            if n > 0 && (owner[g] < 0 || owner[g] == Self.downOwner) { return "gpu\(g) has guests but no owner" }
            if (n > 0) != (sharingMode[g] != 0) { return "gpu\(g) has \(n) guests and sharing mode \(sharingMode[g])" }
            var seen = [owner[g]]
            for k in 0..<stride {
                let j = guests[g * stride + k]
                if k >= n {
                    if j != -1 { return "gpu\(g) has a stale guest slot \(k) = \(j)" }
                    continue
                }
                if j < 0 || seen.contains(j) { return "gpu\(g) lists job \(j) twice or invalid among its holders" }
                seen.append(j)
            }
            if n > 0 { shared += 1 }
            total += n
        }
        if shared != sharedGPUs { return "shared GPU count \(sharedGPUs) but \(shared) GPUs have guests" }
        if total != totalGuests { return "guest count \(totalGuests) but \(total) guests are listed" }
        return nil
    }
}
