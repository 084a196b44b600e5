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
        do {
            let parsed = try overrides.map { (o: String) throws(InputError) in try ScenarioOverride(o) }
            s = try ScenarioLoader.load(path: scenario, overrides: parsed)
        } catch {
            throw reportInputError(error)
        }
        let gpuDemand = s.jobs.reduce(0) { $0 + $1.gpuCount }
        print("ok: \(s.name): \(s.topology.gpuCount) GPUs in \(s.topology.nodeCount) nodes / \(s.topology.rackCount) rack(s); "
            + "\(s.jobs.count) jobs (\(gpuDemand) GPUs requested in total); policy \(s.policyName), "
            + "placement \(s.placementName), seed \(s.seed); sha256 \(s.hash.prefix(16))…")
    }
}
