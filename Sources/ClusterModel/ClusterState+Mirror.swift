/// Keeping a second `ClusterState` equal to this one at the cost of what changed, not of the cluster's size.
///
/// Why: each policy round plans on its own copy of the cluster (`PlacementPlanner`), and with copy-on-write that
/// copy's first change duplicated the per-GPU arrays: O(GPUs) per round, most of a run's time on 16,384 GPUs
/// (callgrind, `schedlab bench --scale`). The engine instead keeps one planning copy across rounds and, before
/// each round, brings it level with its own state through the GPUs either side changed since the last time.
extension ClusterState {
    /// Makes `copy` equal to `self` again, and clears both change lists.
    ///
    /// `copy` must have been equal to `self` when both lists were last cleared (or have `changesOverflowed` set), and
    /// both must have tracked their changes since (`tracksChanges`): then only the entries of GPUs in either list,
    /// their nodes' free counts, the per-type counts and the totals can differ.
    /// - Complexity: O(changed GPUs + GPU types), or O(GPUs) after an overflow.
    package mutating func mirror(into copy: inout ClusterState) {
        precondition(copy.topology === topology && copy.maxJobsPerGPU == maxJobsPerGPU, "mirror of another cluster")
        if changesOverflowed || copy.changesOverflowed {
            let all = (0..<Int32(owner.count)).map { $0 }
            copyEntries(at: all, into: &copy)
        } else {
            copyEntries(at: changedGPUs, into: &copy)
            let theirs = copy.changedGPUs
            copyEntries(at: theirs, into: &copy)
        }
        for t in freeOfType.indices { copy.freeOfType[t] = freeOfType[t] }
        // The index is a function of the free counts just copied; sharing its few words is cheaper than moving each
        // changed node (a first change on either side copies them: (GPUs per node + 1) × ⌈nodes / 64⌉ words).
        copy.freeIndex = freeIndex
        copy.busyGPUs = busyGPUs
        copy.downGPUs = downGPUs
        copy.sharedGPUs = sharedGPUs
        copy.totalGuests = totalGuests
        copy.clearChanges()
        clearChanges()
        assert(copy.sameState(as: self), "mirrored cluster state differs")
    }

    /// Copies every entry of GPUs `gpus` (repeats allowed) and their nodes' free counts into `copy`, through buffer
    /// pointers: this runs for every GPU of every start and stop, where checked array stores cost several times more.
    private func copyEntries(at gpus: [Int32], into copy: inout ClusterState) {
        guard !gpus.isEmpty else { return }
        gpus.withUnsafeBufferPointer { gpus in
            Self.copy(owner, &copy.owner, at: gpus)
            Self.copy(downCount, &copy.downCount, at: gpus)
            topology.gpuNode.withUnsafeBufferPointer { node in
                freeOnNode.withUnsafeBufferPointer { src in
                    copy.freeOnNode.withUnsafeMutableBufferPointer { dst in
                        for g in gpus {
                            let n = node[Int(g)].index
                            dst[n] = src[n]
                        }
                    }
                }
            }
            guard maxJobsPerGPU > 1 else { return }
            Self.copy(guestCount, &copy.guestCount, at: gpus)
            Self.copy(sharingMode, &copy.sharingMode, at: gpus)
            let stride = maxJobsPerGPU - 1
            for g in gpus {
                for k in (Int(g) * stride)..<((Int(g) + 1) * stride) { copy.guests[k] = guests[k] }
            }
        }
    }

    /// Sets `dst[g] = src[g]` for each index in `gpus`.
    @inline(__always) private static func copy<T>(_ src: [T], _ dst: inout [T], at gpus: UnsafeBufferPointer<Int32>) {
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                for g in gpus { d[Int(g)] = s[Int(g)] }
            }
        }
    }

    /// Clears the change list (after `mirror(into:)` from the other side, or to start tracking afresh).
    package mutating func clearChanges() {
        changedGPUs.removeAll(keepingCapacity: true)
        changesOverflowed = false
    }

    /// Marks every entry as changed: the next `mirror(into:)` to or from this state copies everything.
    package mutating func forceFullMirror() { changesOverflowed = true }

    /// Whether every GPU, node and type entry and every total equals `other`'s (the change lists aside).
    package func sameState(as other: ClusterState) -> Bool {
        owner == other.owner && downCount == other.downCount && freeOnNode == other.freeOnNode
            && freeIndex == other.freeIndex
            && freeOfType == other.freeOfType && guests == other.guests && guestCount == other.guestCount
            && sharingMode == other.sharingMode && busyGPUs == other.busyGPUs && downGPUs == other.downGPUs
            && sharedGPUs == other.sharedGPUs && totalGuests == other.totalGuests
    }
}
