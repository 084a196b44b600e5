import ArgumentParser
import Foundation
import Recording

/// `schedlab merge`: combine results databases, keeping provenance and rejecting duplicate runs.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge results databases into OUT (created if missing), keeping provenance, rejecting duplicate runs.",
        discussion: """
            Each run is copied with all its rows (and its sweep points) under a new ID; runs.origin_db and \
            runs.origin_run say where it came from. A complete run with the same scenario hash, seed, policy, \
            placement, parameters and code version as one already in OUT or in another input is a duplicate: the \
            merge is refused and OUT is left as it was. Inputs are read-only and may have any older schema. \
            Exit status: 2 when refused (duplicates, missing or foreign files).
            """
    )

    @Argument(help: "Output database.")
    var out: String

    @Argument(help: "Input databases.")
    var inputs: [String]

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one input database") }
    }

    func run() throws {
        do {
            let copied = try ResultsMerger.merge(into: out, from: inputs)
            let ids = copied.map(\.outputRun)
            print("merged \(copied.count) run(s) from \(inputs.count) database(s) into \(out)"
                + (ids.isEmpty ? "" : " (runs \(ids.min()!)–\(ids.max()!))"))
        } catch let e as MergeError {
            printError("error: " + escapingControlCharacters(e.description))
            throw CLIExit.badInput
        } catch let e as RecordingError {
            throw databaseOpenFailure(out, e, doing: "cannot open the output database")
        }
    }
}
