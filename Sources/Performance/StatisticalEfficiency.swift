import Foundation
import Models
import Workload

/// Pollux's statistical efficiency and goodput (Qiao et al., OSDI 2021, §3.1, eq. 2–3; petuum/adaptdl
/// `simulator/goodput.py`, `GoodputFunction.efficiency` and `optimize`).
///
/// With φ the gradient noise scale in samples (measured at the batch trained, `EfficiencyProfile`) and M₀ the base batch, a batch of M samples has efficiency
/// E(M) = (φ + M₀) / (φ + M) ≤ 1 relative to M₀, and one iteration at M is worth M/M₀ × E(M) base-batch iterations
/// (Pollux's `gain`). Goodput is throughput × efficiency: base-batch iterations per second = gain(M) / iteration
/// seconds. A job whose zoo model has an `EfficiencyProfile` counts its work in base-batch iterations
/// (`WorkRate`), so a larger batch sharded over more GPUs is worth its throughput only as far as φ allows.
///
/// The batch a job trains with on n GPUs: its profile's pinned batch, else its `JobSpec.globalBatch` when it does not
/// adapt its batch, else (`JobSpec.adaptiveBatch`, Pollux's co-adaptation done by each job's AdaptDL agent) the
/// goodput-maximizing batch among 50 geometrically spaced sizes from max(M₀, n × min local) to the profile's maximum,
/// as `GoodputFunction.optimize` samples them. A local batch above the profile's largest is trained as gradient
/// accumulation, each micro-batch paying the model's batch-independent compute again. GPUs beyond what the batch
/// can use (local batch below the profile's smallest) add nothing: the rate is that of the largest useful count.
/// Differences from the artifact: local batches are not rounded up to integers, and one GPU does not force an
/// accumulation step above M₀.
public enum StatisticalEfficiency {
    /// Whether `job` counts its work in goodput: iterations of a zoo model with an efficiency profile.
    @inlinable public static func countsGoodput(_ job: JobSpec) -> Bool {
        guard let m = job.model, case .iterations = job.work else { return false }
        return ModelZoo.efficiencyProfiles[m] != nil
    }

    /// E(M) = (φ + M₀) / (φ + M).
    @inlinable public static func efficiency(batch: Double, baseBatch: Double, noiseScale: Double) -> Double {
        (noiseScale + baseBatch) / (noiseScale + batch)
    }

    /// Base-batch iterations one iteration at `batch` is worth: M/M₀ × E(M).
    @inlinable public static func gain(batch: Double, baseBatch: Double, noiseScale: Double) -> Double {
        batch / baseBatch * efficiency(batch: batch, baseBatch: baseBatch, noiseScale: noiseScale)
    }

    /// The compute factor of training `local` samples per GPU per iteration relative to one pass at the model's
    /// reference batch: (k + 1) micro-batches of local/(k + 1), each costing a + (1 − a) × micro/reference.
    @inlinable public static func computeFactor(local: Double, model: ZooModel, maxLocal: Int?) -> Double {
        computeFactor(local: local, interceptShare: model.computeInterceptShare, referenceBatch: model.referenceBatchPerGPU, maxLocal: maxLocal)
    }

    /// `computeFactor(local:model:maxLocal:)` from the model's two scalars (`ModelZoo.batchComputeTables`).
    @inlinable public static func computeFactor(local: Double, interceptShare a: Double, referenceBatch: Int, maxLocal: Int?) -> Double {
        let steps = maxLocal.map { max(1, (local / Double($0) - 1e-8).rounded(.up)) } ?? 1
        return steps * (a + (1 - a) * local / steps / Double(referenceBatch))
    }

    /// The batch `job` trains with on `gpuCount` GPUs and its goodput (base-batch iterations per second), given its
    /// iteration there as modeled at its own batch (`compute` of `seconds`), at `progress` (share of its work done).
    public static func goodput(
        of job: JobSpec, profile: EfficiencyProfile, gpuCount: Int, compute: Double, seconds: Double, progress: Double
    ) -> (batch: Double, rate: Double) {
        guard let m = job.model, gpuCount > 0, seconds > 0 else { return (0, 0) }
        let model = ModelZoo.batchComputeTables[m]
        // GPUs beyond the largest count whose local batch stays at or above the minimum add nothing.
        let batchCap = Double(profile.pinnedBatch ?? (job.adaptiveBatch ? profile.maxBatch : (job.globalBatch ?? profile.maxBatch)))
        let useful = max(1, min(gpuCount, Int(batchCap / Double(profile.localBatch.lowerBound))))
        let n = Double(useful)
        // The model priced the iteration at the job's own local batch on gpuCount GPUs; rescale its compute.
        let ownFactor = BatchSharding.computeScale(of: job, gpuCount: gpuCount)
        let unit = ownFactor > 0 ? compute / ownFactor : compute
        let other = seconds - compute
        let m0 = Double(profile.baseBatch)
        func rate(_ batch: Double) -> Double {
            let t = unit * computeFactor(
                local: batch / n, interceptShare: model.computeInterceptShare, referenceBatch: model.referenceBatchPerGPU,
                maxLocal: profile.localBatch.upperBound) + other
            let phi = profile.noiseScale(atProgress: progress, batch: batch)
            return t > 0 ? gain(batch: batch, baseBatch: m0, noiseScale: phi) / t : 0
        }
        if let pinned = profile.pinnedBatch { return (Double(pinned), rate(Double(pinned))) }
        if !job.adaptiveBatch {
            let batch = Double(job.globalBatch ?? model.referenceBatchPerGPU * job.gpuCount)
            return (batch, rate(batch))
        }
        let low = max(m0, n * Double(profile.localBatch.lowerBound))
        let high = max(low, Double(profile.maxBatch))
        var best = (batch: low, rate: rate(low))
        let samples = 50
        for k in 1..<samples {
            let batch = low * pow(high / low, Double(k) / Double(samples - 1))
            let r = rate(batch)
            if r > best.rate { best = (batch, r) }
        }
        return best
    }
}
