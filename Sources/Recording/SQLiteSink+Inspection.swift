import GRDB

/// A raw SQLite value, so tests can assert exact stored values and types without importing GRDB.
enum SQLCell: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

extension SQLiteSink {
    /// Runs a query and returns every cell as stored; internal, for tests (`@testable import Recording`).
    func rawRows(_ sql: String) throws -> [[SQLCell]] {
        try writer.read { db in
            try Row.fetchAll(db, sql: sql).map { row in
                row.databaseValues.map { value in
                    switch value.storage {
                    case .null: return .null
                    case .int64(let v): return .integer(v)
                    case .double(let v): return .real(v)
                    case .string(let v): return .text(v)
                    case .blob: return .text("<blob>")
                    }
                }
            }
        }
    }
}
