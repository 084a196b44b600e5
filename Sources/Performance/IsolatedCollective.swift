import ClusterModel
import Network

/// The all-reduce of an *isolated* running job, kept out of the shared `FlowNetwork` (see `FabricFlows`): each of its
/// flows would be alone on every link it crosses, and every one of those links is private to one of the job's GPUs
/// (`LinkGraph.privateLinkGPUs`), so no other job's flows can reach them unless a job shares one of its GPUs.
///
/// Why its time needs no solve: in the network such a flow is *lone* (`FlowNetwork`'s notes): its links are slack,
/// it is a component of its own, and its rate is its bound min(cap, min over its links of capacity), whatever the
/// rest of the fabric does, for as long as no other flow joins one of its links. So its collective time is fixed
/// from its start; it is computed once, with the arithmetic the network path uses (`loneRate`, then
/// `FlatAllReducePlan.totalSeconds`), so it is the same Double.
struct IsolatedCollective {
    /// The placement, in the order the job gave it.
    var gpus: [GPUID]
    /// Bytes all-reduced per rank.
    var bytes: Double
    /// The plan, where one was built (placements over several nodes, duty cycles); nil for the ring of two or more
    /// GPUs on one node, whose plan is rebuilt from `gpus` only if the job has to join the network.
    var plan: FlatAllReducePlan?
    /// The weight the flows would have in the network (the duty cycle, `DutyCycle`; 1 when always active).
    var weight: Double
    /// Each flow's cap as the network would hold it; nil: uncapped.
    var caps: [Double]?
    /// Whether the job started after the last re-solve: its flows would still wait for one, and the next one reports
    /// the job as changed, as it reports every new flow.
    var awaitingSolve: Bool

    /// The rate `FlowNetwork` gives a lone flow capped at `cap` over `path`: its bound, min(cap, min over the path of
    /// capacity / multiplicity), with the same operations in the same order. Every multiplicity is 1 (a lone flow
    /// crosses no link twice), and x / 1 is x exactly, so the division is left out.
    @inline(__always) static func loneRate<Path: Sequence<LinkID>>(cap: Double, path: Path, capacities: [Double]) -> Double {
        var b = cap
        for l in path { b = min(b, capacities[l.index]) }
        return b
    }
}
