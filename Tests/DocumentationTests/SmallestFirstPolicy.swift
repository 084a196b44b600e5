// The code of the article "Write your first policy" (Sources/Scheduling/Scheduling.docc/WriteYourFirstPolicy.md).
// Each region between "// snippet: NAME" and "// end snippet" is one code listing of the article, in order, and
// must equal it character for character (after removing the region's common indentation):
// `FirstPolicyArticleTests.testArticleListingsAreTheCompiledCode` fails otherwise. Edit both together.
import ClusterModel
import Engine
import Models
@testable import Scheduling
import SimKernel
import Workload

// snippet: type
/// Starts waiting jobs fewest GPUs first, each on the GPU type it trains fastest on when that type has room.
public struct SmallestFirstPolicy {
    /// Creates the policy; it has no parameters.
    public init() {}
}
// end snippet

// snippet: schedule
extension SmallestFirstPolicy: SchedulingPolicy {
    public static let name = "smallest-first"

    public mutating func schedule(_ snapshot: ClusterSnapshot, planner: inout PlacementPlanner) -> [SchedulingDecision] {
        // Fewest GPUs first; equal requests in submission order (JobIDs are dense, in submission order).
        let order = snapshot.queue.sorted { (snapshot[$0].gpuCount, $0) < (snapshot[$1].gpuCount, $1) }
        var decisions: [SchedulingDecision] = []
        for id in order {
            if planner.cluster.freeGPUs == 0 { break }
            if let gpus = place(snapshot[id], in: snapshot, planner: &planner) {
                decisions.append(.start(id, gpus: gpus))
            }
        }
        return decisions
    }
}
// end snippet

// snippet: place
extension SmallestFirstPolicy {
    /// GPUs for `job`, reserved in the plan: on its fastest eligible type if that type has room, else wherever
    /// the run's placement strategy finds them among its eligible types; nil when it does not fit.
    func place(_ job: JobStatus, in snapshot: ClusterSnapshot, planner: inout PlacementPlanner) -> [GPUID]? {
        if let fastest = fastestType(for: job, in: snapshot),
           let gpus = planner.place(job.id, count: job.gpuCount, types: GPUTypeMask(bits: 1 << UInt64(fastest))) {
            return gpus
        }
        return planner.place(job.id, count: job.gpuCount, types: job.eligibleTypes)
    }
}
// end snippet

// snippet: oracle
extension SmallestFirstPolicy {
    /// The eligible GPU type (an index into `topology.gpuTypes`) on which `job` alone trains fastest at its
    /// requested size; the first of equally fast types; nil without an oracle.
    func fastestType(for job: JobStatus, in snapshot: ClusterSnapshot) -> Int? {
        guard let oracle = snapshot.oracle else { return nil }
        var best: (type: Int, rate: Double)?
        for type in snapshot.topology.gpuTypes.indices where job.eligibleTypes.contains(type) {
            guard let rate = oracle.rate(of: job.spec, gpuType: type, count: job.gpuCount) else { continue }
            if rate > (best?.rate ?? 0) { best = (type, rate) }
        }
        return best?.type
    }
}
// end snippet

// snippet: rounds
extension SmallestFirstPolicy {
    /// The policy only starts waiting jobs, so rounds with nobody waiting or no free GPU can be skipped.
    public static let onlyStartsWaitingJobs = true
}
// end snippet

/// The article's simulation: one L4 node and one A100 node, three ResNet-50 jobs submitted together.
func runSmallestFirstExample() throws -> RunResult {
    // snippet: run
    let topology = Topology(racks: [
        (name: "rack0", nodes: [NodeTemplateCatalog.named("pcie-8gpu")!, NodeTemplateCatalog.named("dgx-a100")!]),
    ])
    let resnet = ModelZoo.index(named: "resnet50")
    let jobs = [8, 4, 2].enumerated().map { i, gpus in
        JobSpec(id: JobID(i), name: "job\(i)", submitTime: .zero, gpuCount: gpus, model: resnet, work: .iterations(5_000))
    }
    let simulation = Simulation(
        topology: topology, jobs: jobs, policy: SmallestFirstPolicy(), placement: PackedPlacement(),
        options: SimulationOptions(checkInvariants: true))
    let result = try simulation.run()
    for allocation in result.allocations {
        print("job \(allocation.job) on node \(allocation.node) from \(allocation.start) to \(allocation.end)")
    }
    // end snippet
    return result
}

extension PolicyCatalog {
    /// The article's catalog entry, as it would stand in `PolicyCatalog.all`.
    static let tutorialEntries: [Entry] = [
        // snippet: catalog
        Entry(name: SmallestFirstPolicy.name, summary: "fewest GPUs first, each job on its fastest GPU type",
              parameters: [], make: { d in _ = try d.map(NoParameters.init(from:)); return SmallestFirstPolicy() }),
        // end snippet
    ]
}
