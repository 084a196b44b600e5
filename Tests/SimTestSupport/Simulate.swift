import ClusterModel
import Performance
import Engine
import Scheduling
import SimKernel
import Workload

/// Builds a simulation with invariant checks on and the given observers attached.
public func makeSimulation(
    jobs: [JobSpec], topology: Topology, policy: any SchedulingPolicy = FIFOPolicy(),
    placement: any PlacementStrategy = FirstFitPlacement(), observers: [any SimulationObserver] = [],
    interconnect: Interconnect? = nil, costs: any TransitionCostModel = FreeTransitions(), failures: FailureModel? = nil,
    sharing: GPUSharingModel = GPUSharingModel()
) -> Simulation {
    let sim = Simulation(
        topology: topology, jobs: jobs, policy: policy, placement: placement, interconnect: interconnect, costs: costs,
        failures: failures, sharing: sharing, options: SimulationOptions(checkInvariants: true))
    sim.observers = observers
    return sim
}

/// Runs a simulation to the end (invariants checked after every event) and returns its result.
public func simulate(
    jobs: [JobSpec], topology: Topology, policy: any SchedulingPolicy = FIFOPolicy(),
    placement: any PlacementStrategy = FirstFitPlacement(), observers: [any SimulationObserver] = [],
    interconnect: Interconnect? = nil, costs: any TransitionCostModel = FreeTransitions(), failures: FailureModel? = nil,
    sharing: GPUSharingModel = GPUSharingModel()
) throws -> RunResult {
    try makeSimulation(jobs: jobs, topology: topology, policy: policy, placement: placement, observers: observers,
                       interconnect: interconnect, costs: costs, failures: failures, sharing: sharing).run()
}

/// Every policy of the catalog with default parameters, by name (what property and determinism tests iterate).
public var everyCatalogPolicy: [(name: String, make: () -> any SchedulingPolicy)] {
    PolicyCatalog.all.map { entry in (entry.name, { try! entry.make(nil) }) }
}

/// Every placement strategy of the catalog.
public var everyPlacement: [any PlacementStrategy] { PlacementCatalog.all.map { $0.make() } }

extension RunResult {
    /// The summary metric called `name` (traps if absent).
    public func metric(_ name: String) -> Double {
        guard let m = summary.first(where: { $0.name == name }) else { fatalError("no metric \(name)") }
        return m.value
    }

    /// JCT of every job in seconds (nil for unfinished ones), by JobID.
    public var jcts: [Double?] { jobs.map(\.jctSeconds) }

    /// First start of every job in seconds (nil if never started), by JobID.
    public var starts: [Double?] { jobs.map { $0.firstStart?.seconds } }

    /// Finish of every job in seconds (nil if unfinished), by JobID.
    public var finishes: [Double?] { jobs.map { $0.finish?.seconds } }
}
