import Foundation
import GRDB

/// Merges results databases into one (`schedlab merge`), keeping each run's provenance and rejecting duplicate runs.
///
/// Every run of every input is copied with all its rows under a new run ID, in input order and then run order; its
/// `origin_db` and `origin_run` say where it came from (a run that was itself merged keeps its first origin). Inputs
/// are opened read-only and may be at any older schema: columns they lack are NULL in the output. Everything is
/// written in one transaction, so a rejected or failed merge leaves the output as it was.
public enum ResultsMerger {
    /// One copied run.
    public struct CopiedRun: Sendable, Equatable {
        /// The input database, as given.
        public var input: String
        /// The run's ID there.
        public var inputRun: Int64
        /// Its ID in the output.
        public var outputRun: Int64
    }

    /// What identifies a simulation: two complete runs with equal identities computed the same thing.
    struct Identity: Hashable {
        var scenarioHash: String, seed: Int64, policy: String, placement: String, parameters: String, codeVersion: String
    }

    /// The tables copied after `runs`, each row re-pointed at its run's new ID.
    static let resultTables = ["jobs", "allocations", "samples", "summary", "links", "sweep_points"]

    /// Merges `inputs` into the database at `output` (created if missing); returns the copied runs in copy order.
    /// Throws `MergeError` naming the file at fault.
    public static func merge(into output: String, from inputs: [String]) throws -> [CopiedRun] {
        let fm = FileManager.default
        var seen: [String: String] = [:]
        let outputReal = URL(fileURLWithPath: output).resolvingSymlinksInPath().standardizedFileURL.path
        for input in inputs {
            guard fm.fileExists(atPath: input) else { throw MergeError(file: input, message: "no such file") }
            let real = URL(fileURLWithPath: input).resolvingSymlinksInPath().standardizedFileURL.path
            if real == outputReal { throw MergeError(file: input, message: "is the output database; give it only as OUT") }
            if let first = seen[real] { throw MergeError(file: input, message: "given twice (also as \(first))") }
            seen[real] = input
        }
        let sink = try SQLiteSink(path: output)
        var copied: [CopiedRun] = []
        try sink.writer.write { out in
            var identities: [Identity: String] = [:]
            for row in try Row.fetchAll(out, sql: "SELECT * FROM runs WHERE status = 'complete' ORDER BY id") {
                identities[identity(row)] = "run \(row["id"] as Int64) of \(output)"
            }
            let outColumns = try Dictionary(uniqueKeysWithValues: (["runs"] + resultTables).map { table in
                (table, try columns(of: table, in: out))
            })
            for input in inputs {
                var config = Configuration()
                config.readonly = true
                let source: DatabaseQueue
                do { source = try DatabaseQueue(path: input, configuration: config) } catch {
                    throw MergeError(file: input, message: "cannot open it as a SQLite database (\(error))")
                }
                try source.read { src in
                    let runColumns = try columns(of: "runs", in: src)
                    guard runColumns.contains("id"), runColumns.contains("scenario_hash") else {
                        throw MergeError(file: input, message: "not a SchedLab results database (no runs table)")
                    }
                    let absolute = URL(fileURLWithPath: input).standardizedFileURL.path
                    var mapping: [Int64: Int64] = [:]
                    for run in try Row.fetchAll(src, sql: "SELECT * FROM runs ORDER BY id") {
                        let oldID: Int64 = run["id"]
                        if (run["status"] as String?) == "complete" {
                            let id = identity(run)
                            if let other = identities[id] {
                                throw MergeError(file: input, message: "run \(oldID) (scenario \(id.scenarioHash.prefix(12))…, "
                                    + "policy \(id.policy), seed \(UInt64(bitPattern: id.seed))) duplicates \(other): same scenario "
                                    + "hash, seed, policy, placement, parameters and code version; leave one of them out")
                            }
                            identities[id] = "run \(oldID) of \(input)"
                        }
                        var names: [String] = [], values: [DatabaseValue] = []
                        for column in outColumns["runs"]! where column != "id" && runColumns.contains(column) {
                            names.append(column)
                            values.append(run[column])
                        }
                        // Provenance: where the run was recorded, unless an earlier merge already said so.
                        if (run["origin_db"] as DatabaseValue?)?.isNull ?? true {
                            for (column, value) in [("origin_db", absolute.databaseValue), ("origin_run", oldID.databaseValue)] {
                                if let i = names.firstIndex(of: column) { values[i] = value } else {
                                    names.append(column)
                                    values.append(value)
                                }
                            }
                        }
                        try out.execute(
                            sql: "INSERT INTO runs (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))",
                            arguments: StatementArguments(values))
                        let newID = out.lastInsertedRowID
                        mapping[oldID] = newID
                        copied.append(CopiedRun(input: input, inputRun: oldID, outputRun: newID))
                    }
                    for table in resultTables {
                        let inColumns = try columns(of: table, in: src)
                        guard !inColumns.isEmpty else { continue }  // an older schema without this table
                        let shared = outColumns[table]!.filter { inColumns.contains($0) }
                        let runIndex = shared.firstIndex(of: "run")!
                        let insert = try out.makeStatement(sql: "INSERT INTO \(table) (\(shared.joined(separator: ", "))) "
                            + "VALUES (\(shared.map { _ in "?" }.joined(separator: ", ")))")
                        let cursor = try Row.fetchCursor(src, sql: "SELECT \(shared.joined(separator: ", ")) FROM \(table) ORDER BY rowid")
                        while let row = try cursor.next() {
                            var values = Array(row.databaseValues)
                            if let old = Int64.fromDatabaseValue(values[runIndex]) {
                                guard let new = mapping[old] else {
                                    throw MergeError(file: input, message: "\(table) has rows of run \(old), which is not in its runs table")
                                }
                                values[runIndex] = new.databaseValue
                            }
                            try insert.execute(arguments: StatementArguments(values))
                        }
                    }
                }
            }
        }
        return copied
    }

    /// The columns of `table` in declaration order; empty when there is no such table.
    static func columns(of table: String, in db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
    }

    static func identity(_ run: Row) -> Identity {
        Identity(scenarioHash: run["scenario_hash"], seed: run["seed"], policy: run["policy"], placement: run["placement"],
                 parameters: run["parameters"] ?? "", codeVersion: run["code_version"])
    }
}

/// Why a merge was refused or failed: the input (or output) at fault and what is wrong.
public struct MergeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database file at fault.
    public var file: String
    /// What is wrong with it.
    public var message: String

    /// Creates an error.
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
