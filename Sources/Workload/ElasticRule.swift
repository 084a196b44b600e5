import Models
import SimRandom

/// Makes jobs elastic by a seeded rule (the scenario's `elastic:` section), for workloads whose source does not
/// say which jobs can be resized (no public trace does).
///
/// For each job in submission order one uniform draw from the named stream "elastic" decides: a job with a zoo
/// model becomes elastic with probability `fraction` (the draw is made for every job, so which jobs are chosen
/// does not depend on the models of the others). An elastic job of r requested GPUs may run on
/// max(1, ⌊r × `minFactor`⌋) to min(⌈r × `maxFactor`⌉, `maxGPUs`) GPUs and shards a global batch of r × its zoo
/// model's reference per-GPU batch: at its requested size it runs exactly as the rigid job would, and resizing
/// changes its local batch, hence its iteration time (`BatchSharding`). Jobs without a zoo model stay rigid: the
/// speed model could not say how they scale.
public struct ElasticRule: Sendable, Equatable {
    /// Share of the jobs with a zoo model made elastic, in [0, 1].
    public var fraction: Double
    /// Smallest size as a share of the request, in (0, 1].
    public var minFactor: Double
    /// Largest size as a multiple of the request, at least 1.
    public var maxFactor: Double
    /// Cap on the largest size.
    public var maxGPUs: Int

    /// Creates the rule.
    public init(fraction: Double = 1, minFactor: Double = 0.5, maxFactor: Double = 2, maxGPUs: Int = 64) {
        self.fraction = fraction
        self.minFactor = minFactor
        self.maxFactor = maxFactor
        self.maxGPUs = maxGPUs
    }

    /// The jobs with the chosen ones made elastic; sizes are also capped at `capacity` GPUs (the cluster's).
    public func apply(to jobs: [JobSpec], streams: RandomStreams, capacity: Int) -> [JobSpec] {
        let stream = streams.stream("elastic")
        return jobs.map { job in
            let u = stream.uniform01()
            guard u < fraction, let model = job.zooModel, job.gpuRange == nil else { return job }
            let r = Double(job.gpuCount)
            let low = max(1, Int((r * minFactor).rounded(.down)))
            let high = max(job.gpuCount, min(Int((r * maxFactor).rounded(.up)), maxGPUs, capacity))
            var j = job
            j.gpuRange = min(low, job.gpuCount)...high
            j.globalBatch = job.gpuCount * model.referenceBatchPerGPU
            return j
        }
    }
}
