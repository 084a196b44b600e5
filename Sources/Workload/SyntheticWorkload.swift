import ClusterModel
import Models
import SimKernel
import SimRandom

/// How synthetic jobs arrive.
public enum ArrivalSpec: Sendable, Equatable {
    /// Poisson arrivals at `ratePerHour` jobs per hour.
    case poisson(ratePerHour: Double)
    /// Poisson arrivals at the rate that offers `load` × the cluster's GPU capacity (1.0 = fully loaded):
    /// rate = load · GPUs / (E[GPUs per job] · E[duration]).
    case targetLoad(Double)
}

/// A recipe for synthetic jobs: arrivals, sizes, durations and models, all drawn from named GSL streams.
public struct SyntheticWorkload: Sendable {
    /// Number of jobs to generate.
    public var jobCount: Int
    /// Arrival process.
    public var arrivals: ArrivalSpec
    /// GPUs per job (values are rounded to integers ≥ 1).
    public var gpus: Distribution
    /// Run time in seconds at the requested size on a packed placement (values below 1 s become 1 s).
    public var durationSeconds: Distribution
    /// Zoo models with weights; empty means jobs carry a plain duration and no model.
    public var models: [(index: Int, weight: Double)]
    /// Required GPU type for every job, or nil.
    public var gpuType: String?

    /// Creates a recipe.
    public init(
        jobCount: Int, arrivals: ArrivalSpec, gpus: Distribution, durationSeconds: Distribution,
        models: [(index: Int, weight: Double)], gpuType: String? = nil
    ) {
        self.jobCount = jobCount
        self.arrivals = arrivals
        self.gpus = gpus
        self.durationSeconds = durationSeconds
        self.models = models
        self.gpuType = gpuType
    }

    /// The Poisson rate in jobs per second for a cluster of `clusterGPUs` GPUs.
    public func ratePerSecond(clusterGPUs: Int) -> Double {
        switch arrivals {
        case .poisson(let perHour): return perHour / 3600
        case .targetLoad(let load): return load * Double(clusterGPUs) / (gpus.mean * durationSeconds.mean)
        }
    }

    /// Generates the jobs, in submission order, for `topology`, drawing from `streams`.
    ///
    /// Each aspect has its own stream ("arrivals", "gpus", "durations", "models"), so changing e.g. the model
    /// mix leaves arrival times and sizes untouched.
    public func generate(streams: RandomStreams, topology: Topology) -> [JobSpec] {
        let arrivalStream = streams.stream("arrivals")
        let gpuStream = streams.stream("gpus")
        let durationStream = streams.stream("durations")
        let modelStream = streams.stream("models")
        let meanGap = 1 / ratePerSecond(clusterGPUs: topology.gpuCount)
        let modelTable = models.isEmpty
            ? nil : try? CategoricalTable(values: models.map { Double($0.index) }, weights: models.map(\.weight))
        let refTemplate = referenceTemplate(in: topology)
        var jobs: [JobSpec] = []
        jobs.reserveCapacity(jobCount)
        var t = 0.0
        for i in 0..<jobCount {
            t += arrivalStream.draw(.exponential(mean: meanGap))
            let n = max(1, Int(gpuStream.draw(gpus).rounded()))
            let d = max(1, durationStream.draw(durationSeconds))
            var work = JobWork.duration(SimTime.seconds(d.rounded()))
            var modelIndex: Int?
            if let modelTable {
                let m = Int(modelTable.values[modelStream.drawIndex(modelTable)])
                modelIndex = m
                // The drawn duration is the run time at the reference (packed) placement; store it as
                // iterations so the actual placement changes the run time.
                let step = SpeedModel.stepTime(
                    model: ModelZoo.all[m], gpu: refTemplate.gpuType, shape: SpeedModel.packedShape(n, on: refTemplate))
                work = .iterations(max(1, (d / step.total).rounded()))
            }
            jobs.append(JobSpec(
                id: JobID(i), name: "job-\(i)", submitTime: SimTime.seconds(t), gpuCount: n, model: modelIndex,
                work: work, gpuType: gpuType))
        }
        return jobs
    }

    /// The node template that defines "packed at the requested size" for these jobs.
    func referenceTemplate(in topology: Topology) -> NodeTemplate {
        if let gpuType, let node = topology.nodeTemplates.first(where: { $0.gpuType.name == gpuType }) { return node }
        return topology.nodeTemplates[0]
    }
}
