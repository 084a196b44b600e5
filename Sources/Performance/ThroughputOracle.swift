import ClusterModel
import Models
import Workload

/// Answers "how fast would this job train on that?" for policies: a job alone on a hypothetical GPU set,
/// or on `n` GPUs of one type packed on the first nodes that have them.
///
/// Isolated means no contention from other jobs (the flow model's fabric is empty for the question).
/// Per-type answers are cached by (model, GPU count, type), which is all they depend on besides the job's
/// reference step, so a policy that asks for the whole job × type matrix every round (Gavel) pays a
/// dictionary lookup per cell after the first round. The cache is keyed and read only, never iterated, so
/// it cannot make a run depend on hashing order.
public final class ThroughputOracle {
    /// The run's speed model.
    public let model: any ThroughputModel
    /// The cluster.
    public let topology: Topology
    private var typeSteps: [TypeKey: StepEstimate?] = [:]

    private struct TypeKey: Hashable {
        var model: Int
        var gpus: Int
        var type: Int
        /// The global batch of a job whose model has an efficiency profile (its compute depends on it); 0 otherwise.
        var batch: Int
    }

    /// Creates an oracle over the run's model.
    public init(model: any ThroughputModel, topology: Topology) {
        self.model = model
        self.topology = topology
    }

    /// The iteration of `job` alone on `gpus` (any GPUs of the cluster, held or not).
    public func step(of job: JobSpec, on gpus: [GPUID]) -> StepEstimate {
        precondition(!gpus.isEmpty, "a placement needs at least one GPU")
        return model.isolatedStep(of: job, on: gpus)
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
        // NOTE: other models keep the historical (model, count, type) key even for sharded jobs, whose compute also
        // depends on the global batch; changing it would move existing baselines.
        let key = TypeKey(model: m, gpus: count, type: type, batch: ModelZoo.efficiencyProfiles[m] == nil ? 0 : job.globalBatch ?? 0)
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
