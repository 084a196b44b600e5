import GRDB

/// Applies `Schema`'s migrations so that any number of processes may open one database at once, new or old.
///
/// GRDB's `DatabaseMigrator` reads which migrations are applied outside any transaction and then runs each in a
/// transaction of its own, so two processes opening a new file together both see nothing applied and the second
/// fails on "table runs already exists" (or "duplicate column name" on an old file). Here the check and every pending
/// migration run inside ONE `BEGIN IMMEDIATE` transaction: the first process takes SQLite's write lock, the others
/// wait for it (the connection's busy timeout), then find the work done and change nothing. The bookkeeping is
/// GRDB's own table, `grdb_migrations` (one row per applied identifier), so databases written before this runner
/// existed open unchanged, and `PRAGMA user_version` is set to the number of migrations applied, so tools other than
/// SchedLab can read the schema version too.
///
/// Forward compatibility: a database that records a migration this binary does not know, or a `user_version`
/// above the number it knows, was written by a newer SchedLab; opening it throws `RecordingError.newerSchema`
/// before anything is written.
struct SchemaMigrator {
    /// One schema step: its identifier (`v1`, `v2`, ...) and the SQL that performs it.
    struct Migration {
        let identifier: String
        let migrate: (Database) throws -> Void
    }

    /// The migrations in registration (= application) order.
    private(set) var migrations: [Migration] = []

    /// Appends a migration; identifiers are unique and migrations are append-only.
    mutating func registerMigration(_ identifier: String, migrate: @escaping (Database) throws -> Void) {
        precondition(!migrations.contains { $0.identifier == identifier }, "migration \(identifier) registered twice")
        migrations.append(Migration(identifier: identifier, migrate: migrate))
    }

    /// The identifier of the newest migration: this binary's schema version.
    var currentVersion: String { migrations.last?.identifier ?? "none" }

    /// Brings the database up to date (every registered migration).
    func migrate(_ writer: any DatabaseWriter) throws {
        try migrate(writer, upTo: currentVersion)
    }

    /// Applies the migrations up to and including `target` that are not applied yet, all in one immediate
    /// transaction; throws `RecordingError.newerSchema` when the database is newer than this binary.
    func migrate(_ writer: any DatabaseWriter, upTo target: String) throws {
        guard let end = migrations.firstIndex(where: { $0.identifier == target }) else {
            preconditionFailure("unknown migration \(target)")
        }
        let wanted = Array(migrations[...end])
        // The common case, a database already up to date, is settled by a read: no write lock, so opening never
        // waits behind another process's long result transaction.
        let seen = try writer.read { db in try Self.state(db) }
        try check(seen)
        if wanted.allSatisfy({ seen.applied.contains($0.identifier) }) { return }
        try writer.writeWithoutTransaction { db in
            // The SQLite way to change a table's definition (https://www.sqlite.org/lang_altertable.html#otheralter,
            // steps 1, 2, 10-12): foreign keys off outside the transaction, so that rebuilding `runs` does not
            // cascade into its results; every reference checked before commit.
            let foreignKeys = try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false
            if foreignKeys { try db.execute(sql: "PRAGMA foreign_keys = OFF") }
            defer { if foreignKeys { try? db.execute(sql: "PRAGMA foreign_keys = ON") } }
            try db.inTransaction(.immediate) {
                // Under the write lock: whatever another process applied meanwhile is seen now.
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                let now = try Self.state(db)
                try check(now)
                for migration in wanted where !now.applied.contains(migration.identifier) {
                    try migration.migrate(db)
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.identifier])
                }
                try db.execute(sql: "PRAGMA user_version = \(max(now.userVersion, wanted.count))")
                if foreignKeys { try db.checkForeignKeys() }
                return .commit
            }
        }
    }

    /// Throws `RecordingError.newerSchema` for a database this binary's migrations do not describe: an identifier
    /// it does not know, or a `user_version` above its number of migrations.
    func check(_ state: (applied: Set<String>, userVersion: Int)) throws {
        let known = Set(migrations.map(\.identifier))
        let unknown = state.applied.subtracting(known).sorted(by: Self.versionOrder)
        if !unknown.isEmpty {
            throw RecordingError.newerSchema(
                database: "\(unknown.last!) (unknown migration\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", ")))",
                supported: currentVersion)
        }
        if state.userVersion > migrations.count {
            throw RecordingError.newerSchema(database: "v\(state.userVersion) (PRAGMA user_version = \(state.userVersion))",
                                             supported: "\(currentVersion) (user_version \(migrations.count))")
        }
    }

    /// The applied identifiers (empty for a new database) and `PRAGMA user_version`.
    static func state(_ db: Database) throws -> (applied: Set<String>, userVersion: Int) {
        let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        guard try db.tableExists("grdb_migrations") else { return ([], userVersion) }
        return (try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations"), userVersion)
    }

    /// `v2` before `v10`: by the number after a leading `v` when both have one, else as text.
    static func versionOrder(_ a: String, _ b: String) -> Bool {
        func number(_ s: String) -> Int? { s.hasPrefix("v") ? Int(s.dropFirst()) : nil }
        if let x = number(a), let y = number(b) { return x < y }
        return a < b
    }
}
