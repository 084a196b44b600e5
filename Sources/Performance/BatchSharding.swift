import Models
import Workload

/// How an elastic job's global batch is sharded over its GPUs, and what that does to an iteration's compute.
///
/// Data parallelism with a fixed global batch B (strong scaling, as elastic trainers such as PyTorch's
/// torchelastic or Pollux's AdaptDL keep the batch across rescaling): each of n GPUs computes B / n samples per
/// iteration, and the gradient all-reduce moves the same bytes whatever n. Compute time is linear in the local
/// batch (the zoo's per-GPU time × local / reference batch), so doubling the GPUs halves the compute but not the
/// communication: speed-up is sublinear, and more GPUs is not automatically better. A local batch larger than the
/// GPU holds runs as gradient accumulation over micro-batches, which takes the same compute time per sample in
/// this model (its only cost, a few extra optimizer-free passes, is not modelled).
public enum BatchSharding {
    /// Samples per GPU per iteration of `job` on `gpuCount` GPUs: global / n when sharded, else the reference.
    @inlinable public static func localBatch(of job: JobSpec, gpuCount: Int) -> Double? {
        guard let global = job.globalBatch, gpuCount > 0 else { return nil }
        return Double(global) / Double(gpuCount)
    }

    /// The factor on the zoo's per-GPU compute time of one iteration: local batch ÷ reference batch (1 for a job
    /// that does not shard a global batch); for a model with a batch-independent compute share or an efficiency
    /// profile, `StatisticalEfficiency.computeFactor` (intercept, and gradient accumulation above its local bound).
    @inlinable public static func computeScale(of job: JobSpec, gpuCount: Int) -> Double {
        guard let local = localBatch(of: job, gpuCount: gpuCount), let m = job.model else { return 1 }
        let model = ModelZoo.batchComputeTables[m]  // the scalars, not a copy of the model (hot path)
        // NOTE: models without an intercept or efficiency profile keep the plain ratio, bit for bit (baselines).
        guard !model.scalesPlainly else { return local / Double(model.referenceBatchPerGPU) }
        return StatisticalEfficiency.computeFactor(
            local: local, interceptShare: model.computeInterceptShare, referenceBatch: model.referenceBatchPerGPU,
            maxLocal: model.maxLocalBatch)
    }
}
