import ArgumentParser
import Foundation
import Recording

/// `schedlab export`: one table of the results database as tidy CSV.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a table of the results database as tidy CSV (RFC 4180), with each row's run provenance.",
        discussion: """
            Every row starts with run_id, scenario, policy, placement and seed, so exports concatenate. Column names \
            carry units (_s seconds, _gpu_s GPU-seconds, _fraction a share of 1); the column order is fixed and \
            documented in the README. NULL is an empty field; an empty string is "". Exit status: 2 on bad input \
            (no such database or run).
            """
    )

    enum Table: String, ExpressibleByArgument, CaseIterable {
        case jobs, summary, samples, allocations, runs, links
    }

    @Option(help: "Results database.")
    var db: String = "Results/schedlab.sqlite"

    @Option(name: .customLong("run"), help: "Run ID to export (repeatable).")
    var runs: [Int64] = []

    @Flag(help: "Export every run in the database.")
    var all = false

    @Option(help: "Which table.")
    var table: Table

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var output: String?

    func validate() throws {
        if all == !runs.isEmpty { throw ValidationError("give --run ID (repeatable) or --all") }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: db) else {
            printError("error: \(db): no results database here")
            throw CLIExit.badInput
        }
        let sink: SQLiteSink
        do { sink = try SQLiteSink(path: db) } catch {
            throw databaseOpenFailure(db, error, doing: "cannot open the results database")
        }
        // Write to a temporary file and move it into place, so a failed export never leaves half a file.
        let target = output.map { URL(fileURLWithPath: $0) }
        let temporary = target.map { $0.deletingLastPathComponent().appendingPathComponent(".\($0.lastPathComponent).\(getpid()).tmp") }
        let handle: FileHandle
        if let temporary {
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil), let h = try? FileHandle(forWritingTo: temporary) else {
                printError("error: \(output!): cannot write here")
                throw CLIExit.badInput
            }
            handle = h
        } else {
            handle = FileHandle.standardOutput
        }
        do {
            try sink.exportCSV(ExportTable(rawValue: table.rawValue)!, runs: all ? nil : runs) { chunk in
                try handle.write(contentsOf: Data(chunk.utf8))
            }
        } catch let RecordingError.unknownRun(id) {
            if let temporary { try? FileManager.default.removeItem(at: temporary) }
            printError("error: \(db): --run: there is no run \(id)")
            throw CLIExit.badInput
        }
        if let temporary, let target {
            try handle.close()
            _ = try? FileManager.default.removeItem(at: target)
            try FileManager.default.moveItem(at: temporary, to: target)
        }
    }
}
