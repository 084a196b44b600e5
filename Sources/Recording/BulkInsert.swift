#if canImport(GRDBSQLite)
import GRDBSQLite  // GRDB's SQLite module on Linux
#else
import SQLite3  // Apple platforms' system SQLite, which GRDB uses there
#endif
import GRDB

/// Prepared multi-row INSERT statements, bound through the SQLite C API and stepped once per batch of rows.
///
/// Why not `Statement.execute(arguments:)`: building a `StatementArguments` array of existentials per row and
/// GRDB's per-execution bookkeeping cost about as much as SQLite's own insert work (measured, release build,
/// 100k jobs + 100k allocations + 200k samples: ~1.6 s that way, ~0.95 s with one single-row statement stepped per
/// row). Why batches: each execution of a statement pays a fixed cost besides the row's own B-tree work (opening its
/// cursors, finding the table's last rowid, halting and resetting the VM), about half of SQLite's instructions per
/// row for these narrow rows (callgrind); one `INSERT … VALUES (…), (…), …` of `batchRows` rows pays it once per
/// batch. The rows, their order and their rowids are those of one statement per row.
///
/// The caller says how many rows it will insert, binds each row's parameters by their 1-based column position and
/// calls `step()` after each row; the batch executes when its last row is bound, and the last batch is as long as
/// the rows left (its statement prepared for that length). GRDB still owns the connection, the statements'
/// lifetime and the transaction; this only binds and steps. Use only inside a write transaction, on the
/// connection's own queue.
final class BulkInsert: RowSink {
    /// Rows per full batch: enough to amortise the per-execution cost, few enough that a statement's program stays
    /// small (SQLite allows 32,766 parameters; the jobs table has 26 columns).
    static let batchRows = 64

    private let insert: InsertSQL
    private let db: Database
    private var statement: Statement  // owns `handle`; kept alive while we use it
    private var handle: SQLiteStatement
    /// Rows the current statement inserts.
    private var statementRows: Int
    private let connection: SQLiteConnection?
    /// Rows not yet executed, counting the current batch.
    private var remaining: Int
    /// Rows of the current batch bound so far, and the parameter offset of the row being bound.
    private var rowInBatch = 0
    private var offset: CInt = 0
    /// First failing bind result since the last step; binds fail only on API misuse or out-of-memory.
    private var bindFailure: CInt = SQLITE_OK
    /// Scratch bytes for text formatted per row (`bind(_:gpuList:)`).
    private var text: [UInt8] = []
    /// The current batch's text values, which SQLite reads in place when the batch executes.
    private let batchText = BatchText()

    /// Prepares `insert` for `rows` rows (in batches of `batchRows`); exactly that many rows must follow.
    init(_ db: Database, _ insert: InsertSQL, rows: Int) throws {
        self.insert = insert
        self.db = db
        remaining = rows
        statementRows = max(1, min(rows, Self.batchRows))
        // Cached: a streamed run (`StreamingRun`) inserts each table in many pieces (about 260 for the 100k-job bench
        // run), each through a new `BulkInsert`, which would otherwise compile the same 64-row statement every time.
        statement = try db.cachedStatement(sql: insert.sql(rows: statementRows))
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
    }

    /// Binds an integer to 1-based parameter `index`.
    func bind(_ index: CInt, _ value: Int64) {
        record(sqlite3_bind_int64(handle, offset + index, value))
    }

    /// Binds an integer to 1-based parameter `index`.
    func bind(_ index: CInt, _ value: Int) {
        record(sqlite3_bind_int64(handle, offset + index, Int64(value)))
    }

    /// Binds a real, or NULL when nil or NaN (SQLite would store NaN as NULL anyway; being explicit documents it).
    func bind(_ index: CInt, _ value: Double?) {
        if let value, !value.isNaN {
            record(sqlite3_bind_double(handle, offset + index, value))
        } else {
            record(sqlite3_bind_null(handle, offset + index))
        }
    }

    /// Binds text, or NULL when nil. The bytes stay in `batchText` until the batch executes: SQLITE_STATIC (nil).
    func bind(_ index: CInt, _ value: String?) {
        if let value {
            record(sqlite3_bind_text(handle, offset + index, batchText.store(value), -1, nil))
        } else {
            record(sqlite3_bind_null(handle, offset + index))
        }
    }

    /// Binds node-local GPU indices as "0,1,2,3", formatted into a reused byte buffer (building a `String` per row
    /// through `map` and `joined` allocated several times per allocation row).
    func bind(_ index: CInt, gpuList: [Int]) {
        text.removeAll(keepingCapacity: true)
        for (k, gpu) in gpuList.enumerated() {
            if k > 0 { text.append(UInt8(ascii: ",")) }
            Self.appendDecimal(gpu, to: &text)
        }
        let stored = text.withUnsafeBytes { batchText.store($0) }
        record(sqlite3_bind_text(handle, offset + index, stored, -1, nil))
    }

    /// Appends the decimal digits of `value` (as `String(value)` writes them).
    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 0 {
            out.append(UInt8(ascii: "-"))
            // Int.min has no positive counterpart; its magnitude fits in UInt.
            appendDecimal(UInt(value.magnitude), to: &out)
        } else {
            appendDecimal(UInt(value), to: &out)
        }
    }

    private static func appendDecimal(_ value: UInt, to out: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &out) }
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// Ends the row just bound; when it completes a batch, inserts the batch (throws `DatabaseError`, e.g. on a
    /// constraint violation, which fails the caller's transaction) and prepares the next one.
    func step() throws {
        rowInBatch += 1
        guard rowInBatch == statementRows else {
            offset += insert.columns
            return
        }
        let failedBind = bindFailure
        bindFailure = SQLITE_OK
        let code = failedBind == SQLITE_OK ? sqlite3_step(handle) : failedBind
        // Reset even on failure so the statement is reusable and releases its locks; bindings stay (all are rebound,
        // so the text memory they point at is free for the next batch).
        sqlite3_reset(handle)
        batchText.reset()
        guard code == SQLITE_DONE else {
            sqlite3_clear_bindings(handle)  // cached: see below
            let extended = failedBind == SQLITE_OK ? sqlite3_extended_errcode(connection) : failedBind
            throw DatabaseError(
                resultCode: ResultCode(rawValue: extended),
                message: connection.map { String(cString: sqlite3_errmsg($0)) },
                sql: statement.sql)
        }
        remaining -= statementRows
        rowInBatch = 0
        offset = 0
        // The statement stays in GRDB's cache: leave it no pointers into `batchText`'s memory.
        if remaining == 0 { sqlite3_clear_bindings(handle) }
        // The last batch holds the rows left over.
        if remaining > 0 && remaining < statementRows {
            statementRows = remaining
            statement = try db.cachedStatement(sql: insert.sql(rows: statementRows))
            handle = statement.sqliteStatement
        }
    }

    private func record(_ code: CInt) {
        if code != SQLITE_OK && bindFailure == SQLITE_OK { bindFailure = code }
    }
}

/// An INSERT of one table's columns, as text for any number of rows.
struct InsertSQL: Sendable {
    /// `INSERT INTO table (column, …) VALUES`.
    let prefix: String
    /// Columns (parameters per row).
    let columns: CInt

    /// The statement for `rows` rows: the prefix and `rows` groups of `columns` placeholders.
    func sql(rows: Int) -> String {
        let group = "(" + Array(repeating: "?", count: Int(columns)).joined(separator: ", ") + ")"
        return prefix + " " + Array(repeating: group, count: rows).joined(separator: ", ")
    }
}
