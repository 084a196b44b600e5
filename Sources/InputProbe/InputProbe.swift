import Engine
import Foundation
import Scenario
import Scheduling
import Workload

/// What the fuzz targets and the seeded mutation tests do with one input: load it as `check` would and, when it
/// is accepted, exercise what `run` and `trace stats` would do with it, within bounds.
///
/// Bad input must come back as `.rejected` with a located `InputError`; anything else (a trap, an abort, a hang)
/// is a finding. Shared by the libFuzzer targets (`.ci/fuzz`) and `swift test`, so both judge inputs alike.
public enum InputProbe {
    /// How one input fared.
    public enum Outcome: Equatable, Sendable {
        /// Rejected with a located, one-line error.
        case rejected(InputError)
        /// Accepted; `jobs` jobs were loaded (and, for scenarios, `simulated` of them simulated to completion).
        case accepted(jobs: Int, simulated: Int)
        /// Accepted by the loader, then failed in the engine for a reason the input caused (a completion past the
        /// simulated clock): `check` should have rejected it. A finding.
        case runFailed(String)
    }

    /// Loads `text` as a scenario file at `path` (relative trace paths resolve against its directory) and, when
    /// it loads, simulates its first `simulateJobs` jobs on its full cluster: the engine must not trap on
    /// anything the loader accepted. External policies are never started (a fuzzed command could be anything).
    public static func scenario(_ text: String, path: String, simulateJobs: Int = 50) -> Outcome {
        let scenario: Scenario
        do throws(InputError) {
            scenario = try ScenarioLoader.load(text: text, path: path)
        } catch {
            return .rejected(error)
        }
        guard simulateJobs > 0, !(scenario.policy is ExternalPolicy) else { return .accepted(jobs: scenario.jobs.count, simulated: 0) }
        let jobs = Array(scenario.jobs.prefix(simulateJobs))
        let simulation = Simulation(
            topology: scenario.topology, jobs: jobs, policy: scenario.policy, placement: PlacementCatalog.make(scenario.placementName)!,
            interconnect: scenario.interconnect, costs: scenario.transitionCosts, failures: scenario.failures, sharing: scenario.sharing,
            options: SimulationOptions(checkInvariants: false))
        do throws(SimulationError) {
            let result = try simulation.run()
            return .accepted(jobs: scenario.jobs.count, simulated: result.jobs.count)
        } catch {
            if case .beyondClock = error { return .runFailed(error.description) }
            // A policy decision the engine refused is a simulation failure (exit 1), not bad input; still no crash.
            return .accepted(jobs: scenario.jobs.count, simulated: 0)
        }
    }

    /// Parses `text` as a canonical trace named `file` and computes what `trace stats` prints and `trace import
    /// --format canonical` writes.
    public static func trace(_ text: String, file: String = "fuzz.csv") -> Outcome {
        do throws(InputError) {
            let parsed = try TraceReader.parse(text, file: file, skipBadRows: false)
            let stats = try TraceStats.checked(jobs: parsed.jobs, file: file)
            _ = try TraceImportFormat.canonical.convert(text: text, file: file)
            return .accepted(jobs: stats.jobs, simulated: 0)
        } catch {
            return .rejected(error)
        }
    }
}
