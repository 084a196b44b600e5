/// A raw CSV trace file split into records, with columns found by name and rows handed out with their lines.
///
/// Blank lines are ignored; CRLF line ends are accepted; fields use RFC 4180 quoting (one record per line).
struct RawCSV {
    /// The file, for errors.
    let file: String
    /// Column names, from the header or given for a headerless format.
    let columns: [String]
    /// The header's line, or nil for a headerless file.
    let headerLine: Int?
    private let records: ArraySlice<(line: Int, text: Substring)>

    /// A file whose first non-blank line is the header.
    init(text: String, file: String) throws(InputError) {
        let all = Self.records(text)
        guard let first = all.first else { throw InputError(file: file, message: "the file is empty (no header line)") }
        self.file = file
        columns = try TraceReader.splitCSV(first.text, file: file, line: first.line)
        headerLine = first.line
        records = all.dropFirst()
    }

    /// A headerless file with fixed `columns`; a first line that equals the column names is skipped.
    init(text: String, file: String, columns: [String]) throws(InputError) {
        var all = Self.records(text)[...]
        if let first = all.first, (try? TraceReader.splitCSV(first.text, file: file, line: first.line)) == columns {
            all = all.dropFirst()
        }
        self.file = file
        self.columns = columns
        headerLine = nil
        records = all
    }

    /// The index of column `name`; a located error on the header line when it is missing.
    func column(_ name: String) throws(InputError) -> Int {
        guard let i = columns.firstIndex(of: name) else {
            throw InputError(file: file, line: headerLine, message:
                "missing column '\(name)'; the header has \(columns.joined(separator: ","))")
        }
        return i
    }

    /// Calls `body` on each data row and returns how many rows there were and the errors of those skipped.
    /// A row with the wrong number of fields, or on which `body` throws, fails the file unless `skipBadRows`;
    /// `body` must therefore parse every field before it records anything. `onSkip` gets a skipped row's
    /// fields (empty when the line could not be split).
    func forEachRow(
        skipBadRows: Bool, onSkip: ([String]) -> Void = { _ in }, _ body: (RawCSVRow) throws(InputError) -> Void
    ) throws(InputError) -> (rows: Int, skipped: [InputError]) {
        var skipped: [InputError] = []
        for record in records {
            var fields: [String] = []
            do throws(InputError) {
                fields = try TraceReader.splitCSV(record.text, file: file, line: record.line)
                guard fields.count == columns.count else {
                    throw InputError(file: file, line: record.line, message:
                        "expected \(columns.count) fields (\(columns.joined(separator: ","))), got \(fields.count)")
                }
                try body(RawCSVRow(fields: fields, columns: columns, file: file, line: record.line))
            } catch {
                guard skipBadRows else { throw error }
                skipped.append(error)
                onSkip(fields)
            }
        }
        return (records.count, skipped)
    }

    /// Non-blank lines with their 1-based numbers.
    static func records(_ text: String) -> [(line: Int, text: Substring)] {
        var out: [(line: Int, text: Substring)] = []
        var number = 0
        // "\r\n" is one Character in Swift, so it is named as a separator of its own; a lone "\r" ends a
        // line too (classic Mac OS files).
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            number += 1
            var line = raw
            if line.last == "\r" { line = line.dropLast() }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            out.append((number, line))
        }
        return out
    }
}

/// One data row of a raw CSV trace, with typed accessors whose errors name the file, line and column.
struct RawCSVRow {
    /// The row's fields (whitespace-trimmed).
    let fields: [String]
    /// Column names, for errors.
    let columns: [String]
    /// The file, for errors.
    let file: String
    /// The row's 1-based line.
    let line: Int

    /// The text of column `i`.
    func text(_ i: Int) -> String { fields[i] }

    /// An error about column `i`.
    func fail(_ i: Int, _ expected: String) -> InputError {
        InputError(file: file, line: line, field: columns[i], message: "expected \(expected), got '\(fields[i])'")
    }

    /// Column `i` as a finite number.
    func number(_ i: Int, _ expected: String = "a number") throws(InputError) -> Double {
        guard let x = Double(fields[i]), x.isFinite else { throw fail(i, expected) }
        return x
    }

    /// Column `i` as a finite number, or nil when it is empty (or None / nan / null, as pandas writes it).
    func optionalNumber(_ i: Int, _ expected: String = "a number or empty") throws(InputError) -> Double? {
        if Self.isMissing(fields[i]) { return nil }
        return try number(i, expected)
    }

    /// Column `i` as an integer (an integral decimal such as `8.0` is accepted).
    func integer(_ i: Int, _ expected: String = "an integer") throws(InputError) -> Int {
        if let n = Int(fields[i]) { return n }
        guard let x = Double(fields[i]), x == x.rounded(), abs(x) < 1e15 else { throw fail(i, expected) }
        return Int(x)
    }

    /// Whether a field means "no value".
    static func isMissing(_ s: String) -> Bool {
        s.isEmpty || s == "None" || s == "nan" || s == "NaN" || s == "null" || s == "NULL"
    }
}
