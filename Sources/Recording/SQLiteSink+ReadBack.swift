import Engine
import Foundation
import GRDB

/// Read-back queries for the CLI and tests; results come in a deterministic order (never hash order).
extension SQLiteSink {
    /// All runs, oldest (lowest ID) first.
    public func fetchRuns() throws -> [RunRow] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id").map(Self.decodeRun)
        }
    }

    /// The run with `id`, or nil if there is none.
    public func fetchRun(id: Int64) throws -> RunRow? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]).map(Self.decodeRun)
        }
    }

    /// The summary metrics of run `run`, in the order they were recorded; NULL values read back as NaN.
    public func fetchSummary(run: Int64) throws -> [SummaryMetric] {
        try writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT metric, value FROM summary WHERE run = ? ORDER BY rowid", arguments: [run]
            ).map { row in
                SummaryMetric(name: row["metric"], value: (row["value"] as Double?) ?? .nan)
            }
        }
    }

    private static func decodeRun(_ row: Row) throws -> RunRow {
        let statusText: String = row["status"]
        guard let status = RunStatus(rawValue: statusText) else {
            throw RecordingError.malformedValue(column: "runs.status", value: statusText)
        }
        let wallEnd: String? = row["wall_end"]
        let events: Int64? = row["events"]
        return RunRow(
            id: row["id"],
            scenario: row["scenario"],
            scenarioHash: row["scenario_hash"],
            seed: UInt64(bitPattern: row["seed"] as Int64),
            policy: row["policy"],
            placement: row["placement"],
            parameters: row["parameters"],
            codeVersion: row["code_version"],
            wallStart: try WallClock.parse(row["wall_start"], column: "runs.wall_start"),
            wallEnd: try wallEnd.map { try WallClock.parse($0, column: "runs.wall_end") },
            status: status,
            error: row["error"],
            simulatedEndSeconds: row["sim_end_s"],
            eventsProcessed: events.map { Int($0) },
            scenarioText: row["scenario_text"],
            scenarioPath: row["scenario_path"],
            schedlabVersion: row["schedlab_version"]
        )
    }
}
