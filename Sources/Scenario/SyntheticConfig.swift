import SimRandom
import Workload

/// `workload.synthetic:` generated jobs: how many (or over how long), their arrivals, and their attributes either
/// from distributions (`gpus`, `duration_s`) or bootstrapped jointly from a trace's rows (`sample`).
struct SyntheticConfig: DecodableMapping {
    @OptionalField("jobs", .range(.integers(1...InputLimits.maxJobs, "jobs")),
                   meaning: "jobs to generate (with span_h or a replay: at most this many)")
    var jobs: Int?
    @OptionalField("span_h", .within(1e-3...(SyntheticWorkload.maxExpectedSpanSeconds / 3600), "hours"),
                   meaning: "generate the arrivals of this many hours (instead of, or as well as, a job count)")
    var spanHours: Double?
    @Field("arrivals", meaning: "arrival process")
    var arrivals: ArrivalConfig
    @OptionalField("gpus", DistributionConfig.gpuCounts, meaning: "distribution of GPUs per job (not with sample)")
    var gpus: DistributionConfig?
    @OptionalField("duration_s", DistributionConfig.durations, meaning: "distribution of run time at the requested size, packed, seconds (not with sample)")
    var durationSeconds: DistributionConfig?
    @OptionalField("sample", meaning: "bootstrap GPU count, duration, model, user and GPU type jointly from a trace's rows")
    var sample: SampleConfig?
    @Field("models", default: ModelWeights(), meaning: "zoo models and their weights, for jobs without one; omit for plain durations")
    var models: ModelWeights
    @Field("users", default: UserWeights(), meaning: "users and their weights, for jobs without one")
    var users: UserWeights
    @OptionalField("gpu_type", NodeGroupConfig.knownGPU, meaning: "GPU type every job requires")
    var gpuType: String?

    func finishDecoding(_ decoder: Decoder) throws {
        if sample != nil {
            for (key, present) in [("gpus", gpus != nil), ("duration_s", durationSeconds != nil)] where present {
                throw decoder.invalid(key, "not with 'sample': the sampled trace rows bring GPU counts and durations")
            }
        } else {
            for (key, present) in [("gpus", gpus != nil), ("duration_s", durationSeconds != nil)] where !present {
                throw DecodingError.keyNotFound(AnyCodingKey(stringValue: key), .init(codingPath: decoder.codingPath, debugDescription: ""))
            }
        }
        if jobs == nil && spanHours == nil && arrivals.process != "replay" {
            throw DecodingError.keyNotFound(AnyCodingKey(stringValue: "jobs"), .init(codingPath: decoder.codingPath, debugDescription: ""))
        }
    }

    /// The generator these fields describe, given the sampled trace's rows and the replayed trace's arrivals
    /// (which the loader reads).
    func spec(sample rows: EmpiricalJobSample?, replay: ArrivalReplaySource?) -> SyntheticWorkload {
        var w = SyntheticWorkload(
            jobCount: jobs, arrivals: arrivals.spec(replay: replay), gpus: gpus?.distribution ?? .constant(1),
            durationSeconds: durationSeconds?.distribution ?? .constant(1), models: models.weights, gpuType: gpuType)
        w.spanSeconds = spanHours.map { $0 * 3600 }
        w.sample = rows
        w.users = users.weights
        return w
    }
}

/// `workload.synthetic.sample:` the trace whose rows are bootstrapped.
struct SampleConfig: DecodableMapping {
    @Field("trace", meaning: "canonical CSV, relative to the scenario file")
    var trace: String
    @Field("window", default: WindowConfig(), meaning: "rows submitted in [start_s, end_s) on the trace clock")
    var window: WindowConfig
    @Field("filter", default: FilterConfig(), meaning: "which rows to keep")
    var filter: FilterConfig
    @Field("duration_smoothing", default: 0.0, .within(0...5, "a bandwidth on log durations"),
           meaning: "standard deviation of the Gaussian kernel on log durations (0: plain bootstrap)")
    var durationSmoothing: Double
    @Field("on_bad_row", default: "fail", .oneOf(["fail", "skip"]), meaning: "stop at a bad row, or skip and count it")
    var onBadRow: String

    /// The rows kept.
    var selection: TraceSelection { TraceSelection(window: window, filter: filter) }
}

extension TraceSelection {
    /// The selection of a `window:` and a `filter:` section.
    init(window: WindowConfig, filter: FilterConfig, timeScale: Double = 1) {
        self.init(jobIDPrefix: filter.jobIDPrefix, minGPUs: filter.minGPUs, maxGPUs: filter.maxGPUs,
                  windowStart: window.start, windowEnd: window.end, timeScale: timeScale)
    }
}

/// A `{user: weight}` mapping of who submits synthetic jobs, in name order (YAML mappings are unordered).
struct UserWeights: Decodable, CustomStringConvertible, NamedNumbers {
    static let keyPlaceholder = "<user>"
    static let validText = "weights in 0...1e12, at least one > 0"
    var weights: [(name: String, weight: Double)] = []
    var description: String { "none" }

    init() {}

    init(from decoder: Decoder) throws {
        let m = try decoder.container(keyedBy: AnyCodingKey.self)
        for k in m.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            guard !k.stringValue.isEmpty else { throw m.invalid(k, "expected a non-empty user name") }
            let w = try m.decode(Double.self, forKey: k)
            guard w.isFinite && w >= 0 && w <= 1e12 else { throw m.invalid(k, "expected a weight in 0...1e12, got \(w)") }
            weights.append((k.stringValue, w))
        }
        guard weights.contains(where: { $0.weight > 0 }) else { throw decoder.invalid("expected at least one user with weight > 0") }
    }
}
