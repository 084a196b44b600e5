import ClusterModel
import Models
import Workload

/// Answers "how fast would this job train on that?" for policies: a job alone on a hypothetical GPU set,
/// or on `n` GPUs of one type packed on the first nodes that have them.
///
/// Isolated means no contention from other jobs (the flow model's fabric is empty for the question).
/// Answers are cached by everything they depend on besides the job's reference step (which only rescales the
/// work rate): the model, the compute scale of a job sharding a global batch (`BatchSharding.computeScale`), and
/// the placement, so a policy that asks for the whole job × type matrix every round (Gavel), or prices many
/// candidate GPU sets of the same shape (`fabric`), pays a dictionary lookup after the first question.
/// - Per-type answers are keyed by (model, scale, GPU count, type).
/// - Answers on explicit GPU sets are keyed by the set's `PlacementShape`: the same answer for every set that a
///   relabelling of identical nodes and identical racks maps onto it. This relies on the speed model seeing the
///   cluster only through its node templates, GPU types and rack composition (true of both built-in models,
///   whose link graph is built from exactly those); debug builds with internal checks compare every cached
///   answer with a fresh one.
/// The caches are keyed and read only, never iterated, so they cannot make a run depend on hashing order.
public final class ThroughputOracle {
    /// The run's speed model.
    public let model: any ThroughputModel
    /// The cluster.
    public let topology: Topology
    private var typeSteps: [TypeKey: StepEstimate?] = [:]
    private var shapeSteps: [ShapeKey: StepEstimate] = [:]
    /// Which nodes and racks are interchangeable for the speed model.
    private let classes: PlacementShape.Classes
    /// Scratch for the shape of the set being asked about (no allocation per question).
    private var scratch = PlacementShape.Scratch()
    /// Beyond this many cached shapes the cache starts over (bounds memory on very long runs; answers are the same).
    static let shapeCacheLimit = 1 << 18

    private struct TypeKey: Hashable {
        var model: Int
        var scale: UInt64
        var gpus: Int
        var type: Int
        /// The global batch of a job whose model has an efficiency profile (its compute depends on it); 0 otherwise.
        var batch: Int
    }

    private struct ShapeKey: Hashable {
        var model: Int
        var scale: UInt64
        var shape: [Int32]
    }

    /// Creates an oracle over the run's model.
    public init(model: any ThroughputModel, topology: Topology) {
        self.model = model
        self.topology = topology
        self.classes = PlacementShape.Classes(topology)
    }

    /// The iteration of `job` alone on `gpus` (any GPUs of the cluster, held or not).
    public func step(of job: JobSpec, on gpus: [GPUID]) -> StepEstimate {
        precondition(!gpus.isEmpty, "a placement needs at least one GPU")
        guard let m = job.model else { return model.isolatedStep(of: job, on: gpus) }
        let scale = BatchSharding.computeScale(of: job, gpuCount: gpus.count).bitPattern
        let key = ShapeKey(model: m, scale: scale, shape: PlacementShape.key(of: gpus, classes, topology, scratch: &scratch))
        if let cached = shapeSteps[key] {
            let answer = rebased(cached, for: job, count: gpus.count)
            #if SIM_INTERNAL_CHECKS
            assert(answer == model.isolatedStep(of: job, on: gpus), "shape cache disagrees with the model on \(gpus)")
            #endif
            return answer
        }
        let estimate = model.isolatedStep(of: job, on: gpus)
        if shapeSteps.count >= Self.shapeCacheLimit { shapeSteps.removeAll(keepingCapacity: true) }
        shapeSteps[key] = estimate
        return estimate
    }

    /// Work units per second of `job` alone on `gpus`.
    public func rate(of job: JobSpec, on gpus: [GPUID]) -> Double { step(of: job, on: gpus).workRate }

    /// The iteration of `job` alone on `count` GPUs of type index `type`, packed (whole nodes first, in node
    /// order); nil when the cluster has fewer than `count` GPUs of that type.
    public func step(of job: JobSpec, gpuType type: Int, count: Int) -> StepEstimate? {
        precondition(count >= 1, "a placement needs at least one GPU")
        guard type >= 0 && type < topology.gpuTypes.count else { return nil }
        guard let m = job.model else {
            // Without a model the rate depends on the GPU count alone.
            guard count <= topology.gpuCount(ofType: type) else { return nil }
            return StepEstimate(compute: 0, communication: 0, seconds: 0, communicationFraction: 0,
                                workRate: WorkRate.of(job, gpuCount: count, step: 0, referenceStep: 0))
        }
        // The compute scale is part of the key: jobs of one model sharding different global batches compute
        // differently. Models with an efficiency profile also key by the global batch (their compute has a fixed part).
        let key = TypeKey(model: m, scale: BatchSharding.computeScale(of: job, gpuCount: count).bitPattern,
                          gpus: count, type: type, batch: ModelZoo.efficiencyProfiles[m] == nil ? 0 : job.globalBatch ?? 0)
        if let cached = typeSteps[key] { return cached.map { rebased($0, for: job, count: count) } }
        let gpus = packedGPUs(count: count, type: type)
        let estimate = gpus.map { model.isolatedStep(of: job, on: $0) }
        typeSteps[key] = estimate
        return estimate
    }

    /// Work units per second of `job` alone on `count` packed GPUs of type index `type`; nil when they do not exist.
    public func rate(of job: JobSpec, gpuType type: Int, count: Int) -> Double? {
        step(of: job, gpuType: type, count: count)?.workRate
    }

    /// The cached estimate (computed for another job of the same model) with `job`'s own work rate.
    private func rebased(_ e: StepEstimate, for job: JobSpec, count: Int) -> StepEstimate {
        var e = e
        e.workRate = WorkRate.of(job, gpuCount: count, step: e.seconds, referenceStep: model.referenceStep(of: job), compute: e.compute)
        return e
    }

    /// `count` GPUs of `type`, filling the nodes that have them in node order; nil when there are too few.
    private func packedGPUs(count: Int, type: Int) -> [GPUID]? {
        var gpus: [GPUID] = []
        for n in 0..<topology.nodeCount where topology.typeIndex(of: NodeID(n)) == type {
            for g in topology.gpus(of: NodeID(n)) where gpus.count < count { gpus.append(GPUID(g)) }
            if gpus.count == count { return gpus }
        }
        return nil
    }
}
