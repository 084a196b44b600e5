#if canImport(GRDBSQLite)
import GRDBSQLite
#else
import SQLite3
#endif
import GRDB

/// Receives one INSERT row's values by 1-based parameter position, then inserts it: the interface the result-table
/// writers fill rows through, so the bulk and reference write paths (`WritePath`) get their values from one place.
protocol RowSink: AnyObject {
    /// Binds an integer.
    func bind(_ index: CInt, _ value: Int64)
    /// Binds an integer.
    func bind(_ index: CInt, _ value: Int)
    /// Binds a real, or NULL when nil or NaN.
    func bind(_ index: CInt, _ value: Double?)
    /// Binds text, or NULL when nil.
    func bind(_ index: CInt, _ value: String?)
    /// Binds node-local GPU indices as text, "0,1,2,3" (`SQLiteSink.gpuList`).
    func bind(_ index: CInt, gpuList: [Int])
    /// Inserts the row with the current bindings.
    func step() throws
}

/// The reference `RowSink`: collects each row's values as GRDB arguments and executes a cached statement with
/// them, every check of GRDB's on.
final class ReferenceInsert: RowSink {
    private let statement: Statement
    private var values: [DatabaseValue]

    /// Prepares `sql`, an INSERT with `?` placeholders.
    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        values = Array(repeating: .null, count: Int(sqlite3_bind_parameter_count(statement.sqliteStatement)))
    }

    func bind(_ index: CInt, _ value: Int64) { values[Int(index) - 1] = value.databaseValue }
    func bind(_ index: CInt, _ value: Int) { values[Int(index) - 1] = value.databaseValue }
    func bind(_ index: CInt, _ value: Double?) {
        // SQLite stores NaN as NULL; say so explicitly, as the bulk path does.
        values[Int(index) - 1] = value.flatMap { $0.isNaN ? nil : $0 }?.databaseValue ?? .null
    }
    func bind(_ index: CInt, _ value: String?) { values[Int(index) - 1] = value?.databaseValue ?? .null }
    func bind(_ index: CInt, gpuList: [Int]) { values[Int(index) - 1] = SQLiteSink.gpuList(gpuList).databaseValue }

    func step() throws {
        try statement.execute(arguments: StatementArguments(values))
    }
}
