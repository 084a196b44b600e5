import ClusterModel
import Models
import Network
import SimKernel
import Workload

/// How fast a job trains on a GPU set: the one question every part of SchedLab asks about speed.
///
/// Two implementations: `AlphaBetaThroughput` (each job alone, α–β ring all-reduce over its slowest link
/// class) and `FlowThroughput` (jobs share an explicit link graph with max-min fair flows). The engine
/// tells the model which jobs hold which GPUs (`attach`/`detach`) and asks it for running jobs' current
/// steps; policies ask the same model, through `ThroughputOracle`, what a job would do alone on GPUs it
/// does not hold. A data-parallel step waits for its slowest replica, so a placement over several GPU
/// types computes at the slowest type's speed everywhere.
///
/// A class-bound protocol: a model holds per-run state (caches, the fabric's flows) that the engine and the
/// oracle share by reference within one single-threaded run.
public protocol ThroughputModel: AnyObject {
    /// The model's name, as the scenario's `network.model` spells it.
    var name: String { get }
    /// The iteration of `job` on `gpus` if it ran alone on the cluster.
    func isolatedStep(of job: JobSpec, on gpus: [GPUID]) -> StepEstimate
    /// The iteration of `job` on its packed reference placement (see `JobSetup.referenceTemplate`), which
    /// defines what "runs as recorded" means for a duration job (0 without a model).
    func referenceStep(of job: JobSpec) -> Double
    /// Registers that `job` now holds `gpus` and communicates over them; returns the other attached jobs
    /// whose speed changed, in ascending ID order.
    func attach(_ job: JobSpec, on gpus: [GPUID]) -> [JobID]
    /// `attach(_:on:)` for a job that time-slices `gpus` with `sliceMates`, the other jobs holding them (ascending):
    /// it computes and communicates only in its own slices, so a model may let it share their traffic's footprint.
    func attach(_ job: JobSpec, on gpus: [GPUID], timeSlicingWith sliceMates: [JobID]) -> [JobID]
    /// Unregisters `job`; returns the attached jobs whose speed changed, in ascending ID order.
    func detach(_ job: JobID) -> [JobID]
    /// The current iteration of an attached `job` on `gpus`, given every other attached job.
    func currentStep(of job: JobSpec, on gpus: [GPUID]) -> StepEstimate
    /// Whether `attach` and `detach` defer the re-solve of shared links to `flush()`: then they return no jobs, an
    /// attached job's `currentStep` is valid only after the next flush, and the engine flushes once per event, so a
    /// round that preempts and starts many jobs re-solves the fabric once instead of once per change.
    var defersUpdates: Bool { get }
    /// Applies the deferred attaches and detaches; returns every attached job whose speed changed, ascending
    /// (jobs attached since the last flush included only when their speed depends on others).
    func flush() -> [JobID]
    /// Simulated time between link-utilization samples, or nil when the model has no links to sample.
    var linkSampleInterval: SimTime? { get }
    /// The busiest links now, busiest first (empty when the model has no links).
    func busiestLinks() -> [LinkUtilization]
}

/// The load of one fabric link at one moment.
public struct LinkUtilization: Sendable, Equatable {
    /// Dense link index in the run's link graph.
    public var link: Int32
    /// Human-readable link name (e.g. `nic12.up`).
    public var name: String
    /// Load over capacity, 0...1.
    public var utilization: Double

    /// Creates a sample.
    public init(link: Int32, name: String, utilization: Double) {
        self.link = link
        self.name = name
        self.utilization = utilization
    }
}

extension ThroughputModel {
    /// Models whose speeds do not depend on each other apply every change at once.
    public var defersUpdates: Bool { false }
    /// Nothing is ever deferred.
    public func flush() -> [JobID] { [] }
    /// Models without shared links treat a time-slicing job like any other (its slices are the engine's sharing factor).
    public func attach(_ job: JobSpec, on gpus: [GPUID], timeSlicingWith sliceMates: [JobID]) -> [JobID] { attach(job, on: gpus) }

    /// The estimate whose work rate follows from `step` for `job` on `gpuCount` GPUs.
    @inlinable public func estimate(
        of job: JobSpec, gpuCount: Int, compute: Double, communication: Double, step: Double
    ) -> StepEstimate {
        StepEstimate(
            compute: compute, communication: communication, seconds: step,
            communicationFraction: step > 0 ? (step - compute) / step : 0,
            workRate: WorkRate.of(
                job, gpuCount: gpuCount, step: step, referenceStep: job.model == nil ? 0 : referenceStep(of: job), compute: compute))
    }
}

/// Compute seconds per iteration by zoo model and GPU-type index of one topology, with the slowest-type rule.
public struct ComputeTable: Sendable {
    @usableFromInline let table: [[Double]]
    /// Tabulates every zoo model on every GPU type of `topology`.
    public init(topology: Topology) {
        table = ModelZoo.all.map { model in topology.gpuTypes.map { model.computeSeconds(on: $0) } }
    }

    /// Compute seconds of zoo model `model` on GPU-type index `type` at the reference batch.
    @inlinable public func seconds(model: Int, type: Int) -> Double { table[model][type] }

    /// Compute seconds of `model` on `gpus`: the slowest GPU type among them (synchronous data parallelism
    /// waits for the slowest replica).
    public func seconds(model: Int, on gpus: [GPUID], topology: Topology) -> Double {
        let first = Int(topology.gpuTypeIndex[gpus[0].index])
        var slowest = table[model][first]
        for g in gpus.dropFirst() {
            let t = Int(topology.gpuTypeIndex[g.index])
            if t != first { slowest = max(slowest, table[model][t]) }
        }
        return slowest
    }
}
