import ArgumentParser
import Engine
import Foundation
import Recording
import Scenario
import Scheduling
import Workload

/// `schedlab run`: simulate a scenario, record it in SQLite and print its summary.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Simulate a scenario, record it in the results database and print its summary.",
        discussion: """
            Exit status: 0 on success, 2 on bad input (nothing is simulated or written) or a database written by a \
            newer SchedLab, 1 when the simulation fails (the run is recorded with status 'failed'), 130 on SIGINT and \
            143 on SIGTERM (the run stops at an event boundary and is recorded with status 'interrupted', without \
            results; a second signal ends the process at once).
            """
    )

    @Argument(help: "Scenario YAML file (see Scenarios/).")
    var scenario: String

    @Option(help: "Results database.")
    var db: String = "Results/schedlab.sqlite"

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Change a scenario field before it is read, e.g. policy.name=sjf or policy.params={depth: 10} (repeatable).",
        valueName: "path=value"))
    var overrides: [String] = []

    @Option(help: "Run the scenario's variant of this name (its 'variants:' overrides, applied before --set).")
    var variant: String?

    @Option(help: "Master seed, overriding the scenario's 'seed'.")
    var seed: UInt64?

    @Option(help: "Policy, overriding the scenario's (with default parameters; external also needs --set 'policy.command=[...]'). See 'schedlab info policies'.")
    var policy: String?

    @Option(help: "Placement strategy, overriding the scenario's. See 'schedlab info placements'.")
    var placement: String?

    @Flag(help: "Do not record the run in the database.")
    var noDb = false

    @Option(help: ArgumentHelp(
        "Write every policy round to FILE as (state, decision) pairs: the external-policy protocol's round messages, "
            + "each followed by the decisions made (docs/external-policies.md). Any policy; results are unchanged.",
        valueName: "FILE"))
    var recordDecisions: String?

    @Flag(help: "No progress or provenance lines on stderr; only the summary table on stdout.")
    var quiet = false

    @Flag(help: "Write the result rows on a second thread while the simulation runs, still in one transaction that commits at the end (the same database): less wait after the simulation when a core is free. The database's write lock is then held for the whole run, so other processes writing into the same file wait for it.")
    var streamWrites = false

    func run() throws {
        var chosenSeed: UInt64?
        var scenario: Scenario
        do {
            var parsed = try overrides.map { (o: String) throws(InputError) in try ScenarioOverride(o) }
            if let variant { parsed = try ScenarioLoader.overrides(ofVariant: variant, inScenarioAt: self.scenario) + parsed }
            scenario = try ScenarioLoader.load(
                path: self.scenario, overrides: parsed, seed: seed, policy: policy, placement: placement, fallbackSeed: {
                // The one place SchedLab draws an unseeded number: no seed anywhere. It is printed and recorded.
                var g = SystemRandomNumberGenerator()
                let s = UInt64.random(in: 0..<(1 << 53), using: &g)
                chosenSeed = s
                return s
            })
        } catch {
            throw reportInputError(error)
        }
        if let chosenSeed { printError("note: the scenario has no seed; using --seed \(chosenSeed)") }
        if !scenario.skippedRows.isEmpty {
            printError("warning: skipped \(scenario.skippedRows.count) bad trace row(s) (on_bad_row: skip); first: \(scenario.skippedRows[0])")
        }
        var log: DecisionLog?
        if let recordDecisions {
            do {
                log = try DecisionLog(path: recordDecisions)
            } catch {
                printError("error: --record-decisions \(error)")
                throw CLIExit.badInput
            }
            scenario.policy = DecisionRecording.wrap(scenario.policy, log: log!)
        }
        let outcome = try Self.simulate(scenario, db: noDb ? nil : db, quiet: quiet, streamWrites: streamWrites)
        if let log {
            do {
                try log.close()
            } catch {
                printError("error: \(error)")
                throw ExitCode.failure
            }
            if !quiet { printError("recorded \(log.rounds) policy rounds in \(log.path)") }
        }
        print(SummaryFormatter.render(scenario: scenario, result: outcome.result, runID: outcome.runID,
                                      db: noDb ? nil : db, wallSeconds: outcome.wallSeconds))
    }

    /// Simulates `scenario`, recording into `db` when given; prints progress unless `quiet`.
    ///
    /// With `streamWrites`, rows go to a `StreamingRun` while the simulation runs; it is rolled back before the run is
    /// marked failed or interrupted (its transaction holds the connection those writes need).
    static func simulate(_ scenario: Scenario, db: String?, quiet: Bool, streamWrites: Bool = false) throws -> (result: RunResult, runID: Int64?, wallSeconds: Double) {
        let sink: SQLiteSink?
        var runID: Int64?
        let wallStart = Date()
        // From before the run row exists: a signal from here on ends in `interrupted`, never in a row left 'running'.
        let interruption = Interruption.shared
        interruption.install(secondSignalEnds: true)
        if let db {
            do {
                let s = try SQLiteSink(path: db)
                runID = try s.beginRun(RunMetadata(
                    scenarioName: scenario.name, scenarioHash: scenario.hash, seed: scenario.seed,
                    policy: scenario.policyName, placement: scenario.placementName,
                    parameters: scenario.policyParameters, codeVersion: CodeVersion.current,
                    schedlabVersion: CodeVersion.release, wallStart: wallStart, skippedInputRows: scenario.skippedRows.count,
                    scenarioText: scenario.text, scenarioPath: scenario.path))
                sink = s
            } catch {
                throw databaseOpenFailure(db, error, doing: "cannot record the run")
            }
        } else {
            sink = nil
        }
        let progress = quiet ? nil : ProgressPrinter(totalJobs: scenario.jobs.count)
        var options = SimulationOptions(checkInvariants: nil)
        if let progress { options.progress = { progress.report($0) } }
        options.shouldStop = { interruption.isRequested }
        var stream: StreamingRun?
        if streamWrites, let sink, let runID {
            let s = sink.streamRun(id: runID, topology: scenario.topology)
            options.output = { s.receive($0) }
            stream = s
        }
        let simulation = scenario.makeSimulation(options: options)
        let result: RunResult
        do {
            result = try simulation.run()
        } catch {
            stream?.abort()
            progress?.finish()
            // Any failure after a signal counts as the interruption: the same Ctrl-C also reaches an external
            // policy's process, whose death the engine may see before its own stop check.
            if let sig = interruption.caught {
                var (time, events) = (simulation.now, simulation.eventsProcessed)
                if case .interrupted(let t, let e) = error { (time, events) = (t, e) }
                throw interrupted(by: sig, at: time.seconds, events: events, sink: sink, runID: runID, db: db)
            }
            printError("error: \(scenario.path): \(error)")
            if let sink, let runID { try? sink.failRun(id: runID, message: error.description, wallEnd: Date()) }
            throw CLIExit.simulationFailed
        }
        progress?.finish()
        if let sink, let runID {
            do {
                if let stream {
                    _ = try stream.finish(result: result, wallEnd: Date())
                } else {
                    try sink.completeRun(id: runID, result: result, topology: scenario.topology, wallEnd: Date())
                }
            } catch {
                printError("error: \(db!): could not write the results of run \(runID): \(error)")
                try? sink.failRun(id: runID, message: "recording failed: \(error)", wallEnd: Date())
                throw ExitCode.failure
            }
        }
        if let sig = interruption.caught {
            // Too late to stop anything: the simulation had ended, and its results went in whole (one transaction).
            let recorded = runID.map { "; run \($0) is recorded complete in \(db!)" } ?? ""
            printError("interrupted by \(Interruption.name(sig)) after the simulation ended\(recorded)")
            throw Interruption.exitCode(sig)
        }
        if !result.unfinishedJobs.isEmpty {
            printError("warning: \(result.unfinishedJobs.count) job(s) never finished (recorded with no finish time)")
        }
        return (result, runID, Date().timeIntervalSince(wallStart))
    }

    /// Marks the run `interrupted` (when recorded), prints the one line saying so, and returns the exit code.
    private static func interrupted(by sig: Int32, at seconds: Double, events: Int, sink: SQLiteSink?, runID: Int64?, db: String?) -> ExitCode {
        let name = Interruption.name(sig)
        let point = "at t=\(String(format: "%.3f", seconds)) s after \(events) events"
        if let sink, let runID, let db {
            do {
                try sink.interruptRun(id: runID, reason: "interrupted by \(name)", simulatedEndSeconds: seconds, events: events, wallEnd: Date())
                printError("interrupted by \(name) \(point); run \(runID) is recorded as 'interrupted' in \(db)")
            } catch {
                printError("interrupted by \(name) \(point); could not mark run \(runID) in \(db): \(oneLine(error))")
            }
        } else {
            printError("interrupted by \(name) \(point); nothing recorded")
        }
        return Interruption.exitCode(sig)
    }
}
