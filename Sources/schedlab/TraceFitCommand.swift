import ArgumentParser
import Foundation
import Scenario
import Workload

extension TraceCommand {
    /// `schedlab trace fit`: summarise a canonical trace as a workload section a scenario can include.
    struct Fit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fit",
            abstract: "Summarise a canonical trace as a synthetic workload section (hourly arrival profile, empirical or fitted distributions).",
            discussion: """
                Writes a workload section for `workload: {include: FILE}`: diurnal arrivals at the trace's mean rate with its \
                hourly profile (a week of 168 hours when the trace spans two weeks or more, else a day; --period) over its \
                span, and jobs bootstrapped from its rows (GPU count, duration, model and user kept together; with \
                --smoothing, durations smoothed by a log-normal kernel), or with --parametric, the GPU-count histogram and the best \
                maximum-likelihood duration fit. Every fitted family and its Kolmogorov-Smirnov distance to the trace is \
                listed in the file's comments and on stderr. The trace path inside the file is relative to the file \
                (-o), or as given when the file goes to standard output. Exit status: 0 on success, 2 on a bad trace, 64 on bad options.
                """
        )

        @Argument(help: "Canonical trace CSV.")
        var file: String

        @Option(name: [.short, .customLong("output")], help: "Workload YAML to write (default: standard output).")
        var output: String?

        @Flag(help: "Write fitted distributions (GPU-count histogram, best duration family) instead of sampling the trace's rows.")
        var parametric = false

        @Option(help: ArgumentHelp(
            "Bandwidth of the log-normal kernel smoothing bootstrapped durations: a number in 0...5, or 'silverman' for "
                + "Silverman's rule (default 0: the trace's durations exactly).", valueName: "h"))
        var smoothing = "0"

        @Option(help: "Arrival profile period: day (24 weights), week (168) or auto.")
        var period: TraceFit.Period = .auto

        @Option(name: .customLong("start-s"), help: "Fit only jobs submitted at or after this time (trace clock, seconds).")
        var start: Double?

        @Option(name: .customLong("end-s"), help: "Fit only jobs submitted before this time (trace clock, seconds); also ends the span.")
        var end: Double?

        @Option(help: "Fit only jobs whose id starts with this (e.g. cluster07/ in the merged ITP trace).")
        var jobIdPrefix: String?

        @Flag(help: "Skip malformed rows (counted and reported on stderr) instead of failing.")
        var skipBadRows = false

        func validate() throws {
            if smoothing != "silverman" {
                guard let h = Double(smoothing), h.isFinite, h >= 0, h <= 5 else {
                    throw ValidationError("--smoothing must be a number in 0...5 or 'silverman', got '\(smoothing)'")
                }
            }
            if let start, !(start.isFinite && start >= 0 && start <= SyntheticWorkload.maxArrivalSeconds) {
                throw ValidationError("--start-s must be seconds in 0...\(SyntheticWorkload.maxArrivalSeconds), got \(start)")
            }
            if let end, !(end.isFinite && end > (start ?? 0) && end <= SyntheticWorkload.maxArrivalSeconds) {
                throw ValidationError("--end-s must be seconds after --start-s and at most \(SyntheticWorkload.maxArrivalSeconds), got \(end)")
            }
        }

        func run() throws {
            let parsed: TraceReader.Parsed
            do {
                parsed = try TraceReader.read(path: file, skipBadRows: skipBadRows)
            } catch {
                throw reportInputError(error)
            }
            let selection = TraceSelection(jobIDPrefix: jobIdPrefix, windowStart: start, windowEnd: end)
            let jobs = selection.apply(to: parsed.jobs).jobs
            guard jobs.count >= 2 else {
                throw reportInputError(InputError(file: file, message: "expected at least 2 jobs to fit (in the window and filter), got \(jobs.count)"))
            }
            let fit = TraceFit(jobs: jobs, spanSeconds: end.map { $0 - (start ?? 0) }, period: period)
            let tracePath = output.map { FittedWorkload.relativePath(of: file, from: ($0 as NSString).deletingLastPathComponent) } ?? file
            let writer = FittedWorkload(
                fit: fit, tracePath: tracePath, sourceName: (file as NSString).lastPathComponent, windowStart: start, windowEnd: end,
                jobIDPrefix: jobIdPrefix, parametric: parametric,
                durationSmoothing: smoothing == "silverman" ? fit.durationSmoothing : Double(smoothing)!)
            let text = writer.yaml
            if let output {
                do {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw reportInputError(InputError(file: output, message: "cannot write the workload (\(error.localizedDescription))"))
                }
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            printError("fitted \(fit.jobs) jobs over \(String(format: "%.2f", fit.spanSeconds / 86_400)) days "
                + "(\(String(format: "%.3f", fit.ratePerHour)) jobs/h, \(fit.profile.periodHours)-hour profile) to \(output ?? "stdout")")
            for c in fit.durationFits {
                printError("duration fit \(c.family.padding(toLength: 11, withPad: " ", startingAt: 0)) KS \(String(format: "%.4f", c.ks))")
            }
        }
    }
}

extension TraceFit.Period: ExpressibleByArgument {}
