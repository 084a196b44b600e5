/// How `SQLiteSink.completeRun` inserts a run's result rows. Every path writes the same rows with the same values in
/// the same order, in one transaction (`WritePathTests` compares their databases row by row).
public enum WritePath: String, Sendable, CaseIterable {
    /// One prepared statement per table, values bound through SQLite's C API (`BulkInsert`), and foreign-key checks
    /// off for the transaction: the run row every result row references is checked once, in the same transaction,
    /// instead of once per row.
    case bulk
    /// The plain path: GRDB's `execute(sql:arguments:)` for every row with foreign-key checks on. Slower; kept as
    /// the reference the bulk path must agree with.
    case reference
    /// The bulk path on a writing thread of its own that takes rows while the simulation runs (`StreamingRun`,
    /// `SQLiteSink.streamRun`). `completeRun`, called after the simulation, hands it the whole result at once; the
    /// benchmark and `schedlab run --stream-writes` hand rows over as they become final.
    case streamed
}
