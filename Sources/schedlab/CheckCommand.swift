import ArgumentParser
import Scenario
import Workload

/// `schedlab check`: validate a scenario without simulating it.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a scenario (and its trace) without running it; exit 2 with a located error if it is bad."
    )

    @Argument(help: "Scenario YAML file.")
    var scenario: String

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Change a scenario field before it is read, as 'schedlab run --set' does (repeatable).", valueName: "path=value"))
    var overrides: [String] = []

    func run() throws {
        let s: Scenario
        do throws(InputError) {
            let parsed = try overrides.map { (o: String) throws(InputError) in try ScenarioOverride(o) }
            s = try ScenarioLoader.load(path: scenario, overrides: parsed)
            // Every variant must load too: `run --variant` and `regress` would reject a bad one.
            for v in s.variants {
                do throws(InputError) {
                    _ = try ScenarioLoader.load(path: scenario, overrides: v.overrides + parsed)
                } catch {
                    throw InputError(file: error.file, line: error.line, field: error.field,
                                     message: "\(error.message) (in variant '\(v.name)')")
                }
            }
        } catch {
            throw reportInputError(error)
        }
        let gpuDemand = s.jobs.reduce(0) { $0 + $1.gpuCount }
        print("ok: \(s.name): \(s.topology.gpuCount) GPUs in \(s.topology.nodeCount) nodes / \(s.topology.rackCount) rack(s); "
            + "\(s.jobs.count) jobs (\(gpuDemand) GPUs requested in total); policy \(s.policyName), "
            + "placement \(s.placementName), seed \(s.seed); sha256 \(s.hash.prefix(16))…"
            + (s.variants.isEmpty ? "" : "; variants \(s.variants.map(\.name).joined(separator: ", "))"))
    }
}
