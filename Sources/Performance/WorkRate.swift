import Models
import SimKernel
import Workload

/// How an iteration time turns into progress on a job's work.
///
/// Without a global batch, a job's work is defined at its requested GPU count: on `n` GPUs it processes
/// `n / requested` times the samples per iteration (the per-GPU batch stays fixed). With a global batch
/// (`JobSpec.globalBatch`, an elastic job sharding its minibatch), every iteration processes that batch whatever
/// the GPU count, so one iteration is one unit of work at any size; the GPU count changes the iteration's time
/// instead (`BatchSharding`). An iteration job counts iterations; a duration job counts reference seconds, 1 per
/// second on its packed reference placement, so a trace job placed as recorded runs exactly its recorded duration.
public enum WorkRate {
    /// Work units per second of `job` on `gpuCount` GPUs whose iteration takes `step` seconds, where
    /// `referenceStep` is its iteration on the reference placement.
    ///
    /// A job whose zoo model has an `EfficiencyProfile` and whose work is iterations counts base-batch iterations
    /// and advances at its goodput (`StatisticalEfficiency.goodput`), which needs the iteration's `compute` part and the
    /// job's `progress` (share of its work done; 0 where the caller does not know it).
    ///
    /// NOTE: at the requested size the scale is exactly 1.0, so the rate is bit-identical to `1 / step` and
    /// `referenceStep / step`, the first engine's formulas (the regression baselines depend on it).
    @inlinable public static func of(
        _ job: JobSpec, gpuCount: Int, step: Double, referenceStep: Double, compute: Double? = nil, progress: Double = 0
    ) -> Double {
        if let m = job.model, let profile = ModelZoo.efficiencyProfiles[m], case .iterations = job.work {
            return StatisticalEfficiency.goodput(
                of: job, profile: profile, gpuCount: gpuCount, compute: compute ?? step, seconds: step, progress: progress).rate
        }
        let scale = gpuCount == job.gpuCount || job.globalBatch != nil ? 1.0 : Double(gpuCount) / Double(job.gpuCount)
        guard job.model != nil else { return scale }
        switch job.work {
        case .iterations: return scale / step
        case .duration: return scale * referenceStep / step
        }
    }

    /// The job's total work in units (iterations, or reference seconds).
    @inlinable public static func units(of job: JobSpec) -> Double {
        switch job.work {
        case .iterations(let k): return k
        case .duration(let d): return d.seconds
        }
    }
}
