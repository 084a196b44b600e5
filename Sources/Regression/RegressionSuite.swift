import Engine
import Foundation
import Scenario
import Workload

/// Runs scenarios and checks them against their committed baselines (Scenarios/baselines/NAME.json).
public struct RegressionSuite {
    /// Where baselines live.
    public let baselineDirectory: URL

    /// The scenario directory whose subfolders' scenarios keep their baselines in the same subfolder of
    /// `baselineDirectory` (nil: every baseline directly in it).
    public let scenarioRoot: URL?

    /// Creates a suite over `baselineDirectory`; scenarios in subfolders of `scenarioRoot` get subfolder baselines.
    public init(baselineDirectory: URL, scenarioRoot: URL? = nil) {
        self.baselineDirectory = baselineDirectory
        self.scenarioRoot = scenarioRoot
    }

    /// What happened to one scenario.
    public enum Outcome {
        /// The run reproduced its baseline.
        case matched(BaselineComparison)
        /// The run differs from its baseline.
        case differed(BaselineComparison)
        /// There is no baseline for it.
        case noBaseline
        /// The baseline was written or rewritten (`--update`); `changed` is false when it was already identical.
        case updated(changed: Bool)
    }

    /// The baseline file of the scenario at `path`: `<dir>/<file name without .yaml>.json`, or
    /// `<stem>@<variant>.json` for one of its variants. A scenario in a subfolder of `scenarioRoot`
    /// (`Scenarios/pollux-osdi21/workload-1.yaml`) keeps its baseline in the same subfolder of the baseline
    /// directory (`Scenarios/baselines/pollux-osdi21/workload-1.json`), so equal file names in different folders
    /// do not collide.
    public func baselineURL(forScenario path: String, variant: String? = nil) -> URL {
        let scenario = URL(fileURLWithPath: path).standardizedFileURL
        let stem = scenario.deletingPathExtension().lastPathComponent
        let folder = scenario.deletingLastPathComponent().path
        var directory = baselineDirectory
        if let root = scenarioRoot?.standardizedFileURL.path, folder.hasPrefix(root + "/") { directory = directory.appendingPathComponent(String(folder.dropFirst(root.count + 1))) }
        return directory.appendingPathComponent("\(stem)\(variant.map { "@\($0)" } ?? "").json")
    }

    /// The names of the variants of the scenario at `path` (its `variants:` section), in name order.
    public static func variants(ofScenarioAt path: String) throws -> [String] {
        try ScenarioLoader.variants(ofScenarioAt: path).map(\.name)
    }

    /// The baseline a run of `scenario` produces now.
    public static func currentBaseline(of scenario: Scenario) throws -> Baseline {
        let result = try scenario.makeSimulation().run()
        return Baseline(scenario: scenario.name, seed: scenario.seed, policy: scenario.policyName,
                        placement: scenario.placementName, result: result)
    }

    /// Runs the scenario at `path` (or its variant `variant`) and compares it with (or, with `update`, writes) its
    /// baseline.
    public func check(scenarioAt path: String, variant: String? = nil, update: Bool) throws -> Outcome {
        let overrides = try variant.map { v throws(InputError) in try ScenarioLoader.overrides(ofVariant: v, inScenarioAt: path) } ?? []
        let scenario = try ScenarioLoader.load(path: path, overrides: overrides)
        let url = baselineURL(forScenario: path, variant: variant)
        let current = try Self.currentBaseline(of: scenario)
        if update {
            let data = try current.encoded()
            let old = try? Data(contentsOf: url)
            if old == data { return .updated(changed: false) }
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
            return .updated(changed: true)
        }
        guard FileManager.default.fileExists(atPath: url.path) else { return .noBaseline }
        let comparison = BaselineComparison(baseline: try Baseline.read(url), current: current)
        return comparison.matches ? .matched(comparison) : .differed(comparison)
    }
}
