extension ClusterState {
    /// Recomputes every derived count from the owner array and returns the first inconsistency, or nil.
    ///
    /// Run after every event in debug builds (`SIM_INTERNAL_CHECKS`): free + busy = total, per-node and
    /// per-type free counts match the owners; down GPUs are exactly those with outstanding failures, counted in
    /// neither; guests (GPU sharing) sit only on held GPUs, within the per-GPU job limit, each job at most
    /// once per GPU. The engine checks that each job's GPU list matches these holders and that shared GPUs stay
    /// within their memory.
    public func invariantViolation() -> String? {
        var perNode = Array(repeating: Int32(0), count: topology.nodeCount)
        var perType = Array(repeating: Int32(0), count: topology.gpuTypes.count)
        var busy = 0
        var down = 0
        for g in 0..<owner.count {
            if (owner[g] == Self.downOwner) != (downCount[g] > 0) || downCount[g] < 0 {
                return "gpu\(g) has owner \(owner[g]) but \(downCount[g]) outstanding failures"
            }
            if owner[g] == Self.downOwner {
                down += 1
            } else if owner[g] < 0 {
                perNode[topology.gpuNode[g].index] += 1
                perType[Int(topology.gpuTypeIndex[g])] += 1
            } else {
                busy += 1
            }
        }
        if down != downGPUs { return "down GPU count \(downGPUs) but \(down) GPUs are down" }
        if busy != busyGPUs { return "busy GPU count \(busyGPUs) but \(busy) GPUs have owners" }
        if perNode != freeOnNode { return "per-node free counts \(freeOnNode) disagree with owners \(perNode)" }
        if freeIndex != FreeCountIndex(freeOnNode: freeOnNode, capacity: topology.nodeGPUCount) {
            return "the nodes-by-free-count index disagrees with the per-node free counts \(freeOnNode)"
        }
        if perType != freeOfType { return "per-type free counts \(freeOfType) disagree with owners \(perType)" }
        return sharingInvariantViolation()
    }
}
