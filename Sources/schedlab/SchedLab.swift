import ArgumentParser

/// The `schedlab` command: simulate GPU-cluster scheduling scenarios and record the results.
@main
struct SchedLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedlab",
        abstract: "A deterministic discrete-event GPU-cluster simulator and scheduler testbed.",
        version: CodeVersion.versionLine,
        subcommands: [RunCommand.self, RerunCommand.self, CheckCommand.self, InfoCommand.self, BenchCommand.self, RegressCommand.self, StepTimeCommand.self, FitCommand.self, TraceCommand.self, MeasurementsCommand.self, FidelityCommand.self, HWCommand.self, SweepCommand.self, SweepTaskCommand.self, CompareCommand.self, ExportCommand.self, MergeCommand.self]
    )
}
