import Foundation
import GRDB

/// Recording sweep points: a run that belongs to a point, a point that failed before its run began, and which points
/// are already done (for resuming).
extension SQLiteSink {
    /// Inserts the run row (status `running`) and its `sweep_points` row in one transaction, so a point is never seen
    /// without its run or the other way round; returns the run ID.
    public func beginRun(_ meta: RunMetadata, sweepPoint: SweepPointRecord) throws -> Int64 {
        try writer.write { db in
            let id = try Self.insertRun(meta, db)
            try Self.insertPoint(sweepPoint, run: id, error: nil, wallTime: meta.wallStart, db)
            return id
        }
    }

    /// Records an attempt at `point` that failed before any run began (its scenario did not load, or its worker died).
    public func recordFailedPoint(_ point: SweepPointRecord, error: String, wallTime: Date) throws {
        try writer.write { db in try Self.insertPoint(point, run: nil, error: error, wallTime: wallTime, db) }
    }

    /// The keys of `sweep`'s points that have a complete run.
    public func completedPointKeys(sweep: String) throws -> Set<String> {
        try writer.read { db in
            Set(try String.fetchAll(db, sql: """
                SELECT p.key FROM sweep_points AS p JOIN runs AS r ON r.id = p.run
                WHERE p.sweep = ? AND r.status = 'complete'
                """, arguments: [sweep]))
        }
    }

    /// How many of `keys` have a complete run in `sweep` (for progress while other processes record them).
    public func completedCount(sweep: String, keys: Set<String>) throws -> Int {
        try completedPointKeys(sweep: sweep).intersection(keys).count
    }

    /// The last recorded error of each of `sweep`'s points that is not complete, by key: a failed run's message or
    /// the point's own error.
    public func pointErrors(sweep: String) throws -> [String: String] {
        try writer.read { db in
            var errors: [String: String] = [:]
            // Attempts in recording order, so a later attempt's error replaces an earlier one's.
            for row in try Row.fetchAll(db, sql: """
                SELECT p.key, coalesce(p.error, r.error, 'run ' || r.id || ' is ' || r.status) AS message
                FROM sweep_points AS p LEFT JOIN runs AS r ON r.id = p.run
                WHERE p.sweep = ? ORDER BY p.rowid
                """, arguments: [sweep]) {
                errors[row["key"]] = row["message"]
            }
            return errors
        }
    }

    private static func insertPoint(_ p: SweepPointRecord, run: Int64?, error: String?, wallTime: Date, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO sweep_points (sweep, point, key, settings, run, error, wall_time) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [p.sweep, p.point, p.key, p.settings, run, error, WallClock.format(wallTime)])
    }
}

extension SQLiteSink {
    /// For each run recorded by a sweep: its sweep's name and the swept fields' names in axis order.
    public func sweepFieldsByRun() throws -> [Int64: (sweep: String, fields: [String])] {
        try writer.read { db in
            var result: [Int64: (sweep: String, fields: [String])] = [:]
            // json_each walks the settings object in its text order, which is the sweep's axis order.
            for row in try Row.fetchAll(db, sql: """
                SELECT p.run AS run, p.sweep AS sweep, j.key AS field
                FROM sweep_points AS p, json_each(p.settings) AS j
                WHERE p.run IS NOT NULL ORDER BY p.run, j.id
                """) {
                let run: Int64 = row["run"]
                var entry = result[run] ?? (sweep: row["sweep"], fields: [])
                entry.fields.append(row["field"])
                result[run] = entry
            }
            return result
        }
    }
}

extension SQLiteSink {
    /// The keys of `sweep`'s complete points in the database at `path`, opened read-only (a database another process
    /// is writing, such as a Slurm task's); empty when the file does not exist yet.
    public static func completedPointKeys(readOnlyAt path: String, sweep: String) throws -> Set<String> {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(busyTimeout)
        let queue = try DatabaseQueue(path: path, configuration: config)
        return try queue.read { db in
            guard try db.tableExists("sweep_points") else { return [] }
            return Set(try String.fetchAll(db, sql: """
                SELECT p.key FROM sweep_points AS p JOIN runs AS r ON r.id = p.run
                WHERE p.sweep = ? AND r.status = 'complete'
                """, arguments: [sweep]))
        }
    }
}
