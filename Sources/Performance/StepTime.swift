import ClusterModel
import Models
import Network

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Iteration time with overlap

/// One training iteration's modeled time with its parts: compute, each collective phase and the bottleneck link.
public struct StepBreakdown: Sendable, Equatable {
    /// Compute seconds per iteration (forward, backward, optimizer).
    public var compute: Double
    /// Each all-reduce phase, in order.
    public var phases: [PhaseTime]
    /// Σ phase times: the all-reduce alone, seconds.
    public var communication: Double
    /// How compute and communication were combined.
    public var overlap: OverlapModel
    /// Seconds per iteration: `overlap` of compute and communication.
    public var total: Double
    /// The link limiting the slowest phase's transfer, nil for one GPU.
    public var bottleneck: LinkID?
    /// The kind of `bottleneck`.
    public var bottleneckKind: LinkKind?

    /// The overlap exponent γ used, or nil when the overlap is DDP's bucket queue.
    public var gamma: Double? { overlap.gamma }

    /// Communication time not hidden behind compute: total − compute, seconds.
    public var exposedCommunication: Double { total - compute }
    /// Share of the iteration spent waiting on communication: exposed communication / total (0 when total is 0).
    public var communicationFraction: Double { total > 0 ? exposedCommunication / total : 0 }

    /// Creates a breakdown.
    public init(
        compute: Double, phases: [PhaseTime], communication: Double, overlap: OverlapModel, total: Double,
        bottleneck: LinkID?, bottleneckKind: LinkKind?
    ) {
        self.compute = compute
        self.phases = phases
        self.communication = communication
        self.overlap = overlap
        self.total = total
        self.bottleneck = bottleneck
        self.bottleneckKind = bottleneckKind
    }
}

/// Combines compute and communication into an iteration time with Pollux's overlap model.
///
/// T_iter = (T_c^γ + T_n^γ)^(1/γ), γ ≥ 1 (Qiao et al., "Pollux: Co-adaptive Cluster Scheduling for
/// Goodput-Optimized Deep Learning", OSDI 2021, §3.1 throughput model).
/// γ = 1 is no overlap (T_c + T_n), γ → ∞ perfect overlap (max(T_c, T_n)).
///
/// Default γ = 2 [derived]. PyTorch DDP launches gradient-bucket all-reduces during the backward pass, so a
/// large part of communication hides behind compute, but not all: the forward pass (about a third of compute)
/// overlaps nothing and the last bucket's all-reduce and the optimizer step run after backward. Perfect overlap
/// (large γ) is therefore too optimistic and no overlap (γ = 1) too pessimistic; γ = 2, the low end of the
/// notes' 2–3, gives √2·T at T_c = T_n (a 29% saving over serial against the 50% of perfect overlap). Pollux fits
/// γ per job from measurements; a zoo model's own γ (`ZooModel.overlapGamma`) overrides this default. The
/// alternative mechanism, DDP's bucket queue, is `GradientBuckets` (`OverlapKind.ddpBuckets`).
public enum StepTimeModel {
    /// Default overlap exponent γ (see the type's documentation).
    public static let defaultGamma = 2.0

    /// (compute^γ + communication^γ)^(1/γ); `.infinity` gives max(compute, communication).
    ///
    /// Scaled by the larger term so large γ cannot overflow.
    public static func overlap(compute: Double, communication: Double, gamma: Double = defaultGamma) -> Double {
        precondition(gamma >= 1, "the overlap exponent γ must be at least 1")
        let m = max(compute, communication)
        guard m > 0 else { return 0 }
        if gamma.isInfinite { return m }
        return m * pow(pow(compute / m, gamma) + pow(communication / m, gamma), 1 / gamma)
    }

    /// The breakdown of an iteration of `compute` seconds and the collective `collective`.
    public static func breakdown(
        compute: Double, collective: CollectiveTime, graph: LinkGraph, gamma: Double = defaultGamma
    ) -> StepBreakdown {
        breakdown(compute: compute, collective: collective, graph: graph, overlap: .exponent(gamma))
    }

    /// The breakdown of an iteration of `compute` seconds and the collective `collective`, combined by `overlap`.
    public static func breakdown(
        compute: Double, collective: CollectiveTime, graph: LinkGraph, overlap: OverlapModel
    ) -> StepBreakdown {
        let comm = collective.total
        let bottleneck = collective.slowestPhase?.bottleneck
        return StepBreakdown(
            compute: compute, phases: collective.phases, communication: comm, overlap: overlap,
            total: overlap.stepSeconds(compute: compute, communication: comm), bottleneck: bottleneck,
            bottleneckKind: bottleneck.map { graph[$0].kind })
    }

    /// Compute seconds of one iteration of `model` on `gpus` at `localBatch` per GPU (nil: the zoo's reference).
    ///
    /// The zoo's compute time for the slowest GPU type among `gpus` (synchronous data parallelism waits for the
    /// slowest replica), scaled linearly with the local batch, as `Workload.SpeedModel` does.
    public static func computeSeconds(model: ZooModel, gpus: [GPUID], topology: Topology, localBatch: Int? = nil) -> Double {
        let scale = Double(localBatch ?? model.referenceBatchPerGPU) / Double(model.referenceBatchPerGPU)
        var types: [Int32] = gpus.map { topology.gpuTypeIndex[$0.index] }
        types = Array(Set(types)).sorted()
        let seconds = types.map { model.computeSeconds(on: topology.gpuTypes[Int($0)]) }.max() ?? 0
        return seconds * scale
    }

    /// The iteration breakdown of `model` on `gpus` when the job is alone on the fabric.
    public static func uncontended(
        model: ZooModel, gpus: [GPUID], graph: LinkGraph, localBatch: Int? = nil, gamma: Double = defaultGamma,
        options: CollectiveOptions = CollectiveOptions()
    ) -> StepBreakdown {
        let plan = AllReducePlan(gpus: gpus, bytes: model.gradientBytes, graph: graph, options: options)
        let compute = computeSeconds(model: model, gpus: gpus, topology: graph.topology, localBatch: localBatch)
        return breakdown(compute: compute, collective: plan.uncontendedTime(on: graph), graph: graph, gamma: gamma)
    }
}
