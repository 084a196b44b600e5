import ClusterModel
import Models
import SimKernel
import SimRandom

/// A recipe for synthetic jobs: arrivals, sizes, durations, models and users, all drawn from named GSL streams.
public struct SyntheticWorkload: Sendable {
    /// Jobs to generate; nil for as many as `spanSeconds` or a replayed trace gives (at most `maxJobs`).
    public var jobCount: Int?
    /// Generate only arrivals before this time, seconds; nil for no limit.
    public var spanSeconds: Double?
    /// Arrival process.
    public var arrivals: ArrivalSpec
    /// GPUs per job (values are rounded to integers ≥ 1); unused with `sample`.
    public var gpus: Distribution
    /// Run time in seconds at the requested size on a packed placement (values below 1 s become 1 s, above
    /// `maxDurationSeconds` become that); unused with `sample`.
    public var durationSeconds: Distribution
    /// A trace's jobs to bootstrap GPU count, duration, model, user and GPU type from, jointly; nil to draw GPU
    /// count and duration independently from `gpus` and `durationSeconds`.
    public var sample: EmpiricalJobSample?
    /// Zoo models with weights, for jobs without one; empty means such jobs carry a plain duration and no model.
    public var models: [(index: Int, weight: Double)]
    /// Users with weights, for jobs without one; empty means such jobs have no user.
    public var users: [(name: String, weight: Double)] = []
    /// Required GPU type for every job, or nil (sampled rows keep theirs).
    public var gpuType: String?

    /// The most jobs one workload may have.
    public static let maxJobs = 10_000_000
    /// The longest duration a job is given, seconds (about 31.7 years): longer draws are cut to it, so that every
    /// finish time fits the simulated clock.
    public static let maxDurationSeconds = 1e9
    /// The latest arrival, seconds (about 190 years): with `maxDurationSeconds`, well inside the clock's 292 years.
    public static let maxArrivalSeconds = 6e9
    /// The longest expected span of the arrivals (jobs / mean rate, or `spanSeconds`), seconds (about 10 years),
    /// checked before anything is drawn, so that reaching `maxArrivalSeconds` by chance is out of the question.
    public static let maxExpectedSpanSeconds = 3.15e8

    /// Creates a recipe.
    public init(
        jobCount: Int?, arrivals: ArrivalSpec, gpus: Distribution, durationSeconds: Distribution,
        models: [(index: Int, weight: Double)], gpuType: String? = nil
    ) {
        self.jobCount = jobCount
        self.arrivals = arrivals
        self.gpus = gpus
        self.durationSeconds = durationSeconds
        self.models = models
        self.gpuType = gpuType
    }

    /// E[GPUs × duration] of one job, seconds: jointly over the sample's rows, else E[GPUs]·E[duration].
    public var meanGPUSeconds: Double { sample?.meanGPUSeconds ?? gpus.mean * durationSeconds.mean }

    /// The mean arrival rate in jobs per second for a cluster of `clusterGPUs` GPUs.
    public func ratePerSecond(clusterGPUs: Int) -> Double {
        arrivals.ratePerSecond(clusterGPUs: clusterGPUs, meanGPUSeconds: meanGPUSeconds)
    }

    /// The expected number of jobs and span of the arrivals at `ratePerSecond` (a replay without limits: the
    /// trace's arrivals × the factor over its span).
    public func expectedExtent(ratePerSecond rate: Double) -> (jobs: Double, spanSeconds: Double) {
        var jobs = Double.infinity, span = Double.infinity
        if case .replay(let source) = arrivals.process {
            span = source.spanSeconds
            jobs = rate * span
        }
        if let s = spanSeconds, s < span {
            span = s
            jobs = rate * s
        }
        if let n = jobCount, Double(n) < jobs {
            jobs = Double(n)
            span = Double(n) / rate
        }
        return (jobs, span)
    }

    /// Generates the jobs, in submission order, for `topology`, drawing from `streams`.
    ///
    /// Each aspect has its own stream ("arrivals" and the process's own, "gpus", "durations", "models", "users",
    /// or "sample" and "sample.smoothing" for a sample), so changing e.g. the model mix leaves arrival times and
    /// sizes untouched. Throws when arrivals run past `maxArrivalSeconds` or a span holds more than `maxJobs`.
    public func generate(streams: RandomStreams, topology: Topology) throws(SyntheticWorkloadError) -> [JobSpec] {
        var arrivalsLeft = arrivals.generator(ratePerSecond: ratePerSecond(clusterGPUs: topology.gpuCount), streams: streams)
        let gpuStream = streams.stream("gpus")
        let durationStream = streams.stream("durations")
        let modelStream = streams.stream("models")
        let userStream = streams.stream("users")
        let rowStream = streams.stream("sample")
        let smoothingStream = streams.stream("sample.smoothing")
        let modelTable = models.isEmpty
            ? nil : try? CategoricalTable(values: models.map { Double($0.index) }, weights: models.map(\.weight))
        let userTable = users.isEmpty ? nil : try? CategoricalTable(values: users.indices.map(Double.init), weights: users.map(\.weight))
        var identicalBatches = false
        if case .batch(let b) = arrivals.process { identicalBatches = b.identical }
        let refTemplate = referenceTemplate(in: topology)
        let limit = jobCount ?? Self.maxJobs
        var jobs: [JobSpec] = []
        jobs.reserveCapacity(min(limit, 1 << 20))
        var previous: (batch: Int, job: JobSpec)?
        while jobs.count < limit, let a = arrivalsLeft.next() {
            if let span = spanSeconds, a.time >= span { break }
            guard a.time <= Self.maxArrivalSeconds else { throw .arrivalBeyondClock(seconds: a.time) }
            let i = jobs.count
            if identicalBatches, let p = previous, p.batch == a.batch {
                var copy = p.job
                copy.id = JobID(i)
                copy.name = "job-\(i)"
                copy.submitTime = .seconds(a.time)
                jobs.append(copy)
                continue
            }
            var n: Int
            var d: Double
            var modelIndex: Int?
            var user: String?
            var type = gpuType
            if let sample {
                let row = sample.draw(rows: rowStream, smoothing: smoothingStream)
                n = row.gpus
                d = row.durationSeconds
                modelIndex = row.model
                user = row.user
                if type == nil { type = row.gpuType }
            } else {
                // The clamp keeps absurd draws (a huge lognormal) from trapping in the conversion; the cluster check
                // then rejects them as too large.
                n = max(1, Int(min(gpuStream.draw(gpus), 1e9).rounded()))
                d = durationStream.draw(durationSeconds)
            }
            d = min(max(1, d), Self.maxDurationSeconds)
            if modelIndex == nil, let modelTable { modelIndex = Int(modelTable.values[modelStream.drawIndex(modelTable)]) }
            if user == nil, let userTable { user = users[userStream.drawIndex(userTable)].name }
            var work = JobWork.duration(SimTime.seconds(d.rounded()))
            if let m = modelIndex {
                // The drawn duration is the run time at the reference (packed) placement; store it as
                // iterations so the actual placement changes the run time.
                let step = SpeedModel.stepTime(
                    model: ModelZoo.all[m], gpu: refTemplate.gpuType, shape: SpeedModel.packedShape(n, on: refTemplate))
                work = .iterations(max(1, (d / step.total).rounded()))
            }
            let job = JobSpec(
                id: JobID(i), name: "job-\(i)", submitTime: SimTime.seconds(a.time), gpuCount: n, model: modelIndex,
                work: work, gpuType: type, user: user)
            jobs.append(job)
            previous = (a.batch, job)
        }
        // Without an explicit job count, reaching the limit with arrivals still to come means the span holds more.
        if jobCount == nil, jobs.count == limit, let a = arrivalsLeft.next(), a.time < (spanSeconds ?? .infinity) {
            throw .tooManyJobs(limit: limit)
        }
        return jobs
    }

    /// The node template that defines "packed at the requested size" for these jobs.
    func referenceTemplate(in topology: Topology) -> NodeTemplate {
        if let gpuType, let node = topology.nodeTemplates.first(where: { $0.gpuType.name == gpuType }) { return node }
        return topology.nodeTemplates[0]
    }
}

/// Why a synthetic workload could not be generated.
public enum SyntheticWorkloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An arrival fell after `SyntheticWorkload.maxArrivalSeconds`.
    case arrivalBeyondClock(seconds: Double)
    /// The span (or a replayed trace) holds more than `limit` jobs.
    case tooManyJobs(limit: Int)

    public var description: String {
        switch self {
        case .arrivalBeyondClock(let s):
            return "an arrival falls at \(s) s, after the latest the simulated clock allows (\(SyntheticWorkload.maxArrivalSeconds) s); "
                + "raise the rate or lower the job count"
        case .tooManyJobs(let limit): return "the arrivals hold more than \(limit) jobs; shorten the span or lower the rate"
        }
    }
}
