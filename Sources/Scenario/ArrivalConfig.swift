import SimRandom
import Workload

/// `workload.synthetic.arrivals:` the arrival process, its mean rate and the fields of the chosen process.
///
/// Every process takes its long-run mean rate as exactly one of `rate_per_hour` or `load` (a replay may give
/// neither: the trace's own rate), times `scale`. The other fields belong to one process each, and a field of
/// another process is an error rather than silently ignored.
struct ArrivalConfig: DecodableMapping {
    static let processes = ["poisson", "diurnal", "mmpp", "batch", "replay"]

    @Field("process", default: "poisson", FieldCheck { p in
        ArrivalConfig.processes.contains(p) ? nil
            : "unknown arrival process '\(p)'; expected one of: \(ArrivalConfig.processes.joined(separator: ", "))"
    }, meaning: "arrival process: poisson, diurnal, mmpp, batch or replay")
    var process: String
    @OptionalField("rate_per_hour", .range(.above(0, upTo: 1e9, "jobs per hour")), meaning: "mean arrivals per hour")
    var ratePerHour: Double?
    @OptionalField("load", .range(.above(0, upTo: 1e6, "a load (1.0 = cluster fully offered)")), meaning: "offered load: rate = load × GPUs / E[GPU-seconds per job]")
    var load: Double?
    @Field("scale", default: 1.0, .within(1e-6...1e6, "a factor on the mean rate"),
           meaning: "multiplies the mean rate, keeping the process's shape (1.5 = 1.5× the load)")
    var scale: Double

    // diurnal
    @OptionalField("hourly", ArrivalConfig.hourlyWeights,
                   meaning: "diurnal: 24 (a day) or 168 (a week) relative rates, hour 0 at time 0")
    var hourly: [Double]?
    @OptionalField("amplitude", .within(0...1, "an amplitude"),
                   meaning: "diurnal: rate ∝ 1 + amplitude·cos(2π(hour − peak_hour)/period_h)")
    var amplitude: Double?
    @OptionalField("peak_hour", .within(0...168, "an hour"), meaning: "diurnal: hour of the peak rate (default 0)")
    var peakHour: Double?
    @OptionalField("period_h", FieldCheck(valid: "24 or 168 hours") { p in p == 24 || p == 168 ? nil : "expected 24 (a day) or 168 (a week), got \(p)" },
                   meaning: "diurnal: period of the parametric profile, hours (default 24)")
    var periodHours: Int?

    // mmpp
    @OptionalField("states", meaning: "mmpp: the modulating chain's states, each {rate, mean_sojourn_h}")
    var states: [MMPPStateConfig]?

    // batch
    @OptionalField("size", FieldCheck(valid: "whole numbers in 1...1000000 jobs; a geometric mean at most 1000000") {
        ArrivalConfig.batchSizeProblem($0.distribution)
    }, meaning: "batch: jobs per batch, a whole number >= 1: a number, categorical or geometric")
    var size: DistributionConfig?
    @OptionalField("identical", meaning: "batch: every job of a batch copies the first one's GPUs, duration, model and user")
    var identical: Bool?

    // replay
    @OptionalField("trace", meaning: "replay: canonical CSV whose submit times to replay, relative to the scenario file")
    var trace: String?
    @OptionalField("window", meaning: "replay: submit times in [start_s, end_s) on the trace clock, rebased to 0")
    var window: WindowConfig?
    @OptionalField("filter", meaning: "replay: which of the trace's jobs' arrivals to keep")
    var filter: FilterConfig?

    /// Which process each process-specific field belongs to.
    private var owners: [(key: String, process: String, present: Bool)] {
        [("hourly", "diurnal", hourly != nil), ("amplitude", "diurnal", amplitude != nil), ("peak_hour", "diurnal", peakHour != nil),
         ("period_h", "diurnal", periodHours != nil), ("states", "mmpp", states != nil), ("size", "batch", size != nil),
         ("identical", "batch", identical != nil), ("trace", "replay", trace != nil), ("window", "replay", window != nil),
         ("filter", "replay", filter != nil)]
    }

    func finishDecoding(_ decoder: Decoder) throws {
        for o in owners where o.present && o.process != process {
            throw decoder.invalid(o.key, "only for process '\(o.process)', not '\(process)'")
        }
        if process == "replay" {
            guard ratePerHour == nil || load == nil else { throw decoder.invalid("expected at most one of 'rate_per_hour' or 'load'") }
        } else {
            guard (ratePerHour == nil) != (load == nil) else { throw decoder.invalid("expected exactly one of 'rate_per_hour' or 'load'") }
        }
        switch process {
        case "diurnal":
            guard (hourly == nil) != (amplitude == nil) else {
                throw decoder.invalid("expected exactly one of 'hourly' (weights) or 'amplitude' (a sinusoidal profile)")
            }
            if hourly != nil, let key = peakHour != nil ? "peak_hour" : periodHours != nil ? "period_h" : nil {
                throw decoder.invalid(key, "only for a sinusoidal profile ('amplitude'); 'hourly' weights fix the period by their count")
            }
            if let p = peakHour, p >= Double(periodHours ?? 24) {
                throw decoder.invalid("peak_hour", "expected an hour in 0..<\(periodHours ?? 24) (the period), got \(p)")
            }
        case "mmpp":
            guard let states else { throw decoder.invalid("expected 'states' for process 'mmpp'") }
            guard (2...64).contains(states.count) else { throw decoder.invalid("states", "expected 2 to 64 states, got \(states.count)") }
            guard states.contains(where: { $0.rate > 0 }) else { throw decoder.invalid("states", "expected a state with rate > 0") }
        case "batch":
            guard let size else { throw decoder.invalid("expected 'size' (jobs per batch) for process 'batch'") }
            if let problem = Self.batchSizeProblem(size.distribution) { throw decoder.invalid("size", problem) }
        case "replay":
            guard trace != nil else { throw decoder.invalid("expected 'trace' (the CSV whose arrivals to replay) for process 'replay'") }
        default: break
        }
    }

    /// Why `d` cannot be a batch size (whole numbers >= 1), or nil.
    static func batchSizeProblem(_ d: Distribution) -> String? {
        func whole(_ x: Double) -> Bool { x >= 1 && x <= 1e6 && x == x.rounded() }
        switch d {
        case .constant(let v): return whole(v) ? nil : "expected a whole number of jobs in 1...1000000, got \(v)"
        case .categorical(let t):
            return zip(t.values, t.weights).allSatisfy({ $1 == 0 || whole($0) }) ? nil
                : "expected categorical values that are whole numbers in 1...1000000, got \(t.values)"
        case .geometric(let m): return m <= 1e6 ? nil : "expected a geometric mean <= 1000000, got \(m)"
        default: return "expected a number, a categorical or a geometric distribution (whole numbers of jobs)"
        }
    }

    /// 24 or 168 finite weights >= 0, not all 0.
    static let hourlyWeights = FieldCheck<[Double]>(valid: "24 or 168 weights in 0...1e12, not all 0") { w in
        guard w.count == 24 || w.count == 168 else { return "expected 24 (a day) or 168 (a week) hourly weights, got \(w.count)" }
        if let bad = w.first(where: { !($0.isFinite && $0 >= 0 && $0 <= 1e12) }) { return "expected weights in 0...1e12, got \(bad)" }
        return w.contains { $0 > 0 } ? nil : "expected a weight > 0"
    }

    /// The arrival spec, given the replayed trace's arrivals for process 'replay'.
    func spec(replay: ArrivalReplaySource?) -> ArrivalSpec {
        let shape: ArrivalProcess
        switch process {
        case "diurnal":
            if let hourly { shape = .diurnal(RateProfile.hourly(weights: hourly)!) } else {
                shape = .diurnal(.sinusoid(amplitude: amplitude!, peakHour: peakHour ?? 0, periodHours: Double(periodHours ?? 24)))
            }
        case "mmpp": shape = .mmpp(states!.map { MMPPState(relativeRate: $0.rate, meanSojournSeconds: $0.meanSojournHours * 3600) })
        case "batch": shape = .batch(BatchArrivalSpec(size: size!.distribution, identical: identical ?? false))
        case "replay": shape = .replay(replay!)
        default: shape = .poisson
        }
        let rate: ArrivalRate = ratePerHour.map { .perHour($0) } ?? load.map { .load($0) } ?? .source
        return ArrivalSpec(process: shape, rate: rate, scale: scale)
    }
}

/// One state of `arrivals.states` (process mmpp).
struct MMPPStateConfig: DecodableMapping {
    @Field("rate", .within(0...1e6, "a relative rate"),
           meaning: "arrival rate in this state relative to the others (scaled together to the mean rate); 0 = off")
    var rate: Double
    @Field("mean_sojourn_h", .within(1e-4...1e5, "hours"), meaning: "mean hours the process stays in this state")
    var meanSojournHours: Double
}
