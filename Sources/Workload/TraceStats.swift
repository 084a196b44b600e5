import SimKernel

/// Summary statistics of a job trace: what `schedlab trace stats` prints and what sizes a cluster from a trace.
public struct TraceStats: Sendable, Equatable {
    /// Number of jobs.
    public var jobs: Int
    /// Σ GPUs × duration, in GPU-hours.
    public var gpuHours: Double
    /// (GPUs per job, number of jobs), ascending by GPUs.
    public var gpuHistogram: [(gpus: Int, jobs: Int)]
    /// Duration percentiles p10, p25, p50, p75, p90, p99 in seconds (linear interpolation).
    public var durationPercentiles: [(p: Int, seconds: Double)]
    /// Shortest, mean and longest duration, seconds.
    public var durationMin: Double, durationMean: Double, durationMax: Double
    /// First and last submit times, seconds.
    public var firstSubmit: Double, lastSubmit: Double
    /// Largest job, GPUs.
    public var maxGPUs: Int
    /// GPUs busy at the busiest instant if every job started at its submit time: a lower bound on the size
    /// of a cluster that runs the trace without queueing.
    public var peakConcurrentGPUs: Int

    /// Computes the statistics of duration jobs (iteration jobs have no fixed duration and are ignored).
    public init(jobs specs: [JobSpec]) {
        var durations: [Double] = []
        var intervals: [(start: SimTime, end: SimTime, gpus: Int)] = []
        var histogram: [Int: Int] = [:]
        for job in specs {
            guard case .duration(let d) = job.work else { continue }
            durations.append(d.seconds)
            intervals.append((job.submitTime, job.submitTime + d, job.gpuCount))
            histogram[job.gpuCount, default: 0] += 1
        }
        jobs = durations.count
        gpuHours = zip(intervals, durations).reduce(0) { $0 + Double($1.0.gpus) * $1.1 } / 3600
        gpuHistogram = histogram.keys.sorted().map { ($0, histogram[$0]!) }
        let sorted = durations.sorted()
        durationPercentiles = [10, 25, 50, 75, 90, 99].map { ($0, linearPercentile(sorted, Double($0))) }
        durationMin = sorted.first ?? 0
        durationMax = sorted.last ?? 0
        durationMean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
        firstSubmit = intervals.map(\.start.seconds).min() ?? 0
        lastSubmit = intervals.map(\.start.seconds).max() ?? 0
        maxGPUs = intervals.map(\.gpus).max() ?? 0
        // Sweep: at equal times ends come before starts, so back-to-back jobs do not count as overlapping.
        var edges: [(time: SimTime, delta: Int)] = []
        edges.reserveCapacity(intervals.count * 2)
        for i in intervals {
            edges.append((i.start, i.gpus))
            edges.append((i.end, -i.gpus))
        }
        edges.sort { ($0.time, $0.delta) < ($1.time, $1.delta) }
        var busy = 0
        var peak = 0
        for e in edges {
            busy += e.delta
            peak = max(peak, busy)
        }
        peakConcurrentGPUs = peak
    }

    /// The statistics of a trace's jobs, as `trace stats` prints them: an input error naming `file` when it has no
    /// duration jobs (a header-only trace, or every row skipped) or when a sum of its GPU counts would overflow.
    /// Row bounds (`TraceReader.columnRanges`) already keep sums far from Int.max; the check says so rather than trusts it.
    public static func checked(jobs specs: [JobSpec], file: String) throws(InputError) -> TraceStats {
        var total = 0
        for job in specs {
            let (sum, overflow) = total.addingReportingOverflow(job.gpuCount)
            guard !overflow, job.gpuCount >= 0 else {
                throw InputError(file: file, field: "num_gpus", message: "the GPU counts of the trace's jobs add up past \(Int.max)")
            }
            total = sum
        }
        let stats = TraceStats(jobs: specs)
        guard stats.jobs > 0 else {
            throw InputError(file: file, message: specs.isEmpty ? "the trace has no jobs (every row was skipped as bad)" : "the trace has no duration jobs")
        }
        return stats
    }

    /// Submit span, seconds.
    public var spanSeconds: Double { lastSubmit - firstSubmit }

    public static func == (a: TraceStats, b: TraceStats) -> Bool {
        a.jobs == b.jobs && a.gpuHours == b.gpuHours && a.gpuHistogram.map(\.gpus) == b.gpuHistogram.map(\.gpus)
            && a.gpuHistogram.map(\.jobs) == b.gpuHistogram.map(\.jobs) && a.peakConcurrentGPUs == b.peakConcurrentGPUs
            && a.durationPercentiles.map(\.seconds) == b.durationPercentiles.map(\.seconds)
    }
}

/// The p-th percentile (0–100) of ascending `sorted` values, interpolating linearly between order statistics
/// (numpy.percentile's default "linear" method, so numbers match what users compute in notebooks); 0 if empty.
public func linearPercentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = p / 100 * Double(sorted.count - 1)
    let lo = Int(rank.rounded(.down))
    let hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (rank - Double(lo)) * (sorted[hi] - sorted[lo])
}
