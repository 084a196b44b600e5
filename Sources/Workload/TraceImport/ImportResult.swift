/// What converting a raw trace produced: the rows kept and an account of every source record not kept as-is.
///
/// Nothing is dropped silently: `rawRecords` = `rows.count` + `dropped.total` + `skipped.count` (for PAI 2020,
/// whose records are task rows grouped into jobs, the rows and drops count jobs instead).
public struct ImportResult: Sendable {
    /// The converted jobs, in no particular order (the writer sorts them).
    public var rows: [CanonicalTraceRow]
    /// Records read from the source (CSV data rows, JSON jobs, or PAI jobs).
    public var rawRecords: Int
    /// Records left out by a documented conversion rule, counted per rule.
    public var dropped: RuleTally
    /// Records kept but changed by a documented rule (e.g. a GPU type left empty), counted per rule.
    public var adjusted: RuleTally
    /// Malformed records skipped (only with `skipBadRows`), each with its located error.
    public var skipped: [InputError]

    /// Creates a result.
    public init(
        rows: [CanonicalTraceRow], rawRecords: Int, dropped: RuleTally = RuleTally(),
        adjusted: RuleTally = RuleTally(), skipped: [InputError] = []
    ) {
        self.rows = rows
        self.rawRecords = rawRecords
        self.dropped = dropped
        self.adjusted = adjusted
        self.skipped = skipped
    }

    /// Appends another file's result (for importing several files into one trace).
    public mutating func merge(_ other: ImportResult) {
        rows += other.rows
        rawRecords += other.rawRecords
        dropped.add(other.dropped)
        adjusted.add(other.adjusted)
        skipped += other.skipped
    }
}
