import Foundation
import GRDB

/// Marking a run stopped by a signal.
extension SQLiteSink {
    /// Marks a `running` run `interrupted`: `reason` (e.g. `interrupted by SIGINT`) goes into `runs.error`,
    /// `simulatedEndSeconds` and `events` say how far the simulation got. No result rows are written: a partial
    /// run's jobs and metrics would read like a finished run's. Throws if the run does not exist or already ended.
    public func interruptRun(id: Int64, reason: String, simulatedEndSeconds: Double, events: Int, wallEnd: Date) throws {
        try writer.write { db in
            try db.execute(
                sql: """
                    UPDATE runs SET status = 'interrupted', error = ?, sim_end_s = ?, events = ?, wall_end = ?
                    WHERE id = ? AND status = 'running'
                    """,
                arguments: [reason, simulatedEndSeconds, events, WallClock.format(wallEnd), id])
            guard db.changesCount == 0 else { return }
            guard let status = try String.fetchOne(db, sql: "SELECT status FROM runs WHERE id = ?", arguments: [id]) else {
                throw RecordingError.unknownRun(id: id)
            }
            throw RecordingError.runNotRunning(id: id, status: status)
        }
    }
}
