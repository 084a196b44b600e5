import GRDB

extension SQLiteSink {
    /// Writes `table` of the runs `runs` (every run when nil) as CSV: the header, then each row, handed to `emit` in
    /// chunks so a large table never sits in memory whole. Throws `RecordingError.unknownRun` for a missing run ID.
    public func exportCSV(_ table: ExportTable, runs: [Int64]?, emit: (String) throws -> Void) throws {
        let columns = table.columns
        try writer.read { db in
            if let runs {
                for id in runs where try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE id = ?", arguments: [id]) == 0 {
                    throw RecordingError.unknownRun(id: id)
                }
            }
            var csv = CSVWriter()
            csv.write(columns.map { .text($0.name) })
            let cursor = try Row.fetchCursor(db, sql: table.query(runs: runs))
            var pending = 0
            while let row = try cursor.next() {
                csv.write(zip(columns, row.databaseValues).map { column, value in
                    let field = Self.field(value)
                    if column.isSeed, case .integer(let bits) = field {
                        // The real seed, not its stored bit pattern (seeds ≥ 2^63 are stored negative).
                        return .text(String(UInt64(bitPattern: bits)))
                    }
                    return field
                })
                pending += 1
                if pending == 2_000 {
                    try emit(csv.text)
                    csv = CSVWriter()
                    pending = 0
                }
            }
            try emit(csv.text)
        }
    }

    static func field(_ value: DatabaseValue) -> CSVWriter.Field {
        switch value.storage {
        case .null: return .null
        case .int64(let v): return .integer(v)
        case .double(let v): return .real(v)
        case .string(let v): return .text(v)
        case .blob(let d): return .text(String(decoding: d, as: UTF8.self))
        }
    }
}
