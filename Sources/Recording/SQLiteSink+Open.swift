import Foundation
import GRDB

/// Opening a results database file that other processes may be creating, migrating or writing at the same moment.
extension SQLiteSink {
    /// Opens a connection pool on `path`, retrying while another process holds a lock that opening needs.
    ///
    /// Opening a pool switches the file to WAL mode (`PRAGMA journal_mode = WAL`, which needs a moment of exclusive
    /// access on a file still in rollback mode) and writes an empty transaction when the `-wal` file is missing
    /// (GRDB's guard against SQLITE_CANTOPEN for later readers). When several processes open a new file at once,
    /// SQLite can answer SQLITE_BUSY or SQLITE_LOCKED to those steps without consulting the busy timeout, or leave
    /// the journal mode unchanged ("could not activate WAL Mode"); each is a lost race, not a fault, so opening is
    /// tried again after a short pause until `busyTimeout` has passed. A database written by a newer SchedLab is
    /// refused before anything is written to it (`refuseNewerSchema`).
    static func openPool(path: String, configuration: Configuration, busyTimeout: TimeInterval) throws -> DatabasePool {
        try refuseNewerSchema(path: path)
        let deadline = Date().addingTimeInterval(busyTimeout)
        var attempt = 0
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where isLostOpeningRace(error) && Date() < deadline {
                attempt += 1
                // 5, 10, 20, 40, then 50 ms: a lost race clears as soon as the winner's open returns. The pause grows
                // with the attempt number only, never at random, so runs stay reproducible.
                usleep(useconds_t(min(50_000, 5_000 << min(attempt - 1, 4))))
            }
        }
    }

    /// Whether opening failed only because another connection held a lock at that instant.
    static func isLostOpeningRace(_ error: DatabaseError) -> Bool {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return true
        default: return error.message?.hasPrefix("could not activate WAL Mode") ?? false
        }
    }

    /// Throws `RecordingError.newerSchema` when the existing file at `path` was migrated by a newer SchedLab, read
    /// through a read-only connection so that such a database is not touched at all (opening a pool would already
    /// write to it). When the file cannot be read that way (it is being created this instant, or is not a database),
    /// opening goes ahead, and `SchemaMigrator` checks again under the write lock before it writes anything.
    static func refuseNewerSchema(path: String) throws {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
              size.intValue > 0 else { return }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(1)
        let state: (applied: Set<String>, userVersion: Int)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            state = try queue.read { db in try SchemaMigrator.state(db) }
        } catch {
            return
        }
        try Schema.migrator.check(state)
    }
}
