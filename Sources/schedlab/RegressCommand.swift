import ArgumentParser
import Foundation
import Regression
import Scenario
import Workload

/// `schedlab regress`: replay scenarios and compare them with their committed baselines.
struct RegressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regress",
        abstract: "Run scenarios and compare each with its baseline in Scenarios/baselines/ (exit 1 on any difference).",
        discussion: """
            Without arguments, runs every Scenarios/*.yaml, and every Scenarios/<folder>/*.yaml that has a baseline \
            (kept in Scenarios/baselines/<folder>/). A run must reproduce its baseline \
            exactly (the jobs digest and every summary metric): SchedLab is deterministic, so any difference is a \
            change in behaviour. Review intended changes with --update, which rewrites the baselines for git.
            Build with -c release: debug builds check invariants after every event and are much slower.
            """
    )

    @Argument(help: "Scenario files (default: every .yaml in --scenarios).")
    var scenarios: [String] = []

    @Option(help: "Directory searched when no scenario is given.")
    var scenarioDir = "Scenarios"

    @Option(help: "Directory of baseline JSON files.")
    var baselines = "Scenarios/baselines"

    @Flag(help: "Rewrite the baselines from the current code instead of comparing.")
    var update = false

    func run() throws {
        let explicit = !scenarios.isEmpty
        let paths: [String]
        if explicit {
            paths = scenarios
        } else {
            // Top-level scenarios, then those of each subfolder (Scenarios/pollux-osdi21/…), each in name order; only
            // those with a baseline are replayed.
            let fm = FileManager.default
            let names = ((try? fm.contentsOfDirectory(atPath: scenarioDir)) ?? []).sorted()
            var found = names.filter { $0.hasSuffix(".yaml") }.map { "\(scenarioDir)/\($0)" }
            let baselineRoot = URL(fileURLWithPath: baselines).standardizedFileURL.path
            for folder in names where !folder.hasPrefix(".") {
                let dir = "\(scenarioDir)/\(folder)"
                var isDirectory: ObjCBool = false
                guard fm.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue,
                      URL(fileURLWithPath: dir).standardizedFileURL.path != baselineRoot else { continue }
                let inner = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
                let suite = RegressionSuite(baselineDirectory: URL(fileURLWithPath: baselines), scenarioRoot: URL(fileURLWithPath: scenarioDir))
                // A subfolder's scenario is replayed only when it has a baseline (sweep files and others are not scenarios).
                found += inner.map { "\(dir)/\($0)" }.filter { fm.fileExists(atPath: suite.baselineURL(forScenario: $0).path) }
            }
            paths = found
            guard !paths.isEmpty else {
                printError("error: \(scenarioDir): no scenario files (*.yaml)")
                throw CLIExit.badInput
            }
        }
        let suite = RegressionSuite(baselineDirectory: URL(fileURLWithPath: baselines), scenarioRoot: URL(fileURLWithPath: scenarioDir))
        var failures = 0
        var checked = 0
        // Every scenario, then each of its variants (`variants:`), as `path@variant`.
        var targets: [(path: String, variant: String?)] = []
        for path in paths {
            targets.append((path, nil))
            do {
                for v in try RegressionSuite.variants(ofScenarioAt: path) { targets.append((path, v)) }
            } catch let error as InputError {
                throw reportInputError(error)
            }
        }
        for (path, variant) in targets {
            let label = path + (variant.map { "@\($0)" } ?? "")
            let baselinePath = suite.baselineURL(forScenario: path, variant: variant).path
            let start = Date()
            let outcome: RegressionSuite.Outcome
            do {
                outcome = try suite.check(scenarioAt: path, variant: variant, update: update)
            } catch let error as InputError {
                throw reportInputError(error)
            } catch {
                printError("FAIL     \(label): \(error)")
                failures += 1
                continue
            }
            let took = String(format: "%.2f s", Date().timeIntervalSince(start))
            switch outcome {
            case .matched:
                checked += 1
                print("ok       \(label) (\(took))")
            case .differed(let comparison):
                checked += 1
                failures += 1
                print("FAIL     \(label) (\(took)): differs from \(baselinePath)")
                print(Self.table(comparison))
            case .noBaseline:
                // A named scenario must have a baseline; its variants are baselined one by one, as wanted.
                if explicit && variant == nil {
                    failures += 1
                    print("FAIL     \(label): no baseline at \(baselinePath); create it with --update")
                } else {
                    print("skipped  \(label): no baseline")
                }
            case .updated(let changed):
                print("\(changed ? "updated" : "same   ")  \(baselinePath) (\(took))")
            }
        }
        if !update { print("\(checked - failures < 0 ? 0 : checked - failures) of \(checked) scenario(s) match their baselines") }
        if failures > 0 { throw ExitCode(1) }
    }

    /// The metric-by-metric table, differing rows marked, then what each differing metric means.
    static func table(_ c: BaselineComparison) -> String {
        var t = TextTable(header: ["", "item", "unit", "baseline", "current", "change"], rightAligned: [3, 4, 5])
        for row in c.rows {
            t.rows.append([row.differs ? "*" : "", row.name, row.metric?.unit.symbol ?? "", row.baseline, row.current,
                           row.changePercent.map { String(format: "%+.2f%%", $0) } ?? ""])
        }
        // The meanings of the differing metrics only: the reader needs them for what changed, not for all twelve.
        let meanings = c.rows.filter(\.differs).compactMap { row in row.metric.map { "  \($0.name): \($0.meaning)" } }
        return t.render() + (meanings.isEmpty ? "" : "\n" + meanings.joined(separator: "\n"))
    }
}
