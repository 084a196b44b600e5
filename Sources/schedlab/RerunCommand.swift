import ArgumentParser
import Foundation
import Recording
import Scenario
import Workload

/// `schedlab rerun`: simulate a recorded run again from what the database holds, and record it as a new run.
struct RerunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Simulate a recorded run again from its scenario text, seed, policy and placement in the database.",
        discussion: """
            The scenario's relative paths (trace, hardware profile) resolve against the directory of the path the \
            run was given, from the current directory, as the original command did. The recomputed scenario hash \
            must equal the recorded one, so a changed trace or profile is an error, not a silently different run. \
            Exit status as for 'run': 2 on bad input (unknown run, run recorded before the database kept scenario \
            text, changed inputs).
            """
    )

    @Option(help: "Results database holding the run; the rerun is recorded there too.")
    var db: String = "Results/schedlab.sqlite"

    @Option(name: .customLong("run"), help: "ID of the run to repeat (runs.id).")
    var runID: Int64

    @Flag(help: "Do not record the rerun in the database.")
    var noDb = false

    @Flag(help: "No progress or provenance lines on stderr; only the summary table on stdout.")
    var quiet = false

    func run() throws {
        let scenario: Scenario
        do {
            scenario = try Self.recreate(run: runID, db: db)
        } catch {
            throw reportInputError(error)
        }
        let outcome = try RunCommand.simulate(scenario, db: noDb ? nil : db, quiet: quiet)
        print(SummaryFormatter.render(scenario: scenario, result: outcome.result, runID: outcome.runID,
                                      db: noDb ? nil : db, wallSeconds: outcome.wallSeconds))
    }

    /// The scenario of run `run` in `db`, loaded from its recorded text, seed, policy and placement and checked
    /// against its recorded hash.
    static func recreate(run: Int64, db: String) throws(InputError) -> Scenario {
        // Opening a missing path would create an empty database; say what is wrong instead.
        guard FileManager.default.fileExists(atPath: db) else {
            throw InputError(file: db, message: "no results database here")
        }
        let recorded: RunRow
        do {
            guard let row = try SQLiteSink(path: db).fetchRun(id: run) else {
                throw InputError(file: db, field: "--run", message: "there is no run \(run)")
            }
            recorded = row
        } catch let e as InputError {
            throw e
        } catch let e as RecordingError {
            throw InputError(file: db, message: e.description)
        } catch {
            throw InputError(file: db, message: "cannot read the results database (\(error))")
        }
        guard let text = recorded.scenarioText, let path = recorded.scenarioPath else {
            throw InputError(file: db, field: "runs.scenario_text", message:
                "run \(run) was recorded before the database kept scenario text (schema v4), so it cannot be rerun "
                + "from the database; run its scenario file again with `schedlab run` and --seed \(recorded.seed)")
        }
        let scenario = try ScenarioLoader.load(
            text: text, path: path, seed: recorded.seed, policy: recorded.policy, placement: recorded.placement)
        guard scenario.hash == recorded.scenarioHash else {
            throw InputError(file: db, field: "runs.scenario_hash", message:
                "run \(run)'s inputs changed since it was recorded: the scenario hash is now \(scenario.hash.prefix(16))…, "
                + "recorded \(recorded.scenarioHash.prefix(16))… (the trace or hardware profile that \(path) names has "
                + "different bytes, or resolves to another file from this directory)")
        }
        return scenario
    }
}
