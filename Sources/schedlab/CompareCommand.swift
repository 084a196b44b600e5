import Analysis
import ArgumentParser
import Engine
import Foundation
import Recording

/// `schedlab compare`: per grid point and policy, metrics over seeds with confidence intervals, and paired
/// differences against a baseline policy.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Mean, standard deviation and 95% CI (Student t) over seeds per grid point and policy; paired differences vs a baseline.",
        discussion: """
            Reads the complete runs the filters select. Grid points are the values of the fields their sweep varied \
            (and of --by fields); seeds are the replicates. Runs whose scenarios differ in any other field are refused, \
            naming the fields. Differences pair each run with the baseline's run of the same seed at the same point \
            (same jobs). Exit status: 2 on bad input or runs that cannot be compared.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case md, csv, json
    }

    @Option(help: "Results database.")
    var db: String = "Results/schedlab.sqlite"

    @Option(help: "Only runs of this sweep.")
    var sweep: String?

    @Option(help: "Only runs of this scenario name.")
    var scenario: String?

    @Option(help: "Only this policy (repeatable).")
    var policy: [String] = []

    @Option(name: .customLong("run"), help: "Only this run ID (repeatable).")
    var runs: [Int64] = []

    @Option(help: "A scenario field that is a grid dimension besides the sweep's (repeatable), e.g. workload.synthetic.jobs.")
    var by: [String] = []

    @Option(help: "Policy to difference against (paired by seed).")
    var baseline: String?

    @Option(name: .customLong("metric"), help: "Summary metric (repeatable; 'all' for every one). Default: jct_mean_s, jct_p95_s, jct_p99_s, queue_mean_s, gpu_util, makespan_s.")
    var metrics: [String] = []

    @Option(help: "Confidence level.")
    var level: Double = 0.95

    @Option(help: "Output format.")
    var format: Format = .md

    static let defaultMetrics = ["jct_mean_s", "jct_p95_s", "jct_p99_s", "queue_mean_s", "gpu_util", "makespan_s"]

    func validate() throws {
        if !(level > 0 && level < 1) { throw ValidationError("--level must be between 0 and 1, e.g. 0.95") }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: db) else {
            printError("error: \(db): no results database here")
            throw CLIExit.badInput
        }
        let known = SummaryMetricKind.allCases.map(\.rawValue)
        let chosen = metrics.isEmpty ? Self.defaultMetrics : metrics.contains("all") ? known : metrics
        if let bad = chosen.first(where: { !known.contains($0) }) {
            printError("error: --metric: unknown metric '\(bad)'; expected one of: \(known.joined(separator: ", ")) (or all)")
            throw CLIExit.badInput
        }
        let comparison: Comparison
        do {
            let sink = try SQLiteSink(path: db)
            let selection = ComparisonSelection(sweep: sweep, scenario: scenario, policies: policy, runIDs: runs)
            comparison = try Comparison(runs: try selection.load(from: sink), metrics: chosen, extraGridFields: by,
                                        baseline: baseline, level: level)
        } catch let e as ComparisonError {
            printError("error: \(db): \(e)")
            throw CLIExit.badInput
        } catch let e as RecordingError {
            throw databaseOpenFailure(db, e, doing: "cannot open the results database")
        }
        switch format {
        case .md: print(ComparisonRendering.markdown(comparison), terminator: "")
        case .csv: print(ComparisonRendering.csv(comparison), terminator: "")
        case .json: print(ComparisonRendering.json(comparison))
        }
    }
}
