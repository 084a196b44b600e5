import Foundation
import Models
import SimRandom
import Workload

/// A trace fit (`TraceFit`) written as a workload section that a scenario includes (`workload: {include: FILE}`):
/// what `schedlab trace fit` prints.
///
/// The arrivals are a diurnal process with the trace's mean rate and hourly profile, over the trace's span
/// (`span_h`, so that `arrivals.scale` changes the load and keeps the span). The jobs are either bootstrapped from
/// the trace's rows (`sample:`, the default: the empirical joint distribution of GPU count, duration, model and
/// user, durations smoothed only when asked) or, with `parametric`, drawn from the GPU-count histogram and the best-fitting duration family, with the
/// trace's model and user mixes. Comments record the source and every family's fit quality.
public struct FittedWorkload {
    /// The fit.
    public let fit: TraceFit
    /// The trace as the written file should name it (relative to that file, or absolute).
    public let tracePath: String
    /// The trace's name for the header comment.
    public let sourceName: String
    /// The window fitted, on the trace clock, if any.
    public let windowStart: Double?
    /// End of the window fitted, if any.
    public let windowEnd: Double?
    /// The job-id prefix the fit kept, if any.
    public let jobIDPrefix: String?
    /// Write fitted distributions instead of the bootstrap.
    public let parametric: Bool
    /// The bootstrap's kernel bandwidth on log durations (0: the trace's durations exactly).
    public let durationSmoothing: Double

    /// Creates the writer.
    public init(fit: TraceFit, tracePath: String, sourceName: String, windowStart: Double? = nil, windowEnd: Double? = nil,
                jobIDPrefix: String? = nil, parametric: Bool = false, durationSmoothing: Double = 0) {
        self.fit = fit
        self.tracePath = tracePath
        self.sourceName = sourceName
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.jobIDPrefix = jobIDPrefix
        self.parametric = parametric
        self.durationSmoothing = durationSmoothing
    }

    /// The YAML text.
    public var yaml: String {
        let n = DistributionConfig.number
        var lines: [String] = []
        let days = fit.spanSeconds / 86_400
        lines.append("# Workload fitted by `schedlab trace fit` from \(sourceName): \(fit.jobs) jobs over "
            + "\(String(format: "%.2f", days)) days (\(String(format: "%.3f", fit.ratePerHour)) jobs/h).")
        lines.append("# Use it in a scenario (paths in this file are relative to it), e.g. at 1.5x the trace's load:")
        lines.append("#   workload: {include: FILE, synthetic: {arrivals: {scale: 1.5}}}")
        lines.append("# GPUs per job: " + fit.gpuCounts.map { "\($0.gpus): \($0.jobs)" }.joined(separator: " · "))
        if !fit.durationFits.isEmpty {
            lines.append("# Durations: one-sample Kolmogorov-Smirnov distance of each maximum-likelihood fit (best first):")
            for c in fit.durationFits {
                lines.append("#   KS \(String(format: "%.4f", c.ks))  \(DistributionConfig.yaml(c.distribution))")
            }
        }
        lines.append("synthetic:")
        lines.append("  span_h: \(n(fit.spanSeconds / 3600))")
        lines.append("  arrivals:")
        lines.append("    process: diurnal")
        lines.append("    rate_per_hour: \(n(fit.ratePerHour))")
        let weights = fit.profile.relativeRates ?? Array(repeating: 1, count: fit.profile.periodHours)
        lines.append("    # relative arrival rate in each hour of the \(fit.profile.periodHours == 24 ? "day" : "week") "
            + "on the trace's clock (hour 0 = its time 0)")
        let rows = stride(from: 0, to: weights.count, by: 24).map { start in
            weights[start..<min(start + 24, weights.count)].map { String(format: "%.3f", $0) }.joined(separator: ", ")
        }
        lines.append("    hourly: [" + rows.joined(separator: ",\n             ") + "]")
        if parametric {
            if let gpus = fit.gpuDistribution { lines.append("  gpus: \(DistributionConfig.yaml(gpus))") }
            let duration = fit.durationFits.first?.distribution ?? DistributionFit.lognormal(fit.durations)
            lines.append("  duration_s: \(DistributionConfig.yaml(duration))")
            if !fit.models.isEmpty {
                lines.append("  models: {" + fit.models.map { "\(ModelZoo.all[$0.index].name): \($0.jobs)" }.joined(separator: ", ") + "}")
            }
            if !fit.users.isEmpty {
                lines.append("  users: {" + fit.users.map { "\(Self.quoted($0.name)): \($0.jobs)" }.joined(separator: ", ") + "}")
            }
        } else {
            lines.append("  sample:")
            lines.append("    trace: \(Self.quoted(tracePath))")
            if windowStart != nil || windowEnd != nil {
                lines.append("    window: {" + [windowStart.map { "start_s: \(n($0))" }, windowEnd.map { "end_s: \(n($0))" }]
                    .compactMap { $0 }.joined(separator: ", ") + "}")
            }
            if let jobIDPrefix { lines.append("    filter: {job_id_prefix: \(Self.quoted(jobIDPrefix))}") }
            // Silverman's rule assumes a smooth density; real traces have sharp peaks (repeated runs of one job), which
            // smoothing blurs, so the default is the plain bootstrap and the rule's bandwidth is only suggested.
            lines.append("    duration_smoothing: \(n(durationSmoothing))   # Silverman's bandwidth for these durations: "
                + "\(n(fit.durationSmoothing))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML double-quoted string (JSON escaping is valid YAML).
    static func quoted(_ s: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }

    /// `file` relative to the directory `directory` (both made absolute against the working directory first).
    public static func relativePath(of file: String, from directory: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        func components(_ p: String) -> [String] {
            let absolute = p.hasPrefix("/") ? p : (cwd as NSString).appendingPathComponent(p)
            return URL(fileURLWithPath: absolute).standardizedFileURL.pathComponents
        }
        let f = components(file), d = components(directory)
        var common = 0
        while common < min(f.count, d.count) && f[common] == d[common] { common += 1 }
        let up = Array(repeating: "..", count: d.count - common)
        let rest = Array(f[common...])
        return (up + rest).joined(separator: "/")
    }
}
