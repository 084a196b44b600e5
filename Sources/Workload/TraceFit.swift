import SimRandom

/// A trace summarised as a synthetic workload: its mean arrival rate and hourly profile, its empirical GPU-count
/// and duration distributions, parametric fits of its durations with their quality, and its model and user mixes.
/// What `schedlab trace fit` writes out as a workload section.
public struct TraceFit: Sendable {
    /// Which periodic arrival profile to fit.
    public enum Period: String, Sendable, CaseIterable {
        /// 24 hourly weights.
        case day
        /// 168 hourly weights.
        case week
        /// A week when the trace spans at least two, else a day.
        case auto
    }

    /// Jobs fitted.
    public let jobs: Int
    /// The span the arrivals were observed over, seconds.
    public let spanSeconds: Double
    /// Hourly arrival profile on the trace's clock.
    public let profile: HourlyArrivalProfile
    /// (GPUs per job, jobs), ascending by GPUs.
    public let gpuCounts: [(gpus: Int, jobs: Int)]
    /// The recorded durations, seconds, ascending.
    public let durations: [Double]
    /// Parametric fits of the durations, best first (empty unless asked for).
    public let durationFits: [DistributionFit.Candidate]
    /// Silverman's bandwidth for smoothing log durations (`EmpiricalJobSample.silvermanBandwidth`).
    public let durationSmoothing: Double
    /// (zoo model index, jobs) of jobs naming a model, by model index.
    public let models: [(index: Int, jobs: Int)]
    /// (user, jobs) of jobs naming a user, by name.
    public let users: [(name: String, jobs: Int)]

    /// Fits `jobs` (duration jobs; others are ignored), whose submit times are seconds from the start of a span of
    /// `spanSeconds` (default: up to one second after the last submit). `fitDurations` adds the parametric fits,
    /// which cost seconds on a large trace.
    public init(jobs specs: [JobSpec], spanSeconds: Double? = nil, period: Period = .auto, fitDurations: Bool = true) {
        var durations: [Double] = []
        var times: [Double] = []
        var gpuHistogram: [Int: Int] = [:]
        var modelCounts: [Int: Int] = [:]
        var userCounts: [String: Int] = [:]
        for j in specs {
            guard case .duration(let d) = j.work else { continue }
            durations.append(d.seconds)
            times.append(j.submitTime.seconds)
            gpuHistogram[j.gpuCount, default: 0] += 1
            if let m = j.model { modelCounts[m, default: 0] += 1 }
            if let u = j.user { userCounts[u, default: 0] += 1 }
        }
        jobs = durations.count
        let span = spanSeconds ?? ((times.max() ?? 0) + 1)
        self.spanSeconds = span
        let hours: Int
        switch period {
        case .day: hours = 24
        case .week: hours = 168
        case .auto: hours = span >= 14 * 86_400 ? 168 : 24
        }
        profile = HourlyArrivalProfile(times: times, spanSeconds: span, periodHours: hours)
        gpuCounts = gpuHistogram.keys.sorted().map { ($0, gpuHistogram[$0]!) }
        self.durations = durations.sorted()
        durationSmoothing = EmpiricalJobSample.silvermanBandwidth(durations: durations)
        durationFits = fitDurations ? DistributionFit.candidates(durations, emSubsample: 20_000) : []
        models = modelCounts.keys.sorted().map { ($0, modelCounts[$0]!) }
        users = userCounts.keys.sorted().map { ($0, userCounts[$0]!) }
    }

    /// Mean arrivals per hour over the span.
    public var ratePerHour: Double { Double(jobs) / spanSeconds * 3600 }

    /// The GPU counts as a categorical distribution (exact: the empirical distribution itself).
    public var gpuDistribution: Distribution? {
        guard !gpuCounts.isEmpty else { return nil }
        return try? .categorical(CategoricalTable(values: gpuCounts.map { Double($0.gpus) }, weights: gpuCounts.map { Double($0.jobs) }))
    }
}
