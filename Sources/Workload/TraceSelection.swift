import ClusterModel
import SimKernel
import SimRandom

/// Which part of a trace a scenario replays, and how its time runs: a job filter, a submit-time window,
/// and an arrival-time scale.
///
/// Applied in that order: filter, window (on the trace's own clock), rebase so the window starts at 0, then
/// scale submit times (0.5 offers the same jobs in half the time, i.e. twice the load). Durations never change.
public struct TraceSelection: Sendable, Equatable {
    /// Keep only jobs whose id starts with this (e.g. "cluster04/" in the merged ITP trace).
    public var jobIDPrefix: String?
    /// Keep only jobs with at least this many GPUs.
    public var minGPUs: Int?
    /// Keep only jobs with at most this many GPUs.
    public var maxGPUs: Int?
    /// Keep jobs submitted at or after this time (trace clock, seconds).
    public var windowStart: Double?
    /// Keep jobs submitted before this time (trace clock, seconds).
    public var windowEnd: Double?
    /// Multiply (rebased) submit times by this.
    public var timeScale: Double

    /// Everything kept, times unchanged.
    public init(
        jobIDPrefix: String? = nil, minGPUs: Int? = nil, maxGPUs: Int? = nil, windowStart: Double? = nil,
        windowEnd: Double? = nil, timeScale: Double = 1
    ) {
        self.jobIDPrefix = jobIDPrefix
        self.minGPUs = minGPUs
        self.maxGPUs = maxGPUs
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.timeScale = timeScale
    }

    /// The selected jobs, renumbered 0..<n in submission order, with the index of each in `jobs`.
    public func apply(to jobs: [JobSpec]) -> (jobs: [JobSpec], sourceIndex: [Int]) {
        let start = SimTime.seconds(windowStart ?? 0)
        let end = windowEnd.map { SimTime.seconds($0) }
        var kept: [JobSpec] = []
        var source: [Int] = []
        for (i, job) in jobs.enumerated() {
            if let p = jobIDPrefix, !job.name.hasPrefix(p) { continue }
            if let m = minGPUs, job.gpuCount < m { continue }
            if let m = maxGPUs, job.gpuCount > m { continue }
            if job.submitTime < start { continue }
            if let end, job.submitTime >= end { continue }
            var j = job
            j.id = JobID(kept.count)
            let rebased = (job.submitTime - start).seconds
            // Integer nanoseconds are kept exact when the scale is 1, so an unscaled replay is bit-identical.
            j.submitTime = timeScale == 1 ? job.submitTime - start : .seconds(rebased * timeScale)
            kept.append(j)
            source.append(i)
        }
        return (kept, source)
    }
}

/// Gives zoo models to trace jobs that have none, by a seeded draw, so that their speed depends on placement.
///
/// Each model-less job draws from `models` (weights) on the stream "trace.models", in JobID order; a job
/// keeps its recorded duration, which now holds at the packed reference placement of its model.
public struct TraceModelAssignment: Sendable {
    /// Zoo indices and weights.
    public var models: [(index: Int, weight: Double)]

    /// Creates the rule.
    public init(models: [(index: Int, weight: Double)]) { self.models = models }

    /// The jobs with models assigned where missing.
    public func apply(to jobs: [JobSpec], streams: RandomStreams) -> [JobSpec] {
        guard let table = try? CategoricalTable(values: models.map { Double($0.index) }, weights: models.map(\.weight)) else {
            return jobs
        }
        let stream = streams.stream("trace.models")
        return jobs.map { job in
            guard job.model == nil else { return job }
            var j = job
            j.model = Int(table.values[stream.drawIndex(table)])
            return j
        }
    }
}
