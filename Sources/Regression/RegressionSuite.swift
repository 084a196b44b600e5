import Engine
import Foundation
import Scenario
import Workload

/// Runs scenarios and checks them against their committed baselines (Scenarios/baselines/NAME.json).
public struct RegressionSuite {
    /// Where baselines live.
    public let baselineDirectory: URL

    /// Creates a suite over `baselineDirectory`.
    public init(baselineDirectory: URL) { self.baselineDirectory = baselineDirectory }

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

    /// The baseline file of the scenario at `path`: `<dir>/<file name without .yaml>.json`.
    public func baselineURL(forScenario path: String) -> URL {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return baselineDirectory.appendingPathComponent("\(stem).json")
    }

    /// The baseline a run of `scenario` produces now.
    public static func currentBaseline(of scenario: Scenario) throws -> Baseline {
        let result = try scenario.makeSimulation().run()
        return Baseline(scenario: scenario.name, seed: scenario.seed, policy: scenario.policyName,
                        placement: scenario.placementName, result: result)
    }

    /// Runs the scenario at `path` and compares it with (or, with `update`, writes) its baseline.
    public func check(scenarioAt path: String, update: Bool) throws -> Outcome {
        let scenario = try ScenarioLoader.load(path: path)
        let url = baselineURL(forScenario: path)
        let current = try Self.currentBaseline(of: scenario)
        if update {
            let data = try current.encoded()
            let old = try? Data(contentsOf: url)
            if old == data { return .updated(changed: false) }
            try FileManager.default.createDirectory(at: baselineDirectory, withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
            return .updated(changed: true)
        }
        guard FileManager.default.fileExists(atPath: url.path) else { return .noBaseline }
        let comparison = BaselineComparison(baseline: try Baseline.read(url), current: current)
        return comparison.matches ? .matched(comparison) : .differed(comparison)
    }
}
