import Foundation

/// Writes RFC 4180 CSV (https://www.rfc-editor.org/rfc/rfc4180): CRLF line ends, fields with a comma, quote, CR or
/// LF quoted, quotes doubled.
///
/// A NULL database value is an empty unquoted field and an empty string a quoted empty field (`""`), so a reader
/// that keeps the distinction (Python's `csv` with `QUOTE_NOTNULL` semantics, or SchedLab's tests) gets the database
/// back exactly; most readers, pandas included, read both as missing.
public struct CSVWriter {
    /// One field's value.
    public enum Field: Equatable, Sendable {
        /// No value (SQL NULL): an empty unquoted field.
        case null
        /// An integer, written in decimal.
        case integer(Int64)
        /// A real, written as the shortest decimal that reads back as the same Double (Swift's `description`).
        case real(Double)
        /// Text, quoted when it needs to be (and always when empty).
        case text(String)
    }

    /// The CSV text so far.
    public private(set) var text = ""

    /// Creates an empty writer.
    public init() {}

    /// Appends one record (the header is a record of `.text` fields).
    public mutating func write(_ fields: [Field]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { text += "," }
            text += Self.encode(field)
        }
        text += "\r\n"
    }

    /// One field as it appears in the file.
    public static func encode(_ field: Field) -> String {
        switch field {
        case .null: return ""
        case .integer(let v): return String(v)
        case .real(let v): return v.description
        case .text(let s):
            let needsQuotes = s.isEmpty || s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            return needsQuotes ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
    }
}
