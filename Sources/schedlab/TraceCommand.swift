import ArgumentParser
import Foundation
import Workload

/// `schedlab trace`: convert public job traces to SchedLab's canonical CSV and summarize canonical traces.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Convert raw public traces to the canonical trace CSV, print a trace's statistics, and fit workloads to traces.",
        subcommands: [Import.self, Stats.self, Fit.self]
    )

    /// `schedlab trace import`: convert a raw trace to the canonical CSV.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Convert raw trace file(s) to SchedLab's canonical trace CSV.",
            discussion: """
                Formats: \(TraceImportFormat.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "; ")). \
                Several input files are merged into one trace, rebased together so the first submit is 0. Rows \
                dropped by a conversion rule are counted per rule on stderr. Exit status: 0 on success, 2 on bad \
                input (a malformed row fails the import unless --skip-bad-rows).
                """
        )

        @Option(help: "Input format.")
        var format: TraceImportFormat

        @Argument(help: "Raw trace file(s), all in the given format.")
        var inputs: [String]

        @Option(name: [.short, .customLong("output")], help: "Canonical CSV to write (default: standard output).")
        var output: String?

        @Flag(help: "Skip malformed rows (counted and reported on stderr) instead of failing.")
        var skipBadRows = false

        func validate() throws {
            guard !inputs.isEmpty else { throw ValidationError("give at least one input file") }
        }

        func run() throws {
            let result: ImportResult
            do {
                result = try format.convert(paths: inputs, skipBadRows: skipBadRows)
            } catch {
                throw reportInputError(error)
            }
            let text = CanonicalTraceWriter.render(result.rows)
            if let output {
                do {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw reportInputError(InputError(file: output, message: "cannot write the trace (\(error.localizedDescription))"))
                }
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            let source = inputs.count == 1 ? inputs[0] : "\(inputs.count) files"
            printError("imported \(result.rows.count) of \(result.rawRecords) \(format == .pai2020 ? "jobs" : "records") "
                + "from \(source) to \(output ?? "stdout")")
            for e in result.dropped.entries where e.count > 0 { printError("dropped \(e.count): \(e.rule)") }
            for e in result.adjusted.entries where e.count > 0 { printError("adjusted \(e.count): \(e.rule)") }
            reportSkipped(result.skipped)
        }
    }

    /// `schedlab trace stats`: summary statistics of a canonical trace.
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Print a canonical trace's jobs, GPU-hours, GPU-count histogram, durations, span and peak demand."
        )

        @Argument(help: "Canonical trace CSV.")
        var file: String

        @Flag(help: "Skip malformed rows (counted and reported on stderr) instead of failing.")
        var skipBadRows = false

        func run() throws {
            let parsed: TraceReader.Parsed
            let stats: TraceStats
            do {
                parsed = try TraceReader.read(path: file, skipBadRows: skipBadRows)
                stats = try TraceStats.checked(jobs: parsed.jobs, file: file)
            } catch {
                throw reportInputError(error)
            }
            reportSkipped(parsed.skipped)
            print(Self.render(stats, jobs: parsed.jobs, file: file))
        }

        /// The statistics as aligned `label  value` lines.
        static func render(_ s: TraceStats, jobs: [JobSpec], file: String) -> String {
            var lines: [(String, String)] = [
                ("trace", file),
                ("jobs", "\(s.jobs)"),
                ("GPU-hours", String(format: "%.1f", s.gpuHours)),
                ("GPUs per job", s.gpuHistogram.map { "\($0.gpus): \($0.jobs)" }.joined(separator: " · ") + " (max \(s.maxGPUs))"),
                ("duration (s)", s.durationPercentiles.map { "p\($0.p) \(seconds($0.seconds))" }.joined(separator: " · ")),
                ("", "min \(seconds(s.durationMin)) · mean \(seconds(s.durationMean)) · max \(seconds(s.durationMax))"
                    + " (\(days(s.durationMax)) days)"),
                ("submit span", "\(seconds(s.spanSeconds)) s = \(days(s.spanSeconds)) days"),
                ("peak GPUs", "\(s.peakConcurrentGPUs) (busy at once if every job started at submit, no queueing)"),
            ]
            if let statuses = breakdown(jobs.map(\.status)) { lines.append(("status", statuses)) }
            if let types = breakdown(jobs.map(\.gpuType)) { lines.append(("GPU types", types)) }
            let width = lines.map(\.0.count).max() ?? 0
            return lines.map { label, value in
                label + String(repeating: " ", count: width - label.count + 2) + value
            }.joined(separator: "\n")
        }

        /// "A 3 · B 1 · (none) 2", most frequent first (ties by name); nil when no job has a value.
        static func breakdown(_ values: [String?]) -> String? {
            guard values.contains(where: { $0 != nil }) else { return nil }
            var counts: [String: Int] = [:]
            for v in values { counts[v ?? "(none)", default: 0] += 1 }
            return counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }
                .joined(separator: " · ")
        }

        /// Seconds: whole numbers (halves rounded away from zero) from 100 s up, one decimal below.
        static func seconds(_ x: Double) -> String {
            x == x.rounded() || abs(x) >= 100 ? String(format: "%.0f", x.rounded()) : String(format: "%.1f", x)
        }

        /// Seconds as days, one decimal.
        static func days(_ x: Double) -> String { String(format: "%.1f", x / 86_400) }
    }
}

extension TraceImportFormat: ExpressibleByArgument {}

/// Reports skipped bad rows on stderr: the count, then the first few errors.
private func reportSkipped(_ skipped: [InputError], shown: Int = 5) {
    guard !skipped.isEmpty else { return }
    printError("skipped \(skipped.count) bad row\(skipped.count == 1 ? "" : "s")")
    for e in skipped.prefix(shown) { printError("  " + escapingControlCharacters(e.description)) }
    if skipped.count > shown { printError("  ... and \(skipped.count - shown) more") }
}
