import ClusterModel
import Engine
import Network
import Performance
import Scheduling
import Workload

/// A validated scenario, ready to simulate: cluster, jobs, policy and placement, plus provenance.
public struct Scenario {
    /// Path of the scenario file as given.
    public let path: String
    /// The scenario's YAML as loaded, after any `--set` overrides: what the run used, and what is recorded.
    public let text: String
    /// Scenario name (the file's `name:`, or its file name without extension).
    public let name: String
    /// Free-text description from the file.
    public let description: String?
    /// The master seed the jobs were generated with.
    public let seed: UInt64
    /// SHA-256 (hex) of `text`'s UTF-8 bytes (the file's bytes when nothing was overridden), then the hardware
    /// profile's and the trace file's bytes, if any, then an external policy's files (`policyFiles`).
    public let hash: String
    /// The cluster.
    public let topology: Topology
    /// The jobs, in submission order.
    public let jobs: [JobSpec]
    /// The policy's catalog name.
    public let policyName: String
    /// The policy, configured with its scenario parameters (a `var` so that a run can wrap it, e.g. in a
    /// `DecisionRecorder`).
    public var policy: any SchedulingPolicy
    /// The policy's parameters as written in the scenario (canonical YAML), empty for defaults.
    public let policyParameters: String
    /// The files of an external policy hashed into `hash`, as resolved paths in order: the command's arguments
    /// that name existing files, then `policy.files`; empty for other policies.
    public var policyFiles: [String] = []
    /// The placement strategy's catalog name.
    public let placementName: String
    /// The flow-level interconnect model, or nil for the first-version α–β speed model.
    public let interconnect: Interconnect?
    /// Trace rows skipped as bad (`on_bad_row: skip`), each with its located error; empty otherwise.
    public let skippedRows: [InputError]
    /// The scenario's named variants (`variants:`), each a list of overrides, in name order.
    public var variants: [(name: String, overrides: [ScenarioOverride])] = []
    /// How long checkpoints, restores, resizes and migrations take (`checkpoint:`; free without the section).
    public var transitionCosts: any TransitionCostModel = FreeTransitions()
    /// Node and GPU failure processes (`failures:`); nil without the section.
    public var failures: FailureModel?
    /// GPU sharing limits and co-location factors (`sharing:`; defaults without the section).
    public var sharing = GPUSharingModel()

    /// A simulation of this scenario.
    public func makeSimulation(options: SimulationOptions = SimulationOptions()) -> Simulation {
        Simulation(
            topology: topology, jobs: jobs, policy: policy, placement: PlacementCatalog.make(placementName)!,
            interconnect: interconnect, costs: transitionCosts, failures: failures, sharing: sharing, options: options)
    }
}
